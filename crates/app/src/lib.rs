//! LayerLab's page: a Leptos (client-side rendered) app built by Trunk. It owns the DOM and the
//! user's settings; all computation happens in the training worker, reached through
//! [`worker_link`] with the messages of `layerlab_protocol`.

pub mod browser;
pub mod compare;
pub mod components;
pub mod experiment;
pub mod fields;
pub mod options;
pub mod parts;
pub mod plots;
pub mod run;
pub mod saved;
pub mod share;
pub mod tree;
pub mod worker_link;

/// Mounts the app on the page's body: what the page's one wasm module (crates/web) runs when it
/// finds itself in a window.
pub fn mount() {
    leptos::mount::mount_to_body(components::App);
}
