//! The files the engine reads beside its code, served beside the worker as `data/`: those a
//! spec's dataset is made from (`assets/data/`) and the PyTorch export's layer library, each
//! fetched when first needed. The worker is built without the engine's `bundled-data` feature,
//! so the page's download stays ~127 KB smaller and a run on generated data never fetches them.
//! A `load` or an `export_torch` whose file is not at hand waits for it; messages that arrive
//! meanwhile wait behind it, in order.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::protocol::{Problem, WorkerInput, WorkerOutput};
use layerlab_engine::data::{self, DataFile};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, Response};

/// What handles an input once its data is at hand.
pub(crate) type Handler = Rc<dyn Fn(WorkerInput)>;

thread_local! {
    /// While a file is being fetched: the messages that came after the `load` waiting for it.
    static WAITING: RefCell<Option<VecDeque<WorkerInput>>> = const { RefCell::new(None) };
}

/// Hands `input` to `handle` now, or once the file it needs has arrived: a `load` of a dataset
/// or an `export_torch` whose file is not at hand fetches it first, and while it is fetched
/// every input waits its turn. If the fetch fails the input is answered with the reason: a
/// `load` as an invalid spec is (the run in place, if any, is kept), an export as a failed one.
pub(crate) fn deliver(scope: &DedicatedWorkerGlobalScope, input: WorkerInput, handle: Handler) {
    let input = WAITING.with(move |waiting| match waiting.borrow_mut().as_mut() {
        Some(queue) => {
            queue.push_back(input);
            None
        }
        None => Some(input),
    });
    let Some(input) = input else { return };
    let Some(file) = missing_file(&input) else { return handle(input) };
    WAITING.with(|waiting| *waiting.borrow_mut() = Some(VecDeque::new()));
    let scope = scope.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let fetched = fetch(&scope, file).await;
        match fetched.and_then(|bytes| data::supply(file, bytes).map_err(|e| e.message)) {
            Ok(()) => handle(input),
            Err(message) if file == DataFile::TorchLibrary => {
                crate::web::post(&scope, &WorkerOutput::ExportFailed { message });
            }
            Err(message) => {
                let problem = Problem { path: "data.dataset".into(), message };
                crate::web::post(&scope, &WorkerOutput::Invalid { problems: vec![problem] });
            }
        }
        let waiting = WAITING.with(|waiting| waiting.borrow_mut().take()).unwrap_or_default();
        for next in waiting {
            deliver(&scope, next, Rc::clone(&handle));
        }
    });
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

/// The bytes of `data/<file>`, relative to the worker's script, or why not.
async fn fetch(scope: &DedicatedWorkerGlobalScope, file: DataFile) -> Result<Vec<u8>, String> {
    let url = format!("data/{}", file.name());
    let failed = |why: String| {
        format!("could not fetch {url}, which {} ({why}): check the connection and try again", file.needed_for())
    };
    let response = JsFuture::from(scope.fetch_with_str(&url)).await.map_err(|e| failed(said(&e)))?;
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
