//! Building the web app with Trunk, and reporting its size.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::cmd;
use crate::tools::Tools;

/// What the release build reads: when none of it is newer than `dist/index.html` (which Trunk
/// writes last), the build in `dist/` is current and is not redone.
const SOURCES: &[&str] = &[
    "index.html",
    "Trunk.toml",
    "Cargo.toml",
    "Cargo.lock",
    ".cargo",
    "crates",
    "www",
    "assets",
    "xtask/src/build.rs",
];

/// The relaxed-SIMD builds' flags, which cargo adds to the `.cargo/config.toml` ones (it joins
/// the two lists): relaxed SIMD beside simd128.
const RELAXED_RUSTFLAGS: &str = "-C target-feature=+simd128,+relaxed-simd";
/// Where every relaxed-SIMD build goes, under the workspace root.
const RELAXED_TARGET: &str = "target/relaxed-simd";

/// The pinned nightly Rust, installed with the standard library's source (`tools.rs`): the page's
/// module is built with it, for two of its options, and the fuzzer runs on it; the rest of the
/// workspace builds with the stable toolchain. It is pinned here, in the build's recipe, so that
/// changing it rebuilds `dist/` ([`SOURCES`]).
pub const NIGHTLY: &str = "nightly-2026-05-20";

/// The page's module's options that need [`NIGHTLY`]: the standard library compiled with the
/// module (`-Z build-std`), size-first as the rest is, and a panic that traps at once
/// (`-C panic=immediate-abort`), so no panic message, its formatting or the source location of
/// any panic is carried. By hand, the relaxed module gzipped: 579.9 KB with stable Rust, 570.5
/// with `build-std` alone, 535.2 with both (and `-Z location-detail=none`). A panic was a trap
/// before too (`panic = "abort"`), and when the worker traps the page says it stopped either
/// way; only the browser console's panic message is gone, which a native run of the same
/// experiment (`layerlab train`, stable, unwinding) would print.
const PAGE_RUSTFLAGS: &str = "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none";
/// The variable cargo reads the wasm target's extra flags from.
const WASM_RUSTFLAGS: &str = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";

/// Makes a cargo command (Trunk's too) build the page's module with [`NIGHTLY`] and
/// [`PAGE_RUSTFLAGS`], after whatever wasm flags the command already has (relaxed SIMD's).
fn page_module(command: &mut Command) -> &mut Command {
    let flags = match wasm_flags(command) {
        Some(before) => format!("{before} {PAGE_RUSTFLAGS}"),
        None => PAGE_RUSTFLAGS.to_string(),
    };
    command
        .env("RUSTUP_TOOLCHAIN", NIGHTLY)
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env(WASM_RUSTFLAGS, flags)
}

/// The wasm flags `command` sets, if it sets any.
fn wasm_flags(command: &Command) -> Option<String> {
    let (_, value) = command.get_envs().find(|(key, _)| *key == WASM_RUSTFLAGS)?;
    value.map(|v| v.to_string_lossy().into_owned())
}

/// Makes a cargo (or wasm-pack) command build wasm with relaxed SIMD, into a target folder of
/// its own (`target/relaxed-simd`, shared by every relaxed build), or each change of flags would
/// rebuild every crate of the plain build, and back.
pub fn relaxed_simd<'a>(command: &'a mut Command, root: &Path) -> &'a mut Command {
    command.env("CARGO_TARGET_DIR", root.join(RELAXED_TARGET)).env(WASM_RUSTFLAGS, RELAXED_RUSTFLAGS)
}

/// The page's one wasm module (crates/web): Trunk's build is `<BIN>.js` and `<BIN>_bg.wasm`, the
/// relaxed-SIMD build `<BIN>_relaxed…` (the names `www/start.js` loads).
const BIN: &str = "layerlab-web";

/// Builds the release app into `dist/` (unless it is current), then the module's relaxed-SIMD
/// build beside Trunk's, and prints the size of each wasm file, raw and gzipped.
pub fn release(root: &Path, tools: &Tools) -> Result<PathBuf, String> {
    let dist = root.join("dist");
    if is_current(root, &dist.join("index.html")) {
        println!("dist/ is up to date with the sources: not rebuilding");
    } else {
        let mut trunk = tools.command(".tools/bin/trunk");
        cmd::run(page_module(trunk.args(["build", "--release"]).current_dir(root)))?;
        strip_kernels(&dist.join("wgsl"))?;
    }
    let relaxed = dist.join(format!("{BIN}_relaxed_bg.wasm"));
    if !is_current(root, &relaxed) {
        relaxed_module(root, tools, &dist)?;
    }
    for (name, raw, gzipped) in wasm_sizes(&dist)? {
        println!("{name}: {} KiB, {} KiB gzipped", raw / 1024, gzipped / 1024);
    }
    Ok(dist)
}

/// The module built again with relaxed SIMD (its matrix multiply then uses a fused
/// multiply-add) as `dist/<BIN>_relaxed_bg.wasm`, which `www/start.js` loads where the browser
/// validates relaxed SIMD. It runs with the plain build's glue (`<BIN>.js`, which Trunk wrote and
/// minified): both builds import and export the same, so wasm-bindgen writes the same glue for
/// each, which is checked here against Trunk's unminified copy. Cargo builds into a target folder
/// of its own (other flags would rebuild the plain build's every crate, and back); wasm-bindgen
/// and wasm-opt run as Trunk runs them for the plain build.
fn relaxed_module(root: &Path, tools: &Tools, dist: &Path) -> Result<(), String> {
    let target = root.join(RELAXED_TARGET);
    let mut cargo = tools.command("cargo");
    cargo
        .args(["build", "--profile", "wasm-release", "--target", "wasm32-unknown-unknown"])
        .args(["-p", BIN, "--bin", BIN])
        .current_dir(root);
    cmd::run(page_module(relaxed_simd(&mut cargo, root)))?;
    let bindgen = target.join("bindgen");
    let mut wasm_bindgen = tools.command("wasm-bindgen");
    wasm_bindgen
        .args(["--target=no-modules", &format!("--out-name={BIN}"), "--no-typescript"])
        .arg(format!("--out-dir={}", bindgen.display()))
        .arg(target.join(format!("wasm32-unknown-unknown/wasm-release/{BIN}.wasm")));
    cmd::run(&mut wasm_bindgen)?;
    let plain_glue = root.join(format!("target/wasm-bindgen/release/{BIN}.js"));
    if read_text(&bindgen.join(format!("{BIN}.js")))? != read_text(&plain_glue)? {
        return Err(format!(
            "the relaxed-SIMD build's wasm-bindgen glue differs from the plain build's ({}): the two builds \
             must import and export the same to share it; rebuild both (remove dist/)",
            plain_glue.display()
        ));
    }
    let mut wasm_opt = tools.command("wasm-opt");
    wasm_opt
        .args(["-Oz", "--enable-simd", "--enable-relaxed-simd"])
        .arg(bindgen.join(format!("{BIN}_bg.wasm")))
        .arg("--output")
        .arg(dist.join(format!("{BIN}_relaxed_bg.wasm")));
    cmd::run(&mut wasm_opt)
}

/// Rewrites each WGSL file Trunk copied into `dist/wgsl/` as the GPU crate's build embeds it,
/// without comments (`crates/gpu/src/strip.rs`): the worker accepts the source or its stripped
/// text, and a browser with WebGPU fetches the eleven files, 15.6 KB gzipped as written and
/// 9,951 bytes stripped (each file gzipped, by hand).
fn strip_kernels(wgsl: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(wgsl).map_err(|e| format!("cannot read {}: {e}", wgsl.display()))?;
    for path in entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "wgsl")) {
        let text = read_text(&path)?;
        std::fs::write(&path, strip(&text)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

#[path = "../../crates/gpu/src/strip.rs"]
mod strip;
use strip::strip;

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// (file name, bytes, gzip -9 bytes) for each `.wasm` in `dist`.
fn wasm_sizes(dist: &Path) -> Result<Vec<(String, u64, u64)>, String> {
    sizes(dist, &["wasm"])
}

/// Bytes and gzip -9 bytes of all the wasm and JavaScript the page loads in a browser with
/// relaxed SIMD, as Chromium has: `start.js`, the glue (which the page and its worker share) and
/// the module's relaxed build (the plain one where there is none), summed.
pub fn loaded_bytes(dist: &Path) -> Result<(u64, u64), String> {
    let relaxed = dist.join(format!("{BIN}_relaxed_bg.wasm"));
    let wasm = if relaxed.is_file() { relaxed } else { dist.join(format!("{BIN}_bg.wasm")) };
    let files = [dist.join("start.js"), dist.join(format!("{BIN}.js")), wasm];
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        return Err(format!("{} is missing: build the page first", missing.display()));
    }
    Ok(files.iter().map(|f| file_size(f)).fold((0, 0), |(r, g), (raw, gz)| (r + raw, g + gz)))
}

/// (file name, bytes, gzip -9 bytes) for each file in `dist` with one of `extensions`.
fn sizes(dist: &Path, extensions: &[&str]) -> Result<Vec<(String, u64, u64)>, String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut sizes = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| extensions.iter().any(|x| e == *x)) {
            let (raw, gzipped) = file_size(&path);
            sizes.push((entry.file_name().to_string_lossy().into_owned(), raw, gzipped));
        }
    }
    sizes.sort();
    Ok(sizes)
}

/// A file's bytes and gzip -9 bytes (0 and 0 when it cannot be read).
pub fn file_size(path: &Path) -> (u64, u64) {
    let raw = path.metadata().map(|m| m.len()).unwrap_or(0);
    let gzipped = cmd::output(Command::new("sh").arg("-c").arg("gzip -9 -c \"$0\" | wc -c").arg(path))
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    (raw, gzipped)
}

/// Whether `stamp` exists and no source file is newer.
fn is_current(root: &Path, stamp: &Path) -> bool {
    let Ok(built) = stamp.metadata().and_then(|m| m.modified()) else { return false };
    SOURCES.iter().all(|s| newest(&root.join(s)).is_some_and(|t| t <= built))
}

/// The latest modification time under `path` (the path itself when it is a file), skipping
/// build output, dependencies and fuzzing data.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = path.metadata().ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    let mut latest = meta.modified().ok()?;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        let name = entry.file_name();
        if ["target", "node_modules", "corpus", "artifacts"].iter().any(|skip| name == *skip) {
            continue;
        }
        latest = latest.max(newest(&entry.path())?);
    }
    Some(latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_flags_follow_the_relaxed_ones_and_stand_alone_for_trunk() {
        let mut trunk = Command::new("trunk");
        assert_eq!(wasm_flags(page_module(&mut trunk)).as_deref(), Some(PAGE_RUSTFLAGS));
        let mut cargo = Command::new("cargo");
        let relaxed = page_module(relaxed_simd(&mut cargo, Path::new("/root")));
        assert_eq!(wasm_flags(relaxed), Some(format!("{RELAXED_RUSTFLAGS} {PAGE_RUSTFLAGS}")));
        assert!(relaxed.get_envs().any(|(k, v)| k == "RUSTUP_TOOLCHAIN" && v == Some(NIGHTLY.as_ref())));
    }
}
