//! The page, the worker and index.html must agree on names that no compiler checks: the binary
//! Trunk builds, the script that loads it, and the URL the page starts the worker from.

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
fn the_one_trunk_link_builds_the_binary_its_crate_declares() {
    let html = std::fs::read_to_string(root().join("index.html")).unwrap();
    let links = rust_links(&html);
    assert_eq!(links.len(), 1, "index.html builds one module, the page's and the worker's: {links:?}");
    let link = &links[0];
    let href = attribute(link, "href").expect("the rust link names its crate");
    let bin = attribute(link, "data-bin").expect("the rust link names its binary");
    let manifest = std::fs::read_to_string(root().join(href).join("Cargo.toml")).unwrap();
    assert!(manifest.contains(&format!("name = \"{bin}\"")), "{href}/Cargo.toml declares bin {bin}");
    assert_eq!(attribute(link, "data-cargo-profile-release"), Some("wasm-release"), "{link}");
}

#[test]
fn the_page_and_its_worker_run_the_module_through_the_script_trunk_copies() {
    let html = std::fs::read_to_string(root().join("index.html")).unwrap();
    let link = rust_links(&html).into_iter().next().expect("a rust link");
    // ES-module glue, start.js (a module script) in the place of Trunk's own script, file
    // names without hashes.
    assert!(link.contains("data-bindgen-target=\"web\""), "{link}");
    let trunk = std::fs::read_to_string(root().join("Trunk.toml")).unwrap();
    for setting in
        [r#"pattern_script = "<script type=\"module\" src=\"{base}start.js\"></script>""#, "filehash = false"]
    {
        assert!(trunk.lines().any(|line| line == setting), "Trunk.toml says `{setting}`");
    }
    let bin = attribute(&link, "data-bin").unwrap();
    let start = "start.js";
    assert_eq!(layerlab_app::worker_link::WORKER_URL, format!("./{start}"));
    assert!(
        html.contains(&format!("<link data-trunk rel=\"copy-file\" href=\"www/{start}\" />")),
        "index.html copies it"
    );
    // It imports the glue `<bin>.js` (Trunk's name, and the split's) of the relaxed build's
    // folder (xtask/src/build.rs's, which the module itself names to its worker) or of the plain
    // build's, and runs `<bin>_bg.wasm` beside it; the worker runs the page's module with the
    // glue of the folder the page names.
    let script = std::fs::read_to_string(root().join("www").join(start)).unwrap();
    let relaxed = layerlab_app::worker_link::BUILD_RELAXED;
    for needle in [
        format!("const GLUE = '{bin}.js';"),
        format!("const WASM = '{bin}_bg.wasm';"),
        "const glue = await import(`./${folder}${GLUE}`);".to_string(),
        "const plain = () => run('', `./${WASM}`);".to_string(),
        format!("if (WebAssembly.validate(RELAXED_SIMD)) run('{relaxed}', `./{relaxed}${{WASM}}`).catch(plain);"),
        "const [module, folder] = event.data;".to_string(),
    ] {
        assert!(script.contains(&needle), "www/{start} has `{needle}`");
    }
    let build = std::fs::read_to_string(root().join("xtask/src/build.rs")).unwrap();
    assert!(build.contains(&format!("const BIN: &str = \"{bin}\";")), "xtask builds {bin} again with relaxed SIMD");
    let folder = relaxed.trim_end_matches('/');
    assert!(build.contains(&format!("const RELAXED_FOLDER: &str = \"{folder}\";")), "into {relaxed}");
    let split = std::fs::read_to_string(root().join("xtask/src/split.rs")).unwrap();
    assert!(split.contains(&format!("const GLUE: &str = \"{bin}.js\";")), "the split's glue is {bin}.js");
}

/// The `RELAXED_SIMD` array of a script: its lines from `[` to `]`, trimmed, blank ones left out.
fn relaxed_probe(script: &str) -> Vec<&str> {
    let start = script.find("const RELAXED_SIMD = new Uint8Array([").expect("the probe module");
    let end = start + script[start..].find("]);").expect("its end");
    script[start..end].lines().map(str::trim).filter(|line| !line.is_empty()).collect()
}

#[test]
fn the_page_worker_and_the_package_probe_for_relaxed_simd_with_the_same_module() {
    let loader = std::fs::read_to_string(root().join("www/start.js")).unwrap();
    let package = std::fs::read_to_string(root().join("crates/js/index.js")).unwrap();
    assert_eq!(relaxed_probe(&loader), relaxed_probe(&package));
    // The bytes themselves are checked by the browser tests: Chromium loads each relaxed build.
}
