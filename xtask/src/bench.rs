//! `cargo xtask bench [--quick] [--rules]`: LayerLab against its peers, on the same models, in
//! one run. In the browser (one headless Chromium, the benchmark page `bench/page`): LayerLab's
//! CPU (wasm) and WebGPU backends through the `layerlab` package beside TensorFlow.js's wasm,
//! cpu, webgl and webgpu backends. Natively: the engine (criterion) beside PyTorch on 1 and 2
//! threads, the matrix multiply beside numpy/OpenBLAS on one thread, the GPU backend through
//! Vulkan. The page: bytes it loads, time to interactive, frame times while training. Rows go to
//! `bench/results/<date>-<machine>.json` and `.md` (ratios first); see `bench_report.rs`.
//! Never part of `cargo xtask test`: timings on a shared machine are not pass/fail checks.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::bench_report::{self, Figure, PEAK_MODEL, Row};
use crate::test::{cargo, node_in_browser, wasm_cargo};
use crate::tools::{self, Needs, Tools};
use crate::{build, cmd, pack, rules_table, server};

/// How long each figure is measured: the full run, or `--quick`'s few minutes.
#[derive(Debug, Clone, Copy)]
struct Budget {
    quick: bool,
    /// Seconds of criterion measurement per figure.
    criterion_s: u32,
    /// Milliseconds of timing per browser figure.
    browser_ms: u32,
    /// Seconds per PyTorch / numpy figure.
    peer_s: f64,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let root = cmd::workspace_root();
    let mut budget = Budget { quick: false, criterion_s: 4, browser_ms: 1500, peer_s: 2.0 };
    for arg in args {
        match arg.as_str() {
            "--rules" => {
                let tools = tools::ensure(&root, Needs { browser: false, vulkan: false })?;
                return rules_table::run(&tools, &root);
            }
            "--metrics" => {
                let tools = tools::ensure(&root, Needs { browser: false, vulkan: false })?;
                forget_metrics_cost(&root);
                let measure = budget.criterion_s.to_string();
                let args = ["bench", "-p", "layerlab-engine", "--bench", "metrics", "--", "--warm-up-time", "1"];
                cmd::run(cargo(&tools, &root).args(args).args(["--measurement-time", &measure]))?;
                return metrics_cost(&root);
            }
            "--quick" => budget = Budget { quick: true, criterion_s: 1, browser_ms: 400, peer_s: 0.5 },
            other => return Err(format!("bench takes --quick, --metrics and --rules, not {other:?}")),
        }
    }
    let tools = tools::ensure(&root, Needs { browser: true, vulkan: true })?;
    let mut rows = Vec::new();
    let mut about = json!({
        "date": cmd::output(Command::new("date").arg("+%F")).unwrap_or_default().trim(),
        "machine": bench_report::machine(),
        "quick": budget.quick,
    });

    println!("\n=== native (criterion) ===");
    rows.extend(native_rows(&tools, &root, budget)?);
    if !budget.quick {
        println!("\n=== GPU backend (wgpu, native: Vulkan) ===");
        cmd::run(cargo(&tools, &root).args(["bench", "-p", "layerlab-gpu", "--bench", "gpu"]))?;
        rows.extend(gpu_rows(&root));
    }

    println!("\n=== PyTorch and numpy (native) ===");
    rows.extend(peer_rows(&root, budget, &mut about));
    println!("\n=== literature blocks, natively: LayerLab and PyTorch on the exported model ===");
    rows.extend(block_rows(&tools, &root, budget)?);

    println!("\n=== the browser: LayerLab and TensorFlow.js (headless Chromium) ===");
    rows.extend(wasm_gemm_rows(&tools, &root)?);
    rows.extend(browser_rows(&tools, &root, budget, &mut about)?);

    println!("\n=== the page (release build, headless Chromium) ===");
    rows.extend(page_rows(&tools, &root, budget)?);

    let md = bench_report::write(&root, &rows, &about)?;
    println!("\n{}", std::fs::read_to_string(&md).unwrap_or_default());
    println!("written: {} (and .json beside it)", md.display());
    if !budget.quick {
        metrics_cost(&root)?;
        rules_table::run(&tools, &root)?;
    }
    Ok(())
}

/// The engine's training steps and matrix multiply, natively, one thread (criterion medians).
fn native_rows(tools: &Tools, root: &Path, budget: Budget) -> Result<Vec<Row>, String> {
    let (warm, measure) = ("1".to_string(), budget.criterion_s.to_string());
    let mut benches = vec!["bench", "-p", "layerlab-engine", "--bench", "training", "--bench", "gemm"];
    if !budget.quick {
        forget_metrics_cost(root);
        benches.extend(["--bench", "metrics"]);
    }
    benches.extend(["--", "--warm-up-time", &warm, "--measurement-time", &measure]);
    cmd::run(cargo(tools, root).args(&benches))?;
    let dir = root.join("target/criterion");
    let mut rows = Vec::new();
    for id in subdirs(&dir.join("train_step")) {
        let ns = criterion_median(&dir, "train_step", &id)?;
        rows.push(Row::new(&id, "layerlab", "cpu", "native", 1).with(Figure::MsPerStep(ns / 1e6)));
    }
    for n in [256u64, 512, 1024] {
        let id = format!("sgemm_{n}");
        let ns = criterion_median(&dir, "sgemm", &id)?;
        rows.push(Row::new(&id, "layerlab", "cpu", "native", 1).with(Figure::Gflops(2.0 * (n * n * n) as f64 / ns)));
    }
    // The core's 128-bit multiply-add peak (x86-64 only), the ceiling of wasm's simd128 kernels.
    if dir.join("peak/fma128/new").is_dir() {
        let ns = criterion_median(&dir, "peak", "fma128")?;
        let flops = criterion_elements(&dir, "peak", "fma128")?;
        rows.push(Row::new(PEAK_MODEL, "machine", "fma128", "native", 1).with(Figure::Gflops(flops / ns)));
    }
    Ok(rows)
}

/// The elements per iteration a criterion benchmark declared (its FLOPs, for ours).
fn criterion_elements(dir: &Path, group: &str, id: &str) -> Result<f64, String> {
    let path = dir.join(group).join(id).join("new/benchmark.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    json["throughput"]["Elements"].as_f64().ok_or_else(|| format!("{}: no throughput in elements", path.display()))
}

/// The GPU benchmark's rows (`target/gpu-bench.json`): the picked matrix multiply kernel at each
/// size and the MLPs' steps, read back each step and deferred.
fn gpu_rows(root: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(root.join("target/gpu-bench.json")).unwrap_or_default();
    let list: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
    list.into_iter()
        .filter(|r| r["backend"] != "cpu" && r["picked"] != false)
        .filter_map(|r| {
            let figure = match (r["gflops"].as_f64(), r["ms_per_step"].as_f64()) {
                (Some(g), _) => Figure::Gflops(g),
                (_, Some(ms)) => Figure::MsPerStep(ms),
                _ => return None,
            };
            let mut row = Row::new(r["model"].as_str()?, "layerlab", r["backend"].as_str()?, "native", 1).with(figure);
            row.extra.insert("adapter".into(), r["adapter"].clone());
            Some(row)
        })
        .collect()
}

/// PyTorch on 1 and 2 threads and numpy's sgemm on one, installed into `.tools/venv` when
/// missing. A peer that cannot run leaves a failed row saying why.
fn peer_rows(root: &Path, budget: Budget, about: &mut Value) -> Vec<Row> {
    let python = match tools::ensure_torch(root) {
        Ok(python) => python,
        Err(e) => {
            let mut row = Row::new("all", "pytorch", "cpu", "native", 1);
            row.extra.insert("error".into(), json!(format!("PyTorch could not be installed: {e}")));
            return vec![row];
        }
    };
    let peers = root.join("crates/engine/benches/peers");
    let seconds = budget.peer_s.to_string();
    let mut rows = Vec::new();
    for threads in [1u64, 2] {
        let out = cmd::output(Command::new(&python).arg(peers.join("torch_steps.py")).args([
            "--threads",
            &threads.to_string(),
            "--seconds",
            &seconds,
        ]));
        let Some(json) = out.and_then(|o| serde_json::from_str::<Value>(o.trim()).ok()) else {
            let mut row = Row::new("all", "pytorch", "cpu", "native", threads);
            row.extra.insert("error".into(), json!("torch_steps.py printed no figures"));
            rows.push(row);
            continue;
        };
        about["torch"] = json["torch"].clone();
        about["torch_flush_denormal"] = json["flush_denormal"].clone();
        for (id, us) in numbers(&json["steps_us"]) {
            rows.push(Row::new(&id, "pytorch", "cpu", "native", threads).with(Figure::MsPerStep(us / 1e3)));
        }
        for (id, g) in numbers(&json["gemm_gflops"]) {
            rows.push(Row::new(&id, "pytorch", "cpu", "native", threads).with(Figure::Gflops(g)));
        }
    }
    // One OpenBLAS thread, and its own choice of kernels (OPENBLAS_CORETYPE would pin old ones).
    let mut numpy = Command::new(&python);
    numpy
        .arg(peers.join("numpy_gemm.py"))
        .arg(&seconds)
        .env("OPENBLAS_NUM_THREADS", "1")
        .env_remove("OPENBLAS_CORETYPE");
    match cmd::output(&mut numpy).and_then(|o| serde_json::from_str::<Value>(o.trim()).ok()) {
        Some(json) => {
            about["numpy"] = json["numpy"].clone();
            for (id, g) in numbers(&json["gemm_gflops"]) {
                let mut row = Row::new(&id, "numpy", "openblas", "native", 1).with(Figure::Gflops(g));
                row.extra.insert("blas".into(), json["blas"].clone());
                rows.push(row);
            }
        }
        None => {
            let mut row = Row::new("sgemm", "numpy", "openblas", "native", 1);
            row.extra.insert("error".into(), json!("numpy_gemm.py printed no figures"));
            rows.push(row);
        }
    }
    for row in &rows {
        println!("{}", row.json());
    }
    rows
}

/// The literature blocks (`bench/blocks/*.json`: KAN, MLP-Mixer, attention, mixture of
/// experts) natively: the release CLI's training rate on one thread, and PyTorch training the
/// same model, exported by the CLI (`--export`, then `train.py --time`), on 1 and 2 threads.
fn block_rows(tools: &Tools, root: &Path, budget: Budget) -> Result<Vec<Row>, String> {
    cmd::run(cargo(tools, root).args(["build", "--release", "-p", "layerlab-cli"]))?;
    let cli = root.join("target/release/layerlab");
    let python = tools::ensure_torch(root).ok();
    let steps = if budget.quick { "100" } else { "400" };
    let mut specs: Vec<_> = std::fs::read_dir(root.join("bench/blocks"))
        .map_err(|e| format!("bench/blocks: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    specs.sort();
    let mut rows = Vec::new();
    for spec in specs {
        let name = spec.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let model = format!("block_{name}");
        let dir = root.join("target/bench-blocks").join(&name);
        let mut train = Command::new(&cli);
        train.arg("train").arg(&spec).args(["--steps", steps, "--export"]).arg(&dir);
        match last_json_line(&mut train, &format!("layerlab train {}", spec.display())) {
            Ok(summary) => {
                let rate = summary["steps_per_sec"].as_f64().unwrap_or(f64::NAN);
                let mut row = Row::new(&model, "layerlab", "cpu", "native", 1).with(Figure::MsPerStep(1e3 / rate));
                row.extra.insert("parameters".into(), summary["parameters"].clone());
                rows.push(row);
            }
            Err(e) => {
                let mut row = Row::new(&model, "layerlab", "cpu", "native", 1);
                row.extra.insert("error".into(), json!(e));
                rows.push(row);
                continue;
            }
        }
        let Some(python) = &python else { continue };
        for threads in [1u64, 2] {
            let mut timed = Command::new(python);
            timed.args(["train.py", "--time", "--steps", steps, "--threads", &threads.to_string()]).current_dir(&dir);
            let mut row = Row::new(&model, "pytorch", "cpu", "native", threads);
            match last_json_line(&mut timed, "train.py --time") {
                Ok(json) => row = row.with(json["ms_per_step"].as_f64().map_or(Figure::Failed, Figure::MsPerStep)),
                Err(e) => drop(row.extra.insert("error".into(), json!(e))),
            }
            rows.push(row);
        }
    }
    for row in &rows {
        println!("{}", row.json());
    }
    Ok(rows)
}

/// The engine's matrix multiply compiled to wasm, in Chromium, one thread: `tests/wasm_bench.rs`
/// in release mode, its `LAYERLAB_BENCH` lines; built twice, as the page's worker is: with
/// simd128 (backend `cpu`) and with relaxed SIMD too (`cpu+relaxed-simd`, what Chromium runs),
/// the second into a target folder of its own (`build::relaxed_simd`).
fn wasm_gemm_rows(tools: &Tools, root: &Path) -> Result<Vec<Row>, String> {
    let args = ["--release", "-p", "layerlab-engine", "--test", "wasm_bench", "--", "--nocapture"];
    let mut rows = Vec::new();
    for (backend, relaxed) in [("cpu", false), ("cpu+relaxed-simd", true)] {
        let mut command = wasm_cargo(tools, root, &args)?;
        if relaxed {
            build::relaxed_simd(&mut command, root);
        }
        let output = command.output().map_err(|e| format!("cannot run cargo: {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("the wasm benchmark ({backend}) failed:\n{text}"));
        }
        let before = rows.len();
        for line in text.lines() {
            let Some(json) = line.split_once("LAYERLAB_BENCH ").map(|(_, j)| j) else { continue };
            let v: Value = serde_json::from_str(json.trim()).map_err(|e| format!("`{line}`: {e}"))?;
            if let (Some(id), Some(g)) = (v["id"].as_str(), v["gflops"].as_f64()) {
                let row = Row::new(id, "layerlab", backend, "browser", 1).with(Figure::Gflops(g));
                println!("{}", row.json());
                rows.push(row);
            }
        }
        if rows.len() == before {
            return Err(format!("the wasm benchmark ({backend}) printed no matrix multiply figures:\n{text}"));
        }
    }
    Ok(rows)
}

/// The benchmark page in Chromium (tests/e2e/bench/peers.mjs): its folder is the page, the web
/// package as `layerlab/`, its relaxed-SIMD build as `layerlab-relaxed/` and TensorFlow.js's browser builds and wasm files as `tfjs/`; the
/// literature blocks' specs (bench/blocks) go in as text.
fn browser_rows(tools: &Tools, root: &Path, budget: Budget, about: &mut Value) -> Result<Vec<Row>, String> {
    let bench = root.join("bench");
    if !bench.join("node_modules/@tensorflow/tfjs/package.json").exists() {
        cmd::run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&bench))?;
    }
    let (_, web) = pack::build(tools, root)?;
    let site = root.join("target/bench-page");
    let _ = std::fs::remove_dir_all(&site);
    let copy = |from: &Path, to: &Path| -> Result<(), String> {
        std::fs::create_dir_all(to.parent().unwrap_or(to)).map_err(|e| format!("{}: {e}", to.display()))?;
        std::fs::copy(from, to).map(drop).map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
    };
    for file in ["index.html", "bench.js"] {
        copy(&bench.join("page").join(file), &site.join(file))?;
    }
    // The package's two builds as two modules, to time each: they share the glue.
    for (folder, wasm) in [("layerlab", "layerlab_bg.wasm"), ("layerlab-relaxed", "layerlab_relaxed_bg.wasm")] {
        copy(&web.join("layerlab.js"), &site.join(folder).join("layerlab.js"))?;
        copy(&web.join(wasm), &site.join(folder).join("layerlab_bg.wasm"))?;
    }
    let tf = bench.join("node_modules/@tensorflow");
    for (package, file) in [
        ("tfjs", "tf.min.js"),
        ("tfjs-backend-wasm", "tf-backend-wasm.min.js"),
        ("tfjs-backend-wasm", "tfjs-backend-wasm.wasm"),
        ("tfjs-backend-wasm", "tfjs-backend-wasm-simd.wasm"),
        ("tfjs-backend-wasm", "tfjs-backend-wasm-threaded-simd.wasm"),
        ("tfjs-backend-webgpu", "tf-backend-webgpu.min.js"),
    ] {
        copy(&tf.join(package).join("dist").join(file), &site.join("tfjs").join(file))?;
    }
    let server = server::start(&site, 0)?;
    let mut command = node_in_browser(tools, root, &server.url())?;
    command
        .arg("bench/peers.mjs")
        .env("LAYERLAB_BENCH_URL", server.url())
        .env("BENCH_BUDGET_MS", budget.browser_ms.to_string())
        .env("BENCH_BLOCKS", root.join("bench/blocks"));
    if budget.quick {
        command.env("BENCH_SKIP", "tfjs/cpu,tfjs/webgl");
    }
    let json = last_json_line(&mut command, "the benchmark page")?;
    for key in ["tfjs", "chromium", "user_agent"] {
        about[key] = json[key].clone();
    }
    let mut rows = Vec::new();
    for r in json["rows"].as_array().into_iter().flatten() {
        let text = |k: &str| r[k].as_str().unwrap_or("?").to_string();
        let figure = r["ms_per_step"].as_f64().map_or(Figure::Failed, Figure::MsPerStep);
        let engine = if text("engine") == "tfjs" { "tfjs" } else { "layerlab" };
        let mut row = Row::new(&text("model"), engine, &text("backend"), "browser", r["threads"].as_u64().unwrap_or(1))
            .with(figure);
        for key in ["simd", "threads_available", "adapter", "check", "error", "steps_timed", "loss"] {
            if !r[key].is_null() {
                row.extra.insert(key.into(), r[key].clone());
            }
        }
        println!("{}", row.json());
        rows.push(row);
    }
    if let Some(problems) = json["problems"].as_array().filter(|p| !p.is_empty()) {
        println!("the benchmark page reported: {problems:?}");
    }
    Ok(rows)
}

/// The page itself: gzipped bytes of the wasm and JS it loads, time to interactive on
/// localhost, and frame times while the digits MLP trains (tests/e2e/bench/responsiveness.mjs).
fn page_rows(tools: &Tools, root: &Path, budget: Budget) -> Result<Vec<Row>, String> {
    let dist = build::release(root, tools)?;
    let loaded = build::loaded_bytes(&dist)?;
    let page = |model: &str, value: f64| Row::new(model, "layerlab", "cpu", "browser", 1).with(Figure::Value(value));
    let mut size = page("page_gzip_kb", loaded.gzipped as f64 / 1000.0);
    size.extra.insert("raw_kb".into(), json!(loaded.raw as f64 / 1000.0));
    // The chunks the page fetches when first needed (the export's code, the GPU backend, what
    // they share), gzipped bytes each.
    let chunks: serde_json::Map<String, Value> = loaded.chunks.into_iter().map(|(n, g)| (n, json!(g))).collect();
    size.extra.insert("chunks_gzip_bytes".into(), Value::Object(chunks));
    let mut rows = vec![size];
    let server = server::start(&dist, 0)?;
    let mut command = node_in_browser(tools, root, &server.url())?;
    command.arg("bench/responsiveness.mjs");
    if budget.quick {
        command.env("BENCH_FRAMES_MS", "2000");
    }
    let json = last_json_line(&mut command, "the responsiveness script")?;
    rows.extend(fetched_row(&dist, "cpu", &json["loaded"]));
    rows.extend(fetched_row(&dist, "webgpu", &json["loaded_webgpu"]));
    for (key, model) in [
        ("interactive_ms", "page_interactive_ms"),
        ("frame_p95_ms", "page_frame_p95_ms"),
        ("pause_median_ms", "page_pause_median_ms"),
        ("steps_per_second", "page_steps_per_second"),
    ] {
        if let Some(v) = json[key].as_f64() {
            rows.push(page(model, v));
        }
    }
    for row in &rows {
        println!("{}", row.json());
    }
    Ok(rows)
}

/// Everything the page fetched from a fresh load until it was interactive, as the browser asked
/// for it (`loaded`: the paths the responsiveness script saw requested, the worker's included),
/// gzipped from `dist`: the HTML, CSS and icon beside the wasm and JS of `page_gzip_kb`, and any
/// file fetched on demand (a data file, the GPU's kernels) that the page needed by then. Each
/// file is listed with its size, so what the page loads is seen rather than assumed. `backend`:
/// `cpu` for the default load (Auto, which passes over the headless browser's software adapter),
/// `webgpu` for one with `backend=webgpu`, which fetches the GPU's WGSL files too.
fn fetched_row(dist: &Path, backend: &str, loaded: &Value) -> Option<Row> {
    let paths: Vec<&str> = loaded.as_array()?.iter().filter_map(Value::as_str).collect();
    let mut files = serde_json::Map::new();
    let mut total = 0;
    for path in paths {
        let name = match path.trim_start_matches('/') {
            "" => "index.html",
            name => name,
        };
        let (_, gzipped) = build::file_size(&dist.join(name));
        total += gzipped;
        files.insert(name.to_string(), json!(gzipped));
    }
    let total = Figure::Value(total as f64 / 1000.0);
    let mut row = Row::new("page_fetched_gzip_kb", "layerlab", backend, "browser", 1).with(total);
    row.extra.insert("files".into(), Value::Object(files));
    Some(row)
}

/// Runs `command` and parses the last line of its output that is a JSON object.
fn last_json_line(command: &mut Command, what: &str) -> Result<Value, String> {
    let out = command.output().map_err(|e| format!("could not run {what}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .ok_or_else(|| format!("{what} printed no figures: {}{}", text, String::from_utf8_lossy(&out.stderr)))?;
    serde_json::from_str(line).map_err(|e| format!("{what}: {e}: {line}"))
}

/// Removes earlier results of the `metrics` bench: its ids carry the interval, so one from an
/// earlier interval would be reported beside this run's.
fn forget_metrics_cost(root: &Path) {
    let _ = std::fs::remove_dir_all(root.join("target/criterion/metrics_cost"));
}

/// The layer metrics' share of training at the default interval (`"auto"`), per model of the
/// `metrics` bench: `<model>_steps_<interval>` (the interval's steps) beside `<model>_snapshot`.
fn metrics_cost(root: &Path) -> Result<(), String> {
    let dir = root.join("target/criterion");
    println!("\n=== layer metrics at the default interval (\"auto\"), natively ===");
    for id in subdirs(&dir.join("metrics_cost")) {
        let Some((model, every)) = id.split_once("_steps_") else { continue };
        let steps = criterion_median(&dir, "metrics_cost", &id)?;
        let snapshot = criterion_median(&dir, "metrics_cost", &format!("{model}_snapshot"))?;
        println!(
            "{model}: every {every} steps; {:.3} ms per step, {:.2} ms per snapshot: +{:.1}%",
            steps / 1e6 / every.parse::<f64>().unwrap_or(1.0),
            snapshot / 1e6,
            snapshot / steps * 100.0
        );
    }
    Ok(())
}

/// Criterion's median estimate in ns, from `<dir>/<group>/<id>/new/estimates.json`.
fn criterion_median(dir: &Path, group: &str, id: &str) -> Result<f64, String> {
    let path = dir.join(group).join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    json["median"]["point_estimate"].as_f64().ok_or_else(|| format!("{}: no median", path.display()))
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

/// A JSON object of numbers, as a sorted map.
fn numbers(v: &Value) -> BTreeMap<String, f64> {
    v.as_object().into_iter().flatten().filter_map(|(k, x)| Some((k.clone(), x.as_f64()?))).collect()
}
