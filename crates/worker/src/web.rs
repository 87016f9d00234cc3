//! The worker in the browser: [`start`] is what the page's one wasm module (crates/web) runs
//! when it finds itself in a Web Worker, which the page starts as `./start.js`. It announces
//! itself with `Ready`, answers each message through [`crate::handler`] (once the data file a
//! `load` needs is fetched: `data_files`), and while a run plays, trains in ticks of about 20 ms
//! scheduled through a `MessageChannel`: between two ticks the page's messages (pause, a new
//! learning rate) are read, and unlike `setTimeout` no 4 ms clamp idles the worker. A run slowed
//! down by the page's speed limit waits for its next step on a timer instead.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::data_files;
use crate::handler;
use crate::protocol::{self, PROTOCOL_VERSION, WorkerInput, WorkerOutput};
use crate::session::Host;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, MessagePort};

thread_local! {
    static HOST: RefCell<Host> = RefCell::default();
    /// Whether a tick is already scheduled (one at a time).
    static TICK_PENDING: Cell<bool> = const { Cell::new(false) };
}

/// Answers the page from this worker for as long as the page lives: sets the message handlers
/// and announces `Ready`.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let channel = MessageChannel::new().expect("a worker can make a MessageChannel");
    let ticker = channel.port2();

    let on_tick = {
        let (scope, ticker) = (scope.clone(), ticker.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
            TICK_PENDING.with(|p| p.set(false));
            let replies = HOST.with(|host| host.borrow_mut().tick(&mut || now(&scope)));
            post_all(&scope, &replies);
            read_back(&scope, &ticker);
            schedule(&ticker);
        })
    };
    channel.port1().set_onmessage(Some(on_tick.as_ref().unchecked_ref()));

    let handler: data_files::Handler = {
        let scope = scope.clone();
        Rc::new(move |input| handle(&scope, &ticker, input))
    };
    let reply_to = scope.clone();
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            match protocol::input_from_js(&event.data()) {
                Ok(input) => data_files::deliver(&reply_to, input, Rc::clone(&handler)),
                Err(message) => post(&reply_to, &WorkerOutput::Error { message }),
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; its handlers must too.
    on_message.forget();
    on_tick.forget();
    post(&scope, &WorkerOutput::Ready { protocol: PROTOCOL_VERSION });
}

/// Answers one message: at once from the host's state, or (backend detection, ping) after
/// waiting on the browser.
fn handle(scope: &DedicatedWorkerGlobalScope, ticker: &MessagePort, input: WorkerInput) {
    let at = now(scope);
    match HOST.with(|host| handler::handle_now(&mut host.borrow_mut(), input, at)) {
        Ok(replies) => {
            post_all(scope, &replies);
            read_back(scope, ticker);
            schedule(ticker);
        }
        Err(input) => {
            let (scope, ticker) = (scope.clone(), ticker.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let detect = matches!(input, WorkerInput::DetectBackend { .. });
                let (replies, gpu) = handler::handle(input).await;
                post_all(&scope, &replies);
                // A detection settles the device: WebGPU's, or none (the CPU).
                let report = replies.iter().find_map(|r| match r {
                    WorkerOutput::Backend { report, .. } => Some(report.clone()),
                    _ => None,
                });
                let moved = match (gpu, report) {
                    (Some(Ok(gpu)), Some(report)) => HOST.with(|host| host.borrow_mut().use_gpu(gpu, report)),
                    _ if detect => {
                        HOST.with(|host| host.borrow_mut().drop_gpu());
                        Vec::new()
                    }
                    _ => Vec::new(),
                };
                post_all(&scope, &moved);
                schedule(&ticker);
            });
        }
    }
}

/// Starts the read-back the host asked for, if any: when it arrives, the host takes it, its
/// replies are posted, and ticks go on.
fn read_back(scope: &DedicatedWorkerGlobalScope, ticker: &MessagePort) {
    let Some(job) = HOST.with(|host| host.borrow_mut().take_read()) else { return };
    let (scope, ticker) = (scope.clone(), ticker.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let history = job.history.await;
        let mut state = Vec::with_capacity(job.state.len());
        for reading in job.state {
            state.push(reading.await);
        }
        let at = now(&scope);
        let replies = HOST.with(|host| host.borrow_mut().finish_read(job.run, history, state, at - job.started, at));
        post_all(&scope, &replies);
        schedule(&ticker);
    });
}

/// Schedules the next tick if the run plays, no read-back is in flight, and none is pending: at
/// once, or when the speed limit allows the next step (a timer, so a slowed-down run idles).
fn schedule(ticker: &MessagePort) {
    let (playing, wait) = HOST.with(|host| {
        let host = host.borrow();
        (host.playing() && !host.busy(), host.wait_ms())
    });
    if !playing || TICK_PENDING.with(|p| p.replace(true)) {
        return;
    }
    if wait <= 0.0 {
        let _ = ticker.post_message(&wasm_bindgen::JsValue::NULL);
        return;
    }
    let ticker = ticker.clone();
    let later = Closure::once_into_js(move || {
        let _ = ticker.post_message(&wasm_bindgen::JsValue::NULL);
    });
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let millis = wait.ceil().min(f64::from(i32::MAX)) as i32;
    if scope.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), millis).is_err() {
        // No timer: tick now rather than never.
        TICK_PENDING.with(|p| p.set(false));
    }
}

fn now(scope: &DedicatedWorkerGlobalScope) -> f64 {
    scope.performance().map_or_else(js_sys::Date::now, |p| p.now())
}

fn post_all(scope: &DedicatedWorkerGlobalScope, outputs: &[WorkerOutput]) {
    for output in outputs {
        post(scope, output);
    }
}

pub(crate) fn post(scope: &DedicatedWorkerGlobalScope, output: &WorkerOutput) {
    let sent = protocol::output_to_js(output)
        .map_err(wasm_bindgen::JsValue::from)
        .and_then(|value| scope.post_message(&value));
    if let Err(error) = sent {
        web_sys::console::error_2(&"LayerLab worker could not reply:".into(), &error);
    }
}
