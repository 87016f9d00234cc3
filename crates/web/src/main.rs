//! The page's one wasm module. The page (crates/app) and the training worker (crates/worker) share
//! most of their code: the spec, the messages, serde, the standard library. Linked into one module,
//! the browser downloads that code once (ARCHITECTURE.md has the sizes). `www/start.js`
//! loads it in the page; the page posts the compiled module to the worker it starts, where
//! `start.js` runs it too; `main` tells the two apart by whether there is a window.

fn main() {
    // A debug build (`trunk serve`) prints a panic's message to the console. The release build
    // (xtask/src/build.rs: `-C panic=immediate-abort`) traps at once and never calls the hook.
    console_error_panic_hook::set_once();
    if web_sys::window().is_some() {
        layerlab_app::mount();
    } else {
        layerlab_worker::web::start();
    }
}
