//! Installing what is missing: the wasm target, Trunk, wasm-bindgen-cli, wasm-pack and wasm-opt into the
//! project's `.tools/` folder, and, for the browser tests, Debian's Chromium, its driver and
//! Mesa's Vulkan drivers plus playwright-core from npm. Never a downloaded binary: everything
//! comes from the package registries by name.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use crate::build::NIGHTLY;
use crate::cmd;

/// Trunk's version: 0.22 needs a newer rustc than our machines have.
const TRUNK_VERSION: &str = "0.21.14";
/// wasm-pack's version: it builds the `layerlab` npm package (`cargo xtask pack`) with the
/// wasm-bindgen and wasm-opt installed here (`--mode no-install`).
const WASM_PACK_VERSION: &str = "0.15.1";
/// The e2e tests' npm packages (pinned in tests/e2e/package-lock.json): the browser driver,
/// and axe-core for the accessibility check.
const E2E_PACKAGES: [&str; 2] = ["playwright-core", "axe-core"];

/// npm's binaryen; it must match `wasm_opt` in Trunk.toml.
const BINARYEN_VERSION: &str = "132.0.0";
/// npm's terser, which minifies the page's ES-module JavaScript (its glue, split loader and
/// `start.js`; `build.rs`), as Trunk's minifier did the classic scripts before (Trunk's does
/// not read `import`).
const TERSER_VERSION: &str = "5.51.4";
/// The Python packages, from PyPI into `.tools/venv`: PyTorch (CPU is enough; PyPI's wheel
/// brings CUDA's libraries too, several GB, installed once) for the export's parity check and
/// the benchmark's peer figures, and safetensors, which the exported model loads its weights with.
const PYTHON_PACKAGES: &[&str] = &["torch==2.15.0", "safetensors==0.8.0", "numpy==2.4.6"];
/// Debian packages the browser tests need.
const BROWSER_PACKAGES: &[&str] = &["chromium", "chromium-driver"];
/// Debian packages the native GPU tests need: the Vulkan loader and lavapipe, a Vulkan driver
/// that computes on the CPU (a machine with a GPU uses its own driver through the same loader).
const VULKAN_PACKAGES: &[&str] = &["libvulkan1", "mesa-vulkan-drivers"];
/// Where Debian puts them.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What a command needs besides the build tools.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    /// Chromium, chromedriver and the e2e test's npm packages.
    pub browser: bool,
    /// A Vulkan driver, for the GPU backend's native tests and benchmarks.
    pub vulkan: bool,
}

/// The installed tools: a `PATH` that puts them first.
#[derive(Debug, Clone)]
pub struct Tools {
    pub path: OsString,
}

impl Tools {
    /// A command that finds the project's tools first on its PATH.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }
}

/// Installs whatever is missing and returns the tools.
pub fn ensure(root: &Path, needs: Needs) -> Result<Tools, String> {
    let dir = root.join(".tools");
    let wasm_bindgen_version = wasm_bindgen_version(root)?;
    check_trunk_pins(root, &wasm_bindgen_version)?;
    ensure_wasm_target()?;
    ensure_nightly()?;
    if needs.browser {
        ensure_debian(BROWSER_PACKAGES)?;
    }
    if needs.vulkan {
        ensure_debian(VULKAN_PACKAGES)?;
    }
    if cmd::output(Command::new("npm").arg("--version")).is_none() {
        ensure_debian(&["nodejs", "npm"])?;
    }
    ensure_cargo_tool(&dir, CargoTool { krate: "trunk", version: TRUNK_VERSION, bin: "trunk", locked: true })?;
    // `--locked` fails on a yanked dependency of wasm-bindgen-cli; without it the install works.
    ensure_cargo_tool(
        &dir,
        CargoTool { krate: "wasm-bindgen-cli", version: &wasm_bindgen_version, bin: "wasm-bindgen", locked: false },
    )?;
    ensure_cargo_tool(
        &dir,
        CargoTool { krate: "wasm-pack", version: WASM_PACK_VERSION, bin: "wasm-pack", locked: true },
    )?;
    ensure_npm(&dir.join("npm"), &format!("binaryen@{BINARYEN_VERSION}"), "node_modules/binaryen/package.json")?;
    ensure_npm(&dir.join("terser"), &format!("terser@{TERSER_VERSION}"), "node_modules/terser/package.json")?;
    if needs.browser {
        let e2e = root.join("tests/e2e");
        let installed = |package: &str| e2e.join(format!("node_modules/{package}/package.json")).exists();
        if !E2E_PACKAGES.iter().all(|p| installed(p)) {
            cmd::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))?;
        }
    }
    let mut paths = vec![dir.join("bin"), dir.join("npm/node_modules/.bin"), dir.join("terser/node_modules/.bin")];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(paths).map_err(|e| format!("bad PATH: {e}"))?;
    Ok(Tools { path })
}

/// The `wasm-bindgen` crate version in Cargo.lock: the CLI must be exactly this version.
pub fn wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    lock_version(&lock, "wasm-bindgen").ok_or_else(|| "Cargo.lock has no wasm-bindgen package".to_string())
}

/// The version of package `name` in the text of a Cargo.lock.
pub fn lock_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}

/// Trunk.toml must pin the same wasm-bindgen and the binaryen we install, or Trunk would try
/// to download its own and fail without network.
fn check_trunk_pins(root: &Path, wasm_bindgen: &str) -> Result<(), String> {
    let trunk = std::fs::read_to_string(root.join("Trunk.toml")).map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    let pins = [
        (format!("wasm_bindgen = \"{wasm_bindgen}\""), "the wasm-bindgen version in Cargo.lock"),
        (format!("wasm_opt = \"version_{major}\""), "the binaryen version xtask installs"),
    ];
    for (pin, what) in pins {
        if !trunk.lines().any(|l| l.trim() == pin) {
            return Err(format!("Trunk.toml must say `{pin}` under [tools] ({what})"));
        }
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = cmd::output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    cmd::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// [`NIGHTLY`] with `rust-src`, which `-Z build-std` compiles (rustup's minimal profile:
/// rustc, cargo and the host's standard library; 12 s here).
pub fn ensure_nightly() -> Result<(), String> {
    let components =
        cmd::output(Command::new("rustup").args(["component", "list", "--installed", "--toolchain", NIGHTLY]));
    if components.is_some_and(|c| c.lines().any(|l| l.starts_with("rust-src"))) {
        return Ok(());
    }
    println!("installing Rust {NIGHTLY} with the standard library's source (once)");
    cmd::run(Command::new("rustup").args([
        "toolchain",
        "install",
        NIGHTLY,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
    ]))
}

/// A tool that `cargo install` builds from crates.io.
#[derive(Clone, Copy)]
pub struct CargoTool<'a> {
    pub krate: &'a str,
    pub version: &'a str,
    pub bin: &'a str,
    pub locked: bool,
}

pub fn ensure_cargo_tool(dir: &Path, tool: CargoTool<'_>) -> Result<(), String> {
    let bin = dir.join("bin").join(tool.bin);
    let found = cmd::output(Command::new(&bin).arg("--version")).unwrap_or_default();
    if found.split_whitespace().any(|word| word == tool.version) {
        return Ok(());
    }
    println!("Installing {} {} into {} (once; a few minutes)", tool.krate, tool.version, dir.display());
    let mut install = Command::new("cargo");
    install.args(["install", tool.krate, "--version", tool.version, "--force", "--root"]).arg(dir);
    if tool.locked {
        install.arg("--locked");
    }
    cmd::run(&mut install)
}

fn ensure_npm(prefix: &Path, spec: &str, marker: &str) -> Result<(), String> {
    let version = spec.rsplit('@').next().unwrap_or_default();
    let installed = std::fs::read_to_string(prefix.join(marker)).unwrap_or_default();
    if installed.contains(&format!("\"version\": \"{version}\"")) {
        return Ok(());
    }
    std::fs::create_dir_all(prefix).map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
    cmd::run(
        Command::new("npm").args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"]).arg(prefix).arg(spec),
    )
}

/// Installs Debian packages that are missing. Without root, says the exact command instead.
fn ensure_debian(packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            let status = cmd::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p])).unwrap_or_default();
            status != "install ok installed"
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let install = format!("apt-get update && apt-get install -y --no-install-recommends {}", missing.join(" "));
    let is_root = cmd::output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    if !is_root {
        return Err(format!(
            "these Debian packages are missing: {}. Run as root:\n  sudo sh -c '{install}'",
            missing.join(", ")
        ));
    }
    cmd::run(Command::new("sh").arg("-c").arg(&install).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The Python of `.tools/venv`, with [`PYTHON_PACKAGES`] installed where they are missing.
pub fn ensure_torch(root: &Path) -> Result<std::path::PathBuf, String> {
    let venv = root.join(".tools/venv");
    let python = venv.join("bin/python");
    let ready = |py: &Path| {
        Command::new(py).args(["-c", "import torch, safetensors, numpy"]).output().is_ok_and(|o| o.status.success())
    };
    if !ready(&python) {
        println!("installing {} into .tools/venv from PyPI (several GB, once)", PYTHON_PACKAGES.join(" "));
        if !python.exists() {
            cmd::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        }
        cmd::run(
            Command::new(venv.join("bin/pip")).args(["install", "--quiet", "--no-cache-dir"]).args(PYTHON_PACKAGES),
        )?;
    }
    Ok(python)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_versions_are_read_by_exact_name() {
        let lock = "[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.80\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(lock_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(lock_version(lock, "wasm-bindgen-futures").as_deref(), Some("0.4.80"));
        assert_eq!(lock_version(lock, "leptos"), None);
    }

    #[test]
    fn the_workspace_pins_agree() {
        let root = cmd::workspace_root();
        let version = wasm_bindgen_version(&root).expect("Cargo.lock names wasm-bindgen");
        check_trunk_pins(&root, &version).expect("Trunk.toml pins the locked wasm-bindgen and our binaryen");
    }
}
