//! The page mounted in headless Chromium by wasm-bindgen-test. The test server has no worker
//! script, which is how a broken deployment looks: the page must say so instead of hanging.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let millis = duration.as_millis() as i32;
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn text_of(selector: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    document.query_selector(selector).ok()??.text_content()
}

#[wasm_bindgen_test]
async fn the_shell_mounts_and_reports_a_worker_that_cannot_load() {
    leptos::mount::mount_to_body(layerlab_app::components::App);
    for heading in ["#data-heading", "#architecture-heading", "#output-heading"] {
        assert!(text_of(heading).is_some(), "{heading} is on the page");
    }
    let mut status = String::new();
    for _ in 0..100 {
        status = text_of("#worker-status").unwrap_or_default();
        if status.starts_with("stopped:") {
            break;
        }
        sleep(Duration::from_millis(50)).await;
    }
    assert!(status.starts_with("stopped: The training worker stopped"), "worker status: {status}");
    assert!(status.contains("reload"), "the message says what to do: {status}");
}
