//! Building the web app with Trunk, and reporting its size.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;
use crate::tools::Tools;

/// Builds the release app into `dist/` and prints the size of each wasm file, raw and gzipped.
pub fn release(root: &Path, tools: &Tools) -> Result<PathBuf, String> {
    cmd::run(tools.command(".tools/bin/trunk").args(["build", "--release"]).current_dir(root))?;
    let dist = root.join("dist");
    for (name, raw, gzipped) in wasm_sizes(&dist)? {
        println!("{name}: {} KiB, {} KiB gzipped", raw / 1024, gzipped / 1024);
    }
    Ok(dist)
}

/// (file name, bytes, gzip -9 bytes) for each `.wasm` in `dist`.
fn wasm_sizes(dist: &Path) -> Result<Vec<(String, u64, u64)>, String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    let mut sizes = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "wasm") {
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
