//! The page's end of the training worker: starts it, queues messages until it announces itself,
//! checks its protocol version, and turns its crashes into messages instead of silence.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use layerlab_protocol::{self as protocol, PROTOCOL_VERSION, WorkerInput, WorkerOutput};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Event, MessageEvent, Worker, WorkerOptions, WorkerType};

/// What the worker runs: the script that loaded the page's wasm module (`www/start.js`, which
/// Trunk copies beside index.html), which in a worker runs the module [`start`] posts it.
pub const WORKER_URL: &str = "./start.js";

/// The folder of the relaxed-SIMD build's glue, module and chunks, beside `start.js`
/// (xtask/src/build.rs); the plain build's are beside it.
pub const BUILD_RELAXED: &str = "relaxed/";
/// The folder of this build's glue and chunks, which the worker imports the glue from: the
/// module knows which build it is.
pub const BUILD: &str = if cfg!(target_feature = "relaxed-simd") { BUILD_RELAXED } else { "" };

/// How long the worker may take to load its wasm and say `Ready`.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// What the page does with what the worker says.
pub struct Events {
    /// Every message the worker sends, `Ready` included.
    pub on_output: Box<dyn Fn(WorkerOutput)>,
    /// The worker is unusable (crashed, did not start, wrong version); the text says why.
    pub on_failure: Box<dyn Fn(String)>,
}

/// A started worker. Cloning gives another handle to the same worker.
#[derive(Clone)]
pub struct WorkerLink {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    worker: Worker,
    ready: bool,
    failed: bool,
    queue: Vec<WorkerInput>,
}

impl std::fmt::Debug for WorkerLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.borrow();
        f.debug_struct("WorkerLink").field("ready", &inner.ready).field("queued", &inner.queue.len()).finish()
    }
}

/// Starts the worker at `url`.
pub fn start(url: &str, events: Events) -> Result<WorkerLink, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker =
        Worker::new_with_options(url, &options).map_err(|e| format!("could not start the training worker: {e:?}"))?;
    // The worker runs this page's own module: `www/start.js` there takes it as its first
    // message, so the browser neither downloads nor compiles it a second time, with the folder
    // of this build's glue and chunks ([`BUILD`]).
    let first = js_sys::Array::of2(&wasm_bindgen::module(), &BUILD.into());
    worker.post_message(&first).map_err(|e| format!("could not hand the training worker its module: {e:?}"))?;
    let link = WorkerLink {
        inner: Rc::new(RefCell::new(Inner { worker: worker.clone(), ready: false, failed: false, queue: Vec::new() })),
    };
    let events = Rc::new(events);

    let on_message = {
        let (link, events) = (link.clone(), events.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match protocol::output_from_js(event.data()) {
                Ok(WorkerOutput::Ready { protocol }) if protocol != PROTOCOL_VERSION => {
                    link.fail(&events, format!(
                        "The training worker speaks protocol {protocol}, this page {PROTOCOL_VERSION}: reload the page to get matching versions."
                    ));
                }
                Ok(output) => {
                    if matches!(output, WorkerOutput::Ready { .. }) {
                        link.flush();
                    }
                    (events.on_output)(output);
                }
                Err(message) => {
                    (events.on_failure)(format!("The training worker sent something unreadable: {message}"));
                }
            }
        })
    };
    let on_error = {
        let (link, events) = (link.clone(), events.clone());
        // A script error gives an `ErrorEvent` with a message; a failed load, a plain `Event`.
        Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            event.prevent_default();
            let detail = js_sys::Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "its script could not be loaded or run".to_string());
            link.fail(&events, format!("The training worker stopped with an error: {detail}. Your experiment is kept; reload the page to restart it."));
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The handlers live as long as the page does.
    on_message.forget();
    on_error.forget();

    let watch = link.clone();
    leptos::prelude::set_timeout(
        move || {
            let ready = watch.inner.borrow().ready;
            if !ready {
                watch.fail(&events, format!(
                    "The training worker did not start within {} s. Check that {WORKER_URL} loads, then reload the page.",
                    START_TIMEOUT.as_secs()
                ));
            }
        },
        START_TIMEOUT,
    );
    Ok(link)
}

impl WorkerLink {
    /// Stops the worker at once; later messages to it are dropped.
    pub fn terminate(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.worker.terminate();
        inner.failed = true;
        inner.queue.clear();
    }

    /// Sends a message now if the worker is ready, else once it is.
    pub fn send(&self, input: WorkerInput) {
        let mut inner = self.inner.borrow_mut();
        if inner.failed {
            return;
        }
        if inner.ready {
            post(&inner.worker, &input);
        } else {
            inner.queue.push(input);
        }
    }

    fn flush(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.ready = true;
        for input in std::mem::take(&mut inner.queue) {
            post(&inner.worker, &input);
        }
    }

    fn fail(&self, events: &Events, message: String) {
        {
            let mut inner = self.inner.borrow_mut();
            if inner.failed {
                return;
            }
            inner.failed = true;
            inner.queue.clear();
        }
        (events.on_failure)(message);
    }
}

fn post(worker: &Worker, input: &WorkerInput) {
    let sent = protocol::input_to_js(input).map_err(wasm_bindgen::JsValue::from).and_then(|v| worker.post_message(&v));
    if let Err(error) = sent {
        web_sys::console::error_2(&"LayerLab could not message the worker:".into(), &error);
    }
}
