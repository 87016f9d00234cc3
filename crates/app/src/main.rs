//! The page's entry point: it only mounts the app.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(layerlab_app::components::App);
}
