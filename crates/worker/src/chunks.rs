//! Code the page's first load does without. Each function here is a split point: the page's
//! build (`--cfg layerlab_split`, xtask/src/build.rs) moves it, with the code only it reaches,
//! into a wasm chunk of its own that the worker fetches the first time a message needs it
//! ([`crate::data_files::deliver`] loads it before the message is handled, as it fetches a
//! data file). Every other build (native, the wasm tests, a bare `trunk build`) has no chunks
//! and calls the same functions directly.
//!
//! A split point's call is `async` in the page's build (it waits for its chunk); the host calls
//! it from synchronous code through [`now`], once the chunk is loaded, when the call is ready at
//! its first poll.

// The split macro declares the chunk's function as an import and defines its export.
#![cfg_attr(layerlab_split, allow(unsafe_code))]

use layerlab_engine::cpu::Cpu;
use layerlab_engine::export::{self, File};
use layerlab_engine::train::Trainer;
use layerlab_spec::Spec;

/// Why a split point gave no answer: its chunk could not be fetched, or its code failed.
#[derive(Debug, PartialEq)]
pub struct Failed(pub String);

#[cfg(layerlab_split)]
impl From<wasm_split_helpers::SplitLoaderError> for Failed {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Failed(
            "could not fetch the code this needs (split_export.wasm, beside the page): check the connection and try again"
                .into(),
        )
    }
}

/// The PyTorch export of a run's model (`export::pytorch`): the code generator and the
/// safetensors writer, 14 KB of the page's gzipped module (by hand).
#[cfg_attr(layerlab_split, wasm_split_helpers::wasm_split(export, preload(preload_export), fallible))]
pub fn torch_files(trainer: &mut Trainer<Cpu<f32>>, spec: &Spec) -> Result<Vec<File>, Failed> {
    export::pytorch(trainer, spec).map_err(Failed)
}

/// Loads the export's chunk, unless it is loaded (without chunks, its code is at hand).
pub async fn load_export() -> Result<(), Failed> {
    #[cfg(layerlab_split)]
    preload_export().await?;
    Ok(())
}

/// The answer of a split point's call made after its chunk was loaded: the call is ready at its
/// first poll. `None` if it is not (its chunk was not loaded first).
#[cfg(layerlab_split)]
pub fn now<F: std::future::Future>(call: F) -> Option<F::Output> {
    let mut call = std::pin::pin!(call);
    match call.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(answer) => Some(answer),
        std::task::Poll::Pending => None,
    }
}

/// Without chunks, a split point's call is its answer.
#[cfg(not(layerlab_split))]
pub fn now<T>(answer: T) -> Option<T> {
    Some(answer)
}
