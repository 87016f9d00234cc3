//! Code the page's first load does without. Each function here is a split point: the page's
//! build (`--cfg layerlab_split`, xtask/src/build.rs) moves the split points of one chunk, with
//! the code only they reach, into a wasm chunk of its own that the worker fetches the first time
//! it needs it: `split_export.wasm`, the PyTorch export, before the first `export_torch` is
//! handled ([`crate::data_files::deliver`] loads it as it fetches a data file), and
//! `split_gpu.wasm`, the GPU backend, when backend detection settles on WebGPU
//! ([`crate::backend::choose`], with the WGSL files), so a machine that trains on the CPU never
//! fetches it. Every other build (native, the wasm tests, a bare `trunk build`) has no chunks and
//! calls the same functions directly.
//!
//! A split point's call is `async` in the page's build (it waits for its chunk); the host calls
//! it from synchronous code through [`now`], once the chunk is loaded, when the call is ready at
//! its first poll. Each split point keeps its own record of whether its chunk is loaded, so a
//! chunk's `load_…` function preloads every split point in it.

// The split macro declares the chunk's function as an import and defines its export.
#![cfg_attr(layerlab_split, allow(unsafe_code))]

use std::future::Future;
use std::pin::Pin;

use layerlab_engine::cpu::Cpu;
use layerlab_engine::export::{self, File};
use layerlab_engine::train::Trainer;
use layerlab_gpu::Gpu;
use layerlab_spec::train::Training;
use layerlab_spec::{Spec, SpecError};

use crate::gpu_run::{Finish, GpuRun, ReadJob};

/// Why a split point gave no answer: its chunk could not be fetched, or its code failed.
#[derive(Debug, PartialEq)]
pub struct Failed(pub String);

#[cfg(layerlab_split)]
impl Failed {
    /// Why the chunk `file` could not be loaded.
    fn fetch(file: &str) -> Self {
        Failed(format!(
            "could not fetch the code this needs ({file}, beside the page): check the connection and try again"
        ))
    }
}

/// A split point's own load failing, which the `load_…` functions below make unreachable.
#[cfg(layerlab_split)]
impl From<wasm_split_helpers::SplitLoaderError> for Failed {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Failed::fetch("a chunk")
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
    preload_export().await.map_err(|_| Failed::fetch("split_export.wasm"))?;
    Ok(())
}

/// A device being opened, or why it could not be.
pub type Opening = Pin<Box<dyn Future<Output = Result<Gpu, String>>>>;
/// A GPU run, or why not and the device back when it is still usable.
pub type Attached = Result<GpuRun, Box<(Option<Gpu>, String)>>;

/// A GPU device opened ([`Gpu::new`]), as a future: a split point cannot be `async` itself.
#[cfg_attr(layerlab_split, wasm_split_helpers::wasm_split(gpu, preload(preload_open), fallible))]
pub fn open_gpu() -> Result<Opening, Failed> {
    Ok(Box::pin(async { Gpu::new().await.map_err(|e| e.to_string()) }))
}

/// [`GpuRun::new`].
#[cfg_attr(layerlab_split, wasm_split_helpers::wasm_split(gpu, preload(preload_run), fallible))]
pub fn gpu_run(gpu: Gpu, spec: &Spec, csv: Option<&str>, shadow: &mut Trainer<Cpu<f32>>) -> Result<Attached, Failed> {
    Ok(GpuRun::new(gpu, spec, csv, shadow))
}

/// [`GpuRun::record`].
#[cfg_attr(layerlab_split, wasm_split_helpers::wasm_split(gpu, preload(preload_record), fallible))]
pub fn gpu_record(gpu: &mut GpuRun, run: u64, limit: u64, now: f64) -> Result<ReadJob, Failed> {
    Ok(gpu.record(run, limit, now))
}

/// [`GpuRun::finish`].
#[cfg_attr(layerlab_split, wasm_split_helpers::wasm_split(gpu, preload(preload_finish), fallible))]
pub fn gpu_finish(
    gpu: &mut GpuRun,
    history: Result<Vec<f32>, String>,
    state: Vec<Result<Vec<f32>, String>>,
    elapsed: f64,
    shadow: &mut Trainer<Cpu<f32>>,
) -> Result<Result<Vec<f64>, Finish>, Failed> {
    Ok(gpu.finish(history, state, elapsed, shadow))
}

/// The GPU trainer's [`Trainer::retune`] and [`Trainer::measure_as`]: the run's recipe changed
/// to `spec`'s (`built`: the one it was built with).
#[cfg_attr(layerlab_split, wasm_split_helpers::wasm_split(gpu, preload(preload_retune), fallible))]
pub fn gpu_retune(gpu: &mut GpuRun, built: &Training, spec: &Spec) -> Result<Result<(), SpecError>, Failed> {
    Ok(gpu.trainer.retune(built, &spec.training).map(|()| gpu.trainer.measure_as(spec)))
}

/// Loads the GPU backend's chunk, unless it is loaded (without chunks, its code is at hand).
pub async fn load_gpu() -> Result<(), Failed> {
    #[cfg(layerlab_split)]
    {
        let failed = |_| Failed::fetch("split_gpu.wasm");
        preload_open().await.map_err(failed)?;
        preload_run().await.map_err(failed)?;
        preload_record().await.map_err(failed)?;
        preload_finish().await.map_err(failed)?;
        preload_retune().await.map_err(failed)?;
    }
    Ok(())
}

/// The answer of a split point whose chunk is loaded: a GPU run exists only once
/// [`load_gpu`] loaded the GPU's chunk, so its calls always have their code.
pub fn loaded<T>(call: Option<Result<T, Failed>>) -> T {
    match call {
        Some(Ok(answer)) => answer,
        _ => unreachable!("a split point called before its chunk was loaded"),
    }
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
