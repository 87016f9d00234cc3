//! `cargo xtask pack`: the `layerlab` npm package of `crates/js`, built by wasm-pack
//! (`--mode no-install`: it uses the project's pinned wasm-bindgen and binaryen's wasm-opt from
//! `.tools`, downloading nothing) with the browser build's size-first profile, into
//! `target/pkg/node` (`--target nodejs`) and `target/pkg/web` (`--target web`), each with its
//! `package.json` and TypeScript types, and beside them the example page (`examples/package`,
//! served from `target/pkg`). Publishing is not part of it.

use std::path::{Path, PathBuf};

use crate::tools::Tools;
use crate::{build, cmd};

/// The package's folders, `(node, web)`.
pub fn build(tools: &Tools, root: &Path) -> Result<(PathBuf, PathBuf), String> {
    let mut out = Vec::new();
    for (target, folder) in [("nodejs", "node"), ("web", "web")] {
        let dir = root.join("target/pkg").join(folder);
        let _ = std::fs::remove_dir_all(&dir);
        let mut build = tools.command("wasm-pack");
        build
            .current_dir(root)
            .args(["build", "crates/js", "--target", target, "--out-name", "layerlab", "--out-dir"])
            .arg(&dir)
            .args(["--mode", "no-install", "--profile", "wasm-release"]);
        cmd::run(&mut build)?;
        println!("the layerlab package ({target}) is in {}", dir.display());
        out.push(dir);
    }
    // The example page beside the web package, so that target/pkg serves it as is.
    let example = root.join("examples/package/index.html");
    std::fs::copy(&example, root.join("target/pkg/index.html")).map_err(|e| format!("{}: {e}", example.display()))?;
    let web = out.pop().expect("two targets");
    let node = out.pop().expect("two targets");
    Ok((node, web))
}

/// The web package built again with relaxed SIMD, as the page's worker is (`build.rs`), into
/// `target/pkg/web-relaxed`: the benchmark page measures both builds side by side.
pub fn web_relaxed(tools: &Tools, root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("target/pkg/web-relaxed");
    let _ = std::fs::remove_dir_all(&dir);
    let mut build = tools.command("wasm-pack");
    build
        .current_dir(root)
        .args(["build", "crates/js", "--target", "web", "--out-name", "layerlab", "--out-dir"])
        .arg(&dir)
        .args(["--mode", "no-install", "--profile", "wasm-release"])
        .env("CARGO_TARGET_DIR", build::relaxed_target(root))
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS", build::RELAXED_RUSTFLAGS);
    cmd::run(&mut build)?;
    Ok(dir)
}
