//! `cargo xtask pack`: the `layerlab` npm package of `crates/js`, built by wasm-pack
//! (`--mode no-install`: it uses the project's pinned wasm-bindgen and binaryen's wasm-opt from
//! `.tools`, downloading nothing) with the browser build's size-first profile, into
//! `target/pkg/node` (`--target nodejs`) and `target/pkg/web` (`--target web`), each with its
//! `package.json` and TypeScript types, and beside them the example page (`examples/package`,
//! served from `target/pkg`). The web package carries the engine twice, as the page's worker
//! does: `layerlab_bg.wasm` and `layerlab_relaxed_bg.wasm` (built with relaxed SIMD, through
//! `target/pkg/web-relaxed`), which share `layerlab.js`; its entry, `crates/js/index.js`, loads
//! the one the browser can run. Publishing is not part of it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::tools::Tools;
use crate::{build, cmd};

/// The package's folders once built in this run of the xtask.
static BUILT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();

/// The package's folders, `(node, web)`, built once per run of the xtask: `cargo xtask test`'s
/// package and end-to-end steps both use it, and the second build, with cargo's output cached,
/// still took 70 s of wasm-bindgen and wasm-opt.
pub fn build(tools: &Tools, root: &Path) -> Result<(PathBuf, PathBuf), String> {
    if let Some(built) = BUILT.get() {
        return Ok(built.clone());
    }
    let built = build_now(tools, root)?;
    Ok(BUILT.get_or_init(|| built).clone())
}

fn build_now(tools: &Tools, root: &Path) -> Result<(PathBuf, PathBuf), String> {
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
    relaxed_beside(tools, root, out.last().expect("the web package"))?;
    // The example page beside the web package, so that target/pkg serves it as is.
    let example = root.join("examples/package/index.html");
    std::fs::copy(&example, root.join("target/pkg/index.html")).map_err(|e| format!("{}: {e}", example.display()))?;
    let web = out.pop().expect("two targets");
    let node = out.pop().expect("two targets");
    Ok((node, web))
}

/// Builds the web package again with relaxed SIMD, as the page's worker is (`build.rs`), into
/// `target/pkg/web-relaxed`, and puts its wasm into the web package `web` as
/// `layerlab_relaxed_bg.wasm` with the entry `crates/js/index.js` that picks between the two;
/// `package.json` then names that entry. The two builds must share their glue.
fn relaxed_beside(tools: &Tools, root: &Path, web: &Path) -> Result<(), String> {
    let dir = root.join("target/pkg/web-relaxed");
    let _ = std::fs::remove_dir_all(&dir);
    let mut build = tools.command("wasm-pack");
    build
        .current_dir(root)
        .args(["build", "crates/js", "--target", "web", "--out-name", "layerlab", "--out-dir"])
        .arg(&dir)
        .args(["--mode", "no-install", "--profile", "wasm-release"]);
    cmd::run(build::relaxed_simd(&mut build, root))?;
    let read = |path: PathBuf| std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()));
    if read(dir.join("layerlab.js"))? != read(web.join("layerlab.js"))? {
        return Err(format!(
            "the relaxed-SIMD build's layerlab.js ({}) differs from the plain build's ({}): the package's entry \
             loads either wasm with one glue, so they must match",
            dir.display(),
            web.display()
        ));
    }
    let copy = |from: PathBuf, to: PathBuf| {
        std::fs::copy(&from, &to).map(drop).map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
    };
    copy(dir.join("layerlab_bg.wasm"), web.join("layerlab_relaxed_bg.wasm"))?;
    for file in ["index.js", "index.d.ts"] {
        copy(root.join("crates/js").join(file), web.join(file))?;
    }
    let manifest = web.join("package.json");
    let text = String::from_utf8_lossy(&read(manifest.clone())?).into_owned();
    let mut package: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    package["main"] = "index.js".into();
    package["types"] = "index.d.ts".into();
    let files = package["files"].as_array_mut().ok_or_else(|| format!("{} lists no files", manifest.display()))?;
    files.extend(["index.js", "index.d.ts", "layerlab_relaxed_bg.wasm"].map(serde_json::Value::from));
    let pretty = serde_json::to_string_pretty(&package).map_err(|e| e.to_string())?;
    std::fs::write(&manifest, pretty + "\n").map_err(|e| format!("{}: {e}", manifest.display()))
}
