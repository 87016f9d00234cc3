//! The WGSL files as a build with `bundled-shaders` embeds them (`src/shaders.rs`): each line
//! without its comment and indentation, and no line removed (`src/strip.rs`), so a shader
//! compiler's line numbers count the lines the sources have. Their comments are for people
//! reading the sources: carried, they were 4.6 KB of the page's wasm, gzipped (by hand, relaxed
//! build), when the page's module embedded the files.

use std::path::Path;

fn main() {
    let sources = Path::new("src/wgsl");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    println!("cargo::rerun-if-changed={}", sources.display());
    let entries = std::fs::read_dir(sources).expect("src/wgsl is there");
    for entry in entries {
        let path = entry.expect("src/wgsl can be listed").path();
        if path.extension().is_some_and(|e| e == "wgsl") {
            let text = std::fs::read_to_string(&path).expect("a WGSL file is UTF-8 text");
            let name = path.file_name().expect("a file has a name");
            std::fs::write(Path::new(&out).join(name), strip(&text)).expect("OUT_DIR is writable");
        }
    }
}

#[path = "src/strip.rs"]
mod strip;
use strip::strip;
