//! Building the web app with Trunk, and reporting its size.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::cmd;
use crate::split::LOADER;
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
///
/// And the split points (`--cfg layerlab_split`, crates/worker/src/chunks.rs), linked with the
/// relocations the splitter reads (`--emit-relocs`, [`crate::split`]).
const PAGE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none --cfg layerlab_split -Clink-args=--emit-relocs";
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

/// The page's one wasm module (crates/web): its glue `<BIN>.js`, its main module
/// `<BIN>_bg.wasm` and its split loader and chunks, in `dist/` for the plain build and in
/// `dist/relaxed/` for the relaxed-SIMD one (the names `www/start.js` loads).
const BIN: &str = "layerlab-web";
/// The folder of the relaxed-SIMD build in `dist/` (`crates/app/src/worker_link.rs` knows it).
const RELAXED_FOLDER: &str = "relaxed";

/// Builds the release app into `dist/` (unless it is current), then the module's relaxed-SIMD
/// build into `dist/relaxed/`, and prints the size of each wasm file, raw and gzipped.
///
/// Trunk builds the page (HTML, CSS, assets) and compiles the plain module; its module and glue
/// are then replaced by the split ones made from the module cargo linked for it ([`split`]):
/// Trunk's wasm-bindgen runs on the module before the split, whose glue would import the
/// split points from nowhere.
pub fn release(root: &Path, tools: &Tools) -> Result<PathBuf, String> {
    let dist = root.join("dist");
    if is_current(root, &dist.join("index.html")) && is_current(root, &dist.join(LOADER)) {
        println!("dist/ is up to date with the sources: not rebuilding");
    } else {
        // Cargo's output for Trunk, which the split reads, in this workspace's target folder
        // whatever CARGO_TARGET_DIR the caller has.
        let target = root.join("target");
        let mut trunk = tools.command(".tools/bin/trunk");
        trunk.args(["build", "--release"]).current_dir(root).env("CARGO_TARGET_DIR", &target);
        cmd::run(page_module(&mut trunk))?;
        strip_kernels(&dist.join("wgsl"))?;
        let start = dist.join("start.js");
        crate::split::minify(tools, &start, &start)?;
        let linked = target.join(format!("wasm32-unknown-unknown/wasm-release/{BIN}.wasm"));
        split(tools, &linked, &target.join("split/plain"), &dist, false)?;
    }
    let relaxed = dist.join(RELAXED_FOLDER);
    if !is_current(root, &relaxed.join(LOADER)) {
        relaxed_module(root, tools, &relaxed)?;
    }
    for (name, raw, gzipped) in wasm_sizes(&dist)? {
        println!("{name}: {} KiB, {} KiB gzipped", raw / 1024, gzipped / 1024);
    }
    Ok(dist)
}

/// The module built again with relaxed SIMD (its matrix multiply then uses a fused
/// multiply-add) and split into `out` (`dist/relaxed/`), which `www/start.js` loads where the
/// browser validates relaxed SIMD. Cargo builds into a target folder of its own (other flags
/// would rebuild the plain build's every crate, and back).
fn relaxed_module(root: &Path, tools: &Tools, out: &Path) -> Result<(), String> {
    let target = root.join(RELAXED_TARGET);
    let mut cargo = tools.command("cargo");
    cargo
        .args(["build", "--profile", "wasm-release", "--target", "wasm32-unknown-unknown"])
        .args(["-p", BIN, "--bin", BIN])
        .current_dir(root);
    cmd::run(page_module(relaxed_simd(&mut cargo, root)))?;
    let linked = target.join(format!("wasm32-unknown-unknown/wasm-release/{BIN}.wasm"));
    split(tools, &linked, &target.join("split"), out, true)
}

/// Splits `linked` into `out` ([`crate::split`]), clearing `out`'s wasm and loader first.
fn split(tools: &Tools, linked: &Path, work: &Path, out: &Path, relaxed: bool) -> Result<(), String> {
    let _ = std::fs::remove_file(out.join(LOADER));
    for (name, _, _) in sizes(out, &["wasm"]).unwrap_or_default() {
        let _ = std::fs::remove_file(out.join(name));
    }
    crate::split::split(tools, linked, work, out, relaxed)
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

/// (file name, bytes, gzip -9 bytes) for each `.wasm` in `dist` and `dist/relaxed/`.
fn wasm_sizes(dist: &Path) -> Result<Vec<(String, u64, u64)>, String> {
    let mut all = sizes(dist, &["wasm"])?;
    for (name, raw, gzipped) in sizes(&dist.join(RELAXED_FOLDER), &["wasm"]).unwrap_or_default() {
        all.push((format!("{RELAXED_FOLDER}/{name}"), raw, gzipped));
    }
    Ok(all)
}

/// Bytes and gzip -9 bytes of all the wasm and JavaScript the page loads at its start in a
/// browser with relaxed SIMD, as Chromium has: `start.js`, and the relaxed build's glue, loader
/// and main module (the plain build's where there is none), summed; and each chunk's, which
/// the page fetches when first needed.
pub fn loaded_bytes(dist: &Path) -> Result<Loaded, String> {
    let relaxed = dist.join(RELAXED_FOLDER);
    let build = if relaxed.join(format!("{BIN}_bg.wasm")).is_file() { relaxed } else { dist.to_path_buf() };
    let files = [
        dist.join("start.js"),
        build.join(format!("{BIN}.js")),
        build.join(LOADER),
        build.join(format!("{BIN}_bg.wasm")),
    ];
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        return Err(format!("{} is missing: build the page first", missing.display()));
    }
    let (raw, gzipped) = files.iter().map(|f| file_size(f)).fold((0, 0), |(r, g), (raw, gz)| (r + raw, g + gz));
    let chunks = sizes(&build, &["wasm"])?.into_iter().filter(|(name, _, _)| *name != format!("{BIN}_bg.wasm"));
    Ok(Loaded { raw, gzipped, chunks: chunks.map(|(name, _, gzipped)| (name, gzipped)).collect() })
}

/// What [`loaded_bytes`] counts.
pub struct Loaded {
    /// Bytes the page loads at its start.
    pub raw: u64,
    /// The same, gzip -9.
    pub gzipped: u64,
    /// Each chunk's name and gzip -9 bytes.
    pub chunks: Vec<(String, u64)>,
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
