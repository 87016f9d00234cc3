//! `cargo xtask pack`: the `layerlab` npm package of `crates/js`, built as wasm-pack builds one
//! (cargo for wasm32 with the browser build's size-first profile, then wasm-bindgen with the
//! project's pinned CLI): `target/pkg/node` (`--target nodejs`) and `target/pkg/web`
//! (`--target web`), each with its `package.json` and TypeScript types, and beside them the
//! example page (`examples/package`, served from `target/pkg`). Publishing is not part of it.

use std::path::{Path, PathBuf};

use crate::cmd;
use crate::test::cargo;
use crate::tools::Tools;

/// The package's folders, `(node, web)`.
pub fn build(tools: &Tools, root: &Path) -> Result<(PathBuf, PathBuf), String> {
    cmd::run(cargo(tools, root).args([
        "build",
        "-p",
        "layerlab-js",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = root.join("target/wasm32-unknown-unknown/wasm-release/layerlab.wasm");
    let version = env!("CARGO_PKG_VERSION");
    let mut out = Vec::new();
    for (target, folder, main) in [("nodejs", "node", "layerlab.js"), ("web", "web", "layerlab.js")] {
        let dir = root.join("target/pkg").join(folder);
        let _ = std::fs::remove_dir_all(&dir);
        cmd::run(tools.command("wasm-bindgen").args(["--target", target, "--out-dir"]).arg(&dir).arg(&wasm))?;
        let module = if target == "web" { r#""type": "module","# } else { "" };
        let package = format!(
            r#"{{
  "name": "layerlab",
  "version": "{version}",
  "description": "Train any LayerLab experiment (a link or a spec) from JavaScript: the LayerLab engine compiled to WebAssembly.",
  "license": "MIT OR Apache-2.0",{module}
  "main": "{main}",
  "types": "layerlab.d.ts",
  "files": ["layerlab_bg.wasm", "layerlab.js", "layerlab.d.ts", "layerlab_bg.wasm.d.ts"]
}}
"#
        );
        std::fs::write(dir.join("package.json"), package).map_err(|e| format!("{}: {e}", dir.display()))?;
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
