//! The page's one wasm module. The page (crates/app) and the training worker (crates/worker) share
//! most of their code: the spec, the messages, serde, the standard library. Linked into one module,
//! the browser downloads that code once (the page and the worker load the same file), ~90 KB
//! gzipped less than two modules. `www/start.js` loads it in the page and again in the worker it
//! starts; `main` tells the two apart by whether there is a window.

fn main() {
    console_error_panic_hook::set_once();
    if web_sys::window().is_some() {
        layerlab_app::mount();
    } else {
        layerlab_worker::web::start();
    }
}
