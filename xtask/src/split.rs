//! The page's module as the browser gets it: split at its split points (the worker's
//! `chunks.rs`) into the main module and the chunks fetched on first use, each made ready for
//! the browser as Trunk makes a module (wasm-bindgen, then wasm-opt; terser for the JavaScript).
//!
//! The splitter is `wasm_split_cli_support`, which cargo-leptos runs for Leptos's lazy code. It
//! reads the module as the linker wrote it (built with `--emit-relocs`, so the relocations say
//! which code and data each function reaches) and writes the main module, which imports each
//! split point from its loader `__wasm_split.js`, one module per split point, and one per piece
//! of code that several share. wasm-bindgen then runs on the main module alone (`--target
//! web`: the loader imports the glue as an ES module; `--keep-lld-exports`: the chunks import
//! the main module's function table), and wasm-opt on each module after that (before, it would
//! break the relocations the splitter reads).

use std::path::{Path, PathBuf};

use crate::cmd;
use crate::tools::Tools;

/// The glue's file name, which the loader imports `initSync` from.
const GLUE: &str = "layerlab-web.js";
/// The loader's file name, which the main module imports the split points from. Written last,
/// so a folder with a loader holds a whole build.
pub const LOADER: &str = "__wasm_split.js";

/// The wasm features the modules use, for wasm-opt: 128-bit SIMD (and relaxed SIMD in the
/// relaxed build) beside those Rust's wasm target enables by default. The main module says
/// which it uses in a section of its own; the chunks do not.
fn features(relaxed: bool) -> Vec<&'static str> {
    let mut features = vec![
        "--enable-simd",
        "--enable-bulk-memory",
        "--enable-nontrapping-float-to-int",
        "--enable-sign-ext",
        "--enable-mutable-globals",
        "--enable-reference-types",
        "--enable-multivalue",
    ];
    if relaxed {
        features.push("--enable-relaxed-simd");
    }
    features
}

/// Splits the linked module `linked` and writes into `out` the glue (`layerlab-web.js`), the
/// main module (`layerlab-web_bg.wasm`), the chunks and the loader, through `work`, a folder
/// of its own for the in-between files.
pub fn split(tools: &Tools, linked: &Path, work: &Path, out: &Path, relaxed: bool) -> Result<(), String> {
    let bin = GLUE.trim_end_matches(".js");
    let _ = std::fs::remove_dir_all(work);
    let parts = work.join("parts");
    let main = parts.join(format!("{bin}.wasm"));
    std::fs::create_dir_all(&parts).map_err(|e| format!("{}: {e}", parts.display()))?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let input = std::fs::read(linked).map_err(|e| format!("{}: {e}", linked.display()))?;
    let (main_module, link_name) = (format!("./{GLUE}"), format!("./{LOADER}"));
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = &parts;
    options.main_out_path = &main;
    options.link_name = &link_name;
    options.main_module = &main_module;
    wasm_split_cli_support::transform(options).map_err(|e| {
        format!("could not split {} at its split points: {e:#} (was it linked with --emit-relocs?)", linked.display())
    })?;

    let bindgen = work.join("bindgen");
    let mut wasm_bindgen = tools.command("wasm-bindgen");
    wasm_bindgen
        .args(["--target=web", "--keep-lld-exports", &format!("--out-name={bin}"), "--no-typescript"])
        .arg(format!("--out-dir={}", bindgen.display()))
        .arg(&main);
    cmd::run(&mut wasm_bindgen)?;
    minify(tools, &bindgen.join(GLUE), &out.join(GLUE))?;
    optimize(tools, &bindgen.join(format!("{bin}_bg.wasm")), &out.join(format!("{bin}_bg.wasm")), relaxed)?;
    for chunk in wasm_files(&parts)?.into_iter().filter(|p| *p != main) {
        optimize(tools, &chunk, &out.join(chunk.file_name().unwrap_or_default()), relaxed)?;
    }
    minify(tools, &parts.join(LOADER), &out.join(LOADER))
}

/// wasm-opt at Trunk's level for the page (`-Oz`), from `from` into `to`.
fn optimize(tools: &Tools, from: &Path, to: &Path, relaxed: bool) -> Result<(), String> {
    let mut wasm_opt = tools.command("wasm-opt");
    wasm_opt.arg("-Oz").args(features(relaxed)).arg(from).arg("--output").arg(to);
    cmd::run(&mut wasm_opt)
}

/// terser on the ES module `from`, into `to` (the glue: 13.1 → 10.6 KB gzipped, by hand).
pub fn minify(tools: &Tools, from: &Path, to: &Path) -> Result<(), String> {
    let mut terser = tools.command("terser");
    terser.arg(from).args(["--module", "--compress", "--mangle", "--output"]).arg(to);
    cmd::run(&mut terser)
}

fn wasm_files(folder: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(folder).map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
    Ok(entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "wasm")).collect())
}
