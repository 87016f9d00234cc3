//! The Web Worker binary. Trunk builds it (`data-type="worker"` in index.html) and the page
//! starts it as `./worker_loader.js`. It announces itself with `Ready`, then answers each
//! message with [`layerlab_worker::handler::handle`].

use layerlab_worker::handler;
use layerlab_worker::protocol::{self, PROTOCOL_VERSION, WorkerInput, WorkerOutput};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let scope = reply_to.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let output = match protocol::from_js::<WorkerInput>(event.data()) {
                Ok(input) => handler::handle(input).await,
                Err(message) => WorkerOutput::Error { message },
            };
            post(&scope, &output);
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; its handler must too.
    on_message.forget();
    post(&scope, &WorkerOutput::Ready { protocol: PROTOCOL_VERSION });
}

fn post(scope: &DedicatedWorkerGlobalScope, output: &WorkerOutput) {
    let sent =
        protocol::to_js(output).map_err(wasm_bindgen::JsValue::from).and_then(|value| scope.post_message(&value));
    if let Err(error) = sent {
        web_sys::console::error_2(&"LayerLab worker could not reply:".into(), &error);
    }
}
