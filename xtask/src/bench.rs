//! `cargo xtask bench`: LayerLab's training steps and matrix multiply, natively (criterion), on
//! the GPU backend through Vulkan, and in headless Chromium (wasm), beside PyTorch measured in
//! the same run, reported as ratios.
//! Never part of `cargo xtask test`: timings on a shared machine are not pass/fail checks.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::test::{cargo, node_in_browser, wasm_cargo};
use crate::tools::{self, Needs, Tools};
use crate::{build, cmd, rules_table, server};

/// Median µs per training step and GFLOP/s of the matrix multiply, by workload id.
#[derive(Debug, Default)]
struct Figures {
    step_us: BTreeMap<String, f64>,
    gemm_gflops: BTreeMap<String, f64>,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let root = cmd::workspace_root();
    match args {
        [] => {}
        [flag] if flag == "--rules" => {
            let tools = tools::ensure(&root, Needs { browser: false, vulkan: false })?;
            return rules_table::run(&tools, &root);
        }
        _ => return Err(format!("bench takes only --rules, not {args:?}")),
    }
    let tools = tools::ensure(&root, Needs { browser: true, vulkan: true })?;

    println!("\n=== native (criterion) ===");
    cmd::run(cargo(&tools, &root).args([
        "bench",
        "-p",
        "layerlab-engine",
        "--bench",
        "training",
        "--bench",
        "gemm",
        "--bench",
        "metrics",
        "--",
        "--warm-up-time",
        "1",
        "--measurement-time",
        "4",
    ]))?;
    let native = criterion_figures(&root)?;

    println!("\n=== GPU backend (wgpu, native: Vulkan) ===");
    cmd::run(cargo(&tools, &root).args(["bench", "-p", "layerlab-gpu", "--bench", "gpu"]))?;

    println!("\n=== wasm (headless Chromium) ===");
    let wasm = wasm_figures(&tools, &root)?;

    println!("\n=== PyTorch (1 thread) ===");
    let torch = torch_figures(&root);

    report(&native, &wasm, torch.as_ref());
    metrics_cost(&root)?;
    rules_table::run(&tools, &root)?;
    page_responsiveness(&tools, &root)
}

/// The page while the digits MLP trains at full speed in the worker (tests/e2e/bench): frame
/// times and how long Pause takes to take effect, against the goals of 20 ms (p95) and 100 ms.
fn page_responsiveness(tools: &Tools, root: &Path) -> Result<(), String> {
    println!("\n=== the page while training (release build, headless Chromium) ===");
    let dist = build::release(root, tools)?;
    let server = server::start(&dist, 0)?;
    let out = node_in_browser(tools, root, &server.url())
        .arg("bench/responsiveness.mjs")
        .output()
        .map_err(|e| format!("could not run node: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find(|l| l.starts_with('{')).ok_or_else(|| {
        format!("the responsiveness script printed no figures: {}{}", text, String::from_utf8_lossy(&out.stderr))
    })?;
    let json: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{line}: {e}"))?;
    let number = |key: &str| json[key].as_f64().unwrap_or(f64::NAN);
    println!(
        "frame time p50 {:.1} ms, p95 {:.1} ms (goal ≤ 20), max {:.1} ms over {} frames; pause takes effect in {:.1} ms median, {:.1} ms worst of 5 (goal ≤ 100); training at {:.0} steps/s",
        number("frame_p50_ms"),
        number("frame_p95_ms"),
        number("frame_max_ms"),
        number("frames"),
        number("pause_median_ms"),
        number("pause_max_ms"),
        number("steps_per_second"),
    );
    Ok(())
}

/// The layer metrics' share of a metrics interval (50 steps of the digits MLP plus one snapshot).
fn metrics_cost(root: &Path) -> Result<(), String> {
    let dir = root.join("target/criterion/metrics_cost");
    let median = |id: &str| -> Result<f64, String> {
        let path = dir.join(id).join("new/estimates.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        json["median"]["point_estimate"].as_f64().ok_or_else(|| format!("{}: no median", path.display()))
    };
    let (steps, snapshot) = (median("interval_steps")?, median("snapshot")?);
    println!(
        "\n=== layer metrics: {:.1} ms per interval of 50 steps, {:.1} ms per snapshot: +{:.1}% ===",
        steps / 1e6,
        snapshot / 1e6,
        snapshot / steps * 100.0
    );
    Ok(())
}

/// Criterion's median estimates from `target/criterion/<group>/<id>/new/estimates.json`.
fn criterion_figures(root: &Path) -> Result<Figures, String> {
    let dir = root.join("target/criterion");
    let median_ns = |group: &str, id: &str| -> Result<f64, String> {
        let path = dir.join(group).join(id).join("new/estimates.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        json["median"]["point_estimate"].as_f64().ok_or_else(|| format!("{}: no median", path.display()))
    };
    let mut figures = Figures::default();
    for id in subdirs(&dir.join("train_step")) {
        figures.step_us.insert(id.clone(), median_ns("train_step", &id)? / 1e3);
    }
    for n in [256u64, 512] {
        let id = format!("sgemm_{n}");
        let ns = median_ns("sgemm", &id)?;
        figures.gemm_gflops.insert(id, 2.0 * (n * n * n) as f64 / ns);
    }
    Ok(figures)
}

fn subdirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("new").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `tests/wasm_bench.rs` in release mode in Chromium and reads its `LAYERLAB_BENCH` lines.
fn wasm_figures(tools: &Tools, root: &Path) -> Result<Figures, String> {
    let args = ["--release", "-p", "layerlab-engine", "--test", "wasm_bench", "--", "--nocapture"];
    let mut command = wasm_cargo(tools, root, &args)?;
    let output = command.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("the wasm benchmark failed:\n{text}"));
    }
    let mut figures = Figures::default();
    for line in text.lines() {
        let Some(json) = line.split_once("LAYERLAB_BENCH ").map(|(_, j)| j) else { continue };
        let v: serde_json::Value = serde_json::from_str(json.trim()).map_err(|e| format!("`{line}`: {e}"))?;
        let id = v["id"].as_str().unwrap_or_default().to_string();
        match v["kind"].as_str() {
            Some("step") => figures.step_us.insert(id, v["us"].as_f64().unwrap_or(f64::NAN)),
            _ => figures.gemm_gflops.insert(id, v["gflops"].as_f64().unwrap_or(f64::NAN)),
        };
    }
    if figures.step_us.is_empty() {
        return Err(format!("the wasm benchmark printed no LAYERLAB_BENCH lines:\n{text}"));
    }
    Ok(figures)
}

/// PyTorch's figures from `crates/engine/benches/peers/torch_steps.py`, installing PyTorch into
/// `.tools/venv` from PyPI when it is missing. `None`, with the reason printed, when it cannot.
fn torch_figures(root: &Path) -> Option<Figures> {
    let python = match tools::ensure_torch(root) {
        Ok(python) => python,
        Err(e) => {
            println!("PyTorch could not be installed ({e}): the peer column stays empty");
            return None;
        }
    };
    let script = root.join("crates/engine/benches/peers/torch_steps.py");
    let out = cmd::output(Command::new(&python).arg(&script))?;
    let json: serde_json::Value = serde_json::from_str(out.trim()).ok()?;
    println!("PyTorch {}", json["torch"].as_str().unwrap_or("?"));
    let map = |v: &serde_json::Value| -> BTreeMap<String, f64> {
        v.as_object().into_iter().flatten().filter_map(|(k, x)| Some((k.clone(), x.as_f64()?))).collect()
    };
    Some(Figures { step_us: map(&json["steps_us"]), gemm_gflops: map(&json["gemm_gflops"]) })
}

fn report(native: &Figures, wasm: &Figures, torch: Option<&Figures>) {
    let cell = |v: Option<&f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"));
    let ratio = |peer: Option<&f64>, ours: Option<&f64>, higher_is_better: bool| match (peer, ours) {
        (Some(p), Some(o)) if higher_is_better => format!("{:.2}×", o / p),
        (Some(p), Some(o)) => format!("{:.2}×", p / o),
        _ => "—".to_string(),
    };
    let torch_steps = torch.map(|t| &t.step_us);
    println!("\n=== training step, median µs (speed vs PyTorch: >1× is faster than PyTorch) ===");
    println!("{:<32} {:>12} {:>12} {:>12} {:>10} {:>10}", "model", "native", "wasm", "PyTorch", "native", "wasm");
    for (id, us) in &native.step_us {
        let peer = torch_steps.and_then(|t| t.get(id));
        let w = wasm.step_us.get(id);
        println!(
            "{id:<32} {:>12} {:>12} {:>12} {:>10} {:>10}",
            cell(Some(us)),
            cell(w),
            cell(peer),
            ratio(peer, Some(us), false),
            ratio(peer, w, false)
        );
    }
    let torch_gemm = torch.map(|t| &t.gemm_gflops);
    println!("\n=== matrix multiply, GFLOP/s (vs PyTorch: >1× is faster) ===");
    println!("{:<32} {:>12} {:>12} {:>12} {:>10} {:>10}", "size", "native", "wasm", "PyTorch", "native", "wasm");
    for (id, g) in &native.gemm_gflops {
        let peer = torch_gemm.and_then(|t| t.get(id));
        let w = wasm.gemm_gflops.get(id);
        println!(
            "{id:<32} {:>12} {:>12} {:>12} {:>10} {:>10}",
            cell(Some(g)),
            cell(w),
            cell(peer),
            ratio(peer, Some(g), true),
            ratio(peer, w, true)
        );
    }
}
