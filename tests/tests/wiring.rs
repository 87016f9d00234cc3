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
fn the_page_starts_the_worker_through_the_loader_trunk_copies_and_it_loads_the_worker_binary() {
    let html = std::fs::read_to_string(root().join("index.html")).unwrap();
    let worker = rust_links(&html).into_iter().find(|l| l.contains("data-type=\"worker\"")).expect("a worker link");
    assert!(!worker.contains("data-loader-shim"), "Trunk's own loader would overwrite www/worker_loader.js");
    let bin = attribute(&worker, "data-bin").unwrap();
    let loader = "worker_loader.js";
    assert_eq!(layerlab_app::worker_link::WORKER_URL, format!("./{loader}"));
    assert!(
        html.contains(&format!("<link data-trunk rel=\"copy-file\" href=\"www/{loader}\" />")),
        "index.html copies it"
    );
    // The loader loads `<bin>.js` and `<bin>_bg.wasm` (Trunk's names) or the relaxed-SIMD pair
    // `<bin>_relaxed…` (xtask/src/build.rs's names).
    let script = std::fs::read_to_string(root().join("www").join(loader)).unwrap();
    for needle in [
        format!("let build = WebAssembly.validate(RELAXED_SIMD) ? '{bin}_relaxed' : '{bin}';"),
        "importScripts(`./${build}.js`);".to_string(),
        format!("importScripts('./{bin}.js');"),
        "wasm_bindgen(`./${build}_bg.wasm`);".to_string(),
    ] {
        assert!(script.contains(&needle), "www/{loader} has `{needle}`");
    }
    let build = std::fs::read_to_string(root().join("xtask/src/build.rs")).unwrap();
    assert!(build.contains(&format!("--out-name={bin}_relaxed")), "xtask names the relaxed build {bin}_relaxed");
}

/// The `RELAXED_SIMD` array of a script: the text from its `[` to its `]`.
fn relaxed_probe(script: &str) -> &str {
    let start = script.find("const RELAXED_SIMD = new Uint8Array([").expect("the probe module");
    let end = start + script[start..].find("]);").expect("its end");
    &script[start..end]
}

#[test]
fn the_page_worker_and_the_package_probe_for_relaxed_simd_with_the_same_module() {
    let loader = std::fs::read_to_string(root().join("www/worker_loader.js")).unwrap();
    let package = std::fs::read_to_string(root().join("crates/js/index.js")).unwrap();
    assert_eq!(relaxed_probe(&loader), relaxed_probe(&package));
    // The bytes themselves are checked by the browser tests: Chromium loads each relaxed build.
}
