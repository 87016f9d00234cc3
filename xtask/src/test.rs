//! `cargo xtask test`: every check, in order of cost, with one summary line at the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::cmd::{self, Counts};
use crate::tools::{self, Needs, Tools};
use crate::{build, server};

/// The steps, cheapest first.
const STEPS: &[&str] = &["fmt", "clippy", "native", "export", "package", "wasm", "e2e"];

/// Clippy on the crates that run in the browser, compiled for it (their libraries, binaries
/// and tests; the benchmarks are native).
const WASM_CLIPPY: &[&str] = &[
    "clippy",
    "--target",
    "wasm32-unknown-unknown",
    "-p",
    "layerlab-kernels",
    "-p",
    "layerlab-engine",
    "-p",
    "layerlab-gpu",
    "-p",
    "layerlab-protocol",
    "-p",
    "layerlab-worker",
    "-p",
    "layerlab-app",
    "-p",
    "layerlab-web",
    "-p",
    "layerlab",
    "--lib",
    "--bins",
    "--tests",
    "--",
    "-D",
    "warnings",
];

/// Chromium's flags for the tests (see ../shared/TOOLCHAIN.md): headless, no network chatter,
/// and WebGPU on through SwiftShader (`--enable-unsafe-webgpu`).
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--enable-unsafe-webgpu",
];

struct Outcome {
    step: &'static str,
    ok: bool,
    counts: Counts,
    seconds: f64,
}

/// Runs the steps that `args` select (all by default).
pub fn run(args: &[String]) -> Result<(), String> {
    let selected: Vec<&'static str> = match args {
        [] => STEPS.to_vec(),
        [flag, step] if flag == "--only" => {
            vec![
                *STEPS
                    .iter()
                    .find(|s| *s == step)
                    .ok_or_else(|| format!("--only {step}: choose one of {}", STEPS.join(", ")))?,
            ]
        }
        _ => return Err(format!("test takes no options but --only STEP, not {args:?}")),
    };
    let started = Instant::now();
    let root = cmd::workspace_root();
    let needs_browser = selected.iter().any(|s| matches!(*s, "wasm" | "e2e"));
    let needs_vulkan = selected.contains(&"native");
    let tools = tools::ensure(&root, Needs { browser: needs_browser, vulkan: needs_vulkan })?;

    let mut outcomes = Vec::new();
    for step in selected {
        println!("\n=== {step} ===");
        let clock = Instant::now();
        let (ok, counts) = match step {
            "fmt" => (cmd::run(cargo(&tools, &root).args(["fmt", "--all", "--check"])).is_ok(), Counts::default()),
            "clippy" => (
                cmd::run(cargo(&tools, &root).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
                    .is_ok()
                    // The browser's crates once more for wasm32: their wasm-only code and tests.
                    && cmd::run(cargo(&tools, &root).args(WASM_CLIPPY)).is_ok(),
                Counts::default(),
            ),
            "native" => cmd::run_counting(cargo(&tools, &root).args(["test", "--workspace", "--no-fail-fast"])),
            "export" => export_tests(&tools, &root)?,
            "package" => package_tests(&tools, &root)?,
            "wasm" => wasm_tests(&tools, &root)?,
            "e2e" => e2e_tests(&tools, &root)?,
            _ => unreachable!("steps come from STEPS"),
        };
        outcomes.push(Outcome { step, ok, counts, seconds: clock.elapsed().as_secs_f64() });
    }

    println!("\n=== summary ({:.0} s) ===", started.elapsed().as_secs_f64());
    let (mut passed, mut failed) = (0, 0);
    for o in &outcomes {
        // A lint step is one check; a test step that failed without reporting a failing test
        // (it did not compile, say) counts as one failure.
        let counts = match (o.counts, o.ok) {
            (Counts { passed: 0, failed: 0 }, true) => Counts { passed: 1, failed: 0 },
            (c, false) if c.failed == 0 => Counts { passed: c.passed, failed: 1 },
            (c, _) => c,
        };
        passed += counts.passed;
        failed += counts.failed;
        let verdict = if o.ok { "ok" } else { "FAILED" };
        println!(
            "{:<8} {verdict:<7} {:>4} passed {:>3} failed  {:>6.1} s",
            o.step, counts.passed, counts.failed, o.seconds
        );
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err(format!("{failed} checks failed")) }
}

pub fn cargo(tools: &Tools, root: &Path) -> Command {
    let mut command = tools.command("cargo");
    command.current_dir(root);
    command
}

/// The PyTorch export of every experiment in tests/export (each a different mix of blocks and
/// rules), checked under CPU PyTorch: `layerlab train CASE --export DIR` trains it and writes
/// the files, `python model.py` compares PyTorch's outputs with LayerLab's on the exported
/// sample (within 1e-5), `python train.py --steps 5` trains on, and `train.py --time
/// --threads 1` reports its time per step (what `cargo xtask bench` reads). One check per case.
fn export_tests(tools: &Tools, root: &Path) -> Result<(bool, Counts), String> {
    let python = tools::ensure_torch(root)?;
    cmd::run(cargo(tools, root).args(["build", "-p", "layerlab-cli"]))?;
    let layerlab = root.join("target/debug/layerlab");
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/export"))
        .map_err(|e| format!("tests/export: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|x| x == "json"))
        .collect();
    cases.sort();
    let mut counts = Counts::default();
    for case in &cases {
        let name = case.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let dir = root.join("target/export").join(&name);
        println!("--- {name}");
        // The metrics lines are not the check; errors still reach stderr.
        let mut train = Command::new(&layerlab);
        train.arg("train").arg(case).arg("--export").arg(&dir).stdout(Stdio::null());
        let ok = cmd::run(&mut train).is_ok()
            && cmd::run(Command::new(&python).arg("model.py").current_dir(&dir)).is_ok()
            && cmd::run(Command::new(&python).args(["train.py", "--steps", "5"]).current_dir(&dir)).is_ok()
            && timed(
                Command::new(&python).args(["train.py", "--steps", "8", "--time", "--threads", "1"]).current_dir(&dir),
            );
        println!("{name}: {}", if ok { "ok" } else { "FAILED" });
        if ok {
            counts.passed += 1;
        } else {
            counts.failed += 1;
        }
    }
    Ok((counts.failed == 0 && !cases.is_empty(), counts))
}

/// Whether `command` (train.py --time) printed a positive time per step on one thread.
fn timed(command: &mut Command) -> bool {
    let out = cmd::output(command).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_default();
    let ok = json["ms_per_step"].as_f64().is_some_and(|ms| ms > 0.0) && json["threads"] == 1;
    if !ok {
        println!("train.py --time printed `{}`, not {{\"ms_per_step\": > 0, \"threads\": 1, …}}", out.trim());
    }
    ok
}

/// The `layerlab` npm package (`cargo xtask pack`) under node's test runner (tests/js), beside
/// the CLI it must agree with.
fn package_tests(tools: &Tools, root: &Path) -> Result<(bool, Counts), String> {
    let (node_package, _) = crate::pack::build(tools, root)?;
    cmd::run(cargo(tools, root).args(["build", "-p", "layerlab-cli"]))?;
    let mut command = tools.command("node");
    command
        .current_dir(root)
        .args(["--test", "--test-reporter=spec", "tests/js/"])
        .env("LAYERLAB_PACKAGE", node_package)
        .env("LAYERLAB_CLI", root.join("target/debug/layerlab"));
    Ok(cmd::run_counting(&mut command))
}

/// The wasm tests of the crates that run in the browser, in headless Chromium through
/// wasm-bindgen-test-runner and chromedriver: the page's and the worker's, the kernels' (the
/// matrix multiply's against the reference, compiled to wasm with simd128), the engine's
/// (training runs), the GPU backend's and the `layerlab` package's on Chromium's WebGPU (SwiftShader,
/// through --enable-unsafe-webgpu).
fn wasm_tests(tools: &Tools, root: &Path) -> Result<(bool, Counts), String> {
    const SUITES: &[&[&str]] = &[
        &["-p", "layerlab-worker", "-p", "layerlab-app", "--lib", "--tests"],
        &["-p", "layerlab-kernels", "--lib"],
        &["-p", "layerlab-engine", "--test", "in_browser"],
        &["-p", "layerlab-gpu", "--test", "in_browser"],
        &["-p", "layerlab", "--test", "in_browser"],
    ];
    let (mut ok, mut counts) = (true, Counts { passed: 0, failed: 0 });
    for suite in SUITES {
        let (suite_ok, suite_counts) = cmd::run_counting(&mut wasm_cargo(tools, root, suite)?);
        ok &= suite_ok;
        counts.passed += suite_counts.passed;
        counts.failed += suite_counts.failed;
    }
    Ok((ok, counts))
}

/// `cargo test --target wasm32-unknown-unknown ARGS`, set up to run in headless Chromium.
pub fn wasm_cargo(tools: &Tools, root: &Path, args: &[&str]) -> Result<Command, String> {
    let target = root.join("target");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    let webdriver = target.join("webdriver.json");
    let flags: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| format!("\"{f}\"")).collect();
    let config =
        format!("{{\"goog:chromeOptions\":{{\"binary\":\"{}\",\"args\":[{}]}}}}", tools::CHROMIUM, flags.join(","));
    std::fs::write(&webdriver, config).map_err(|e| format!("cannot write {}: {e}", webdriver.display()))?;
    let mut command = cargo(tools, root);
    command
        .args(["test", "--target", "wasm32-unknown-unknown"])
        .args(args)
        .env("TMPDIR", browser_tmp(root)?)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver)
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "300");
    Ok(command)
}

/// Builds the release app, serves it on a free port, and runs the browser specs in tests/e2e
/// against it with node's test runner and playwright-core driving Debian's Chromium.
fn e2e_tests(tools: &Tools, root: &Path) -> Result<(bool, Counts), String> {
    let python = tools::ensure_torch(root)?;
    let dist = build::release(root, tools)?;
    let server = server::start(&dist, 0)?;
    // The package's example page, served from the package's folder.
    let (node_package, web_package) = crate::pack::build(tools, root)?;
    let example = server::start(web_package.parent().unwrap_or(root), 0)?;
    let mut command = node_in_browser(tools, root, &server.url())?;
    command.env("LAYERLAB_EXAMPLE_URL", example.url()).env("LAYERLAB_PACKAGE", node_package);
    // The export spec checks the page's PyTorch files under PyTorch with it.
    command.env("LAYERLAB_PYTHON", python);
    command.args(["--test", "--test-reporter=spec", "--test-concurrency=1"]);
    Ok(cmd::run_counting(&mut command))
}

/// An empty `target/browser-tmp`, for the browsers' temporary folders: Chromium leaves
/// `org.chromium.Chromium.*` folders behind whenever it is stopped rather than closed, which in
/// the shared /tmp piled up run after run (some tens of MB each) on a disk CI shares.
fn browser_tmp(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("target/browser-tmp");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// `node` in tests/e2e, set up to drive Debian's Chromium against the page served at `url`.
pub fn node_in_browser(tools: &Tools, root: &Path, url: &str) -> Result<Command, String> {
    let mut command = tools.command("node");
    command
        .current_dir(root.join("tests/e2e"))
        .env("TMPDIR", browser_tmp(root)?)
        .env("LAYERLAB_URL", url)
        .env("LAYERLAB_SCREENSHOTS", root.join("target/screenshots"))
        .env("CHROMIUM", tools::CHROMIUM)
        .env("CHROMIUM_FLAGS", CHROMIUM_FLAGS.join(" "));
    Ok(command)
}
