//! What the worker fetches beside its code, when first needed: the files the engine reads,
//! served as `data/` (those a spec's dataset is made from, `assets/data/`, and the PyTorch
//! export's layer library), and in the page's build the code chunks of [`chunks`]. The worker
//! is built without the engine's `bundled-data` feature, so the page's download stays ~127 KB
//! smaller and a run on generated data never fetches them. A `load` or an `export_torch` whose
//! file or code is not at hand waits for it; messages that arrive meanwhile wait behind it, in
//! order. The GPU backend's WGSL files (`wgsl/`) are fetched here too, by backend detection
//! before it opens a device ([`fetch_kernels`]).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::chunks;
use crate::protocol::{Problem, WorkerInput, WorkerOutput};
use js_sys::{Function, Promise, Reflect};
use layerlab_engine::data::{self, DataFile};
use layerlab_gpu::shaders;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, Response};

/// What handles an input once its data is at hand.
pub(crate) type Handler = Rc<dyn Fn(WorkerInput)>;

thread_local! {
    /// While a file is being fetched: the messages that came after the `load` waiting for it.
    static WAITING: RefCell<Option<VecDeque<WorkerInput>>> = const { RefCell::new(None) };
}

/// Hands `input` to `handle` now, or once what it needs has arrived: an `export_torch` loads
/// the export's code chunk first (`chunks`, in the page's build), and a `load` of a dataset or
/// an export whose file is not at hand fetches it; while they are fetched every input waits
/// its turn. If a fetch fails the input is answered with the reason: a `load` as an invalid
/// spec is (the run in place, if any, is kept), an export as a failed one.
pub(crate) fn deliver(scope: &DedicatedWorkerGlobalScope, input: WorkerInput, handle: Handler) {
    let input = WAITING.with(move |waiting| match waiting.borrow_mut().as_mut() {
        Some(queue) => {
            queue.push_back(input);
            None
        }
        None => Some(input),
    });
    let Some(input) = input else { return };
    let file = missing_file(&input);
    let code = matches!(input, WorkerInput::ExportTorch);
    if file.is_none() && !code {
        return handle(input);
    }
    WAITING.with(|waiting| *waiting.borrow_mut() = Some(VecDeque::new()));
    let scope = scope.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match prepare(code, file).await {
            Ok(()) => handle(input),
            Err(message) => crate::web::post(&scope, &failure(&input, message)),
        }
        let waiting = WAITING.with(|waiting| waiting.borrow_mut().take()).unwrap_or_default();
        for next in waiting {
            deliver(&scope, next, Rc::clone(&handle));
        }
    });
}

/// Loads the export's code chunk (`code`) and fetches and supplies `file`, or says why not.
async fn prepare(code: bool, file: Option<DataFile>) -> Result<(), String> {
    if code {
        chunks::load_export().await.map_err(|chunks::Failed(message)| message)?;
    }
    if let Some(file) = file {
        let bytes = fetch(&format!("data/{}", file.name()), file.needed_for()).await?;
        data::supply(file, bytes).map_err(|e| e.message)?;
    }
    Ok(())
}

/// The answer to `input` when what it needs could not be had.
fn failure(input: &WorkerInput, message: String) -> WorkerOutput {
    match input {
        WorkerInput::ExportTorch => WorkerOutput::ExportFailed { message },
        _ => WorkerOutput::Invalid { problems: vec![Problem { path: "data.dataset".into(), message }] },
    }
}

/// The file a `load` or an export needs that is not at hand yet.
fn missing_file(input: &WorkerInput) -> Option<DataFile> {
    let needed = match input {
        WorkerInput::Load { spec } => DataFile::needed_by(&spec.data.dataset),
        WorkerInput::ExportTorch => Some(DataFile::TorchLibrary),
        _ => None,
    };
    needed.filter(|file| !data::is_available(*file))
}

/// Fetches the WGSL files the GPU backend lacks (`wgsl/<name>.wgsl`, all at once) and supplies
/// them, before it opens a device: a build without `bundled-shaders` carries none, so a machine
/// that trains on the CPU never downloads them. The first failure, as a sentence.
pub(crate) async fn fetch_kernels() -> Result<(), String> {
    let started: Vec<(&str, String, Result<JsFuture, String>)> = shaders::missing()
        .into_iter()
        .map(|name| {
            let url = format!("wgsl/{name}.wgsl");
            let promise = start_fetch(&url);
            (name, url, promise)
        })
        .collect();
    for (name, url, promise) in started {
        let bytes = bytes_of(&url, promise, "training on the GPU needs").await?;
        shaders::supply(name, &bytes)?;
    }
    Ok(())
}

/// The bytes at `url`, relative to the worker's script, or why not; `needed_for` completes
/// "which …" in the message.
async fn fetch(url: &str, needed_for: &str) -> Result<Vec<u8>, String> {
    bytes_of(url, start_fetch(url), needed_for).await
}

/// `fetch(url)` started on this context's global (a worker's, or a window's in tests), its
/// answer already handled: a fetch never awaited (after an earlier one failed) leaves no
/// unhandled rejection behind.
fn start_fetch(url: &str) -> Result<JsFuture, String> {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| "this context has no fetch".to_string())?;
    let promise = fetch.call1(&global, &url.into()).map_err(|e| said(&e))?;
    let promise: Promise = promise.dyn_into().map_err(|_| "fetch gave no promise".to_string())?;
    Ok(JsFuture::from(promise))
}

/// The body of the fetch of `url` that `answer` awaits, or why not.
async fn bytes_of(url: &str, answer: Result<JsFuture, String>, needed_for: &str) -> Result<Vec<u8>, String> {
    let failed =
        |why: String| format!("could not fetch {url}, which {needed_for} ({why}): check the connection and try again");
    let response = answer.map_err(failed)?.await.map_err(|e| failed(said(&e)))?;
    let response: Response = response.unchecked_into();
    if !response.ok() {
        return Err(failed(format!("the server answered {} {}", response.status(), response.status_text())));
    }
    let body = response.array_buffer().map_err(|e| failed(said(&e)))?;
    let buffer = JsFuture::from(body).await.map_err(|e| failed(said(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn said(error: &JsValue) -> String {
    error.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{error:?}"), |e| String::from(e.message()))
}
