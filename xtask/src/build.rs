//! Building the web app with Trunk, and reporting its size.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::cmd;
use crate::tools::Tools;

/// What the release build reads: when none of it is newer than `dist/index.html` (which Trunk
/// writes last), the build in `dist/` is current and is not redone.
const SOURCES: &[&str] = &["index.html", "Trunk.toml", "Cargo.toml", "Cargo.lock", ".cargo", "crates", "www", "assets"];

/// Builds the release app into `dist/` (unless it is current) and prints the size of each wasm
/// file, raw and gzipped.
pub fn release(root: &Path, tools: &Tools) -> Result<PathBuf, String> {
    let dist = root.join("dist");
    if is_current(root, &dist.join("index.html")) {
        println!("dist/ is up to date with the sources: not rebuilding");
    } else {
        cmd::run(tools.command(".tools/bin/trunk").args(["build", "--release"]).current_dir(root))?;
    }
    for (name, raw, gzipped) in wasm_sizes(&dist)? {
        println!("{name}: {} KiB, {} KiB gzipped", raw / 1024, gzipped / 1024);
    }
    Ok(dist)
}

/// (file name, bytes, gzip -9 bytes) for each `.wasm` in `dist`.
fn wasm_sizes(dist: &Path) -> Result<Vec<(String, u64, u64)>, String> {
    sizes(dist, &["wasm"])
}

/// Bytes and gzip -9 bytes of all the wasm and JavaScript the page loads (the app's and the
/// worker's, with their wasm-bindgen glue), summed.
pub fn loaded_bytes(dist: &Path) -> Result<(u64, u64), String> {
    let all = sizes(dist, &["wasm", "js"])?;
    Ok(all.iter().fold((0, 0), |(r, g), (_, raw, gz)| (r + raw, g + gz)))
}

/// (file name, bytes, gzip -9 bytes) for each file in `dist` with one of `extensions`.
fn sizes(dist: &Path, extensions: &[&str]) -> Result<Vec<(String, u64, u64)>, String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut sizes = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| extensions.iter().any(|x| e == *x)) {
            let raw = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let gzipped = cmd::output(Command::new("sh").arg("-c").arg("gzip -9 -c \"$0\" | wc -c").arg(&path))
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            sizes.push((entry.file_name().to_string_lossy().into_owned(), raw, gzipped));
        }
    }
    sizes.sort();
    Ok(sizes)
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
