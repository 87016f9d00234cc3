//! The page, the worker and index.html must agree on names that no compiler checks: the binary
//! each Trunk link builds, and the URL the page starts the worker from.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// The `<link data-trunk rel="rust" …>` tags of index.html, each as its attribute text.
fn rust_links(html: &str) -> Vec<String> {
    html.split("<link")
        .skip(1)
        .map(|tag| tag.split('>').next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|tag| tag.contains("rel=\"rust\""))
        .collect()
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    tag[start..].split('"').next()
}

#[test]
fn every_trunk_link_builds_a_binary_its_crate_declares() {
    let html = std::fs::read_to_string(root().join("index.html")).unwrap();
    let links = rust_links(&html);
    assert_eq!(links.len(), 2, "index.html builds the page and the worker: {links:?}");
    for link in &links {
        let href = attribute(link, "href").expect("each rust link names its crate");
        let bin = attribute(link, "data-bin").expect("each rust link names its binary");
        let manifest = std::fs::read_to_string(root().join(href).join("Cargo.toml")).unwrap();
        assert!(manifest.contains(&format!("name = \"{bin}\"")), "{href}/Cargo.toml declares bin {bin}");
        assert_eq!(attribute(link, "data-cargo-profile-release"), Some("wasm-release"), "{link}");
    }
}

#[test]
fn the_page_starts_the_worker_where_trunk_puts_its_loader() {
    let html = std::fs::read_to_string(root().join("index.html")).unwrap();
    let worker = rust_links(&html).into_iter().find(|l| l.contains("data-type=\"worker\"")).expect("a worker link");
    assert!(worker.contains("data-loader-shim"), "Trunk writes a loader only with data-loader-shim");
    let bin = attribute(&worker, "data-bin").unwrap();
    assert_eq!(layerlab_app::worker_link::WORKER_URL, format!("./{bin}_loader.js"));
}
