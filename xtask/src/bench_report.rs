//! The benchmark's results: rows (one figure each: an engine, on a backend, somewhere, with so
//! many threads, on a model), the goals of issue 11 as ratios computed from rows of the same
//! run, and the files under `bench/results/` (JSON for anyone to recompute the ratios, Markdown
//! for people: ratios first, absolute figures beside them, the machine described).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// One measured figure and what it is of.
#[derive(Debug, Clone)]
pub struct Row {
    pub model: String,
    pub engine: &'static str,
    pub backend: String,
    pub place: &'static str,
    pub threads: u64,
    pub figure: Figure,
    /// Anything else worth keeping (SIMD on, the adapter, a failure's message).
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Copy)]
pub enum Figure {
    MsPerStep(f64),
    Gflops(f64),
    /// Page figures: bytes or milliseconds, named by the row's model.
    Value(f64),
    /// The run failed; `extra.error` says why.
    Failed,
}

impl Row {
    pub fn new(model: &str, engine: &'static str, backend: &str, place: &'static str, threads: u64) -> Row {
        Row {
            model: model.to_string(),
            engine,
            backend: backend.to_string(),
            place,
            threads,
            figure: Figure::Failed,
            extra: Map::new(),
        }
    }

    pub fn with(mut self, figure: Figure) -> Row {
        self.figure = figure;
        self
    }

    pub fn json(&self) -> Value {
        let mut object = json!({
            "model": self.model, "engine": self.engine, "backend": self.backend,
            "where": self.place, "threads": self.threads,
        });
        let map = object.as_object_mut().expect("an object");
        match self.figure {
            Figure::MsPerStep(ms) => map.insert("ms_per_step".into(), json!(ms)),
            Figure::Gflops(g) => map.insert("gflops".into(), json!(g)),
            Figure::Value(v) => map.insert("value".into(), json!(v)),
            Figure::Failed => None,
        };
        map.extend(self.extra.clone());
        object
    }
}

/// The figure of the row matching all of `model`, `engine`, `backend`, `place`, `threads`.
fn find(rows: &[Row], model: &str, engine: &str, backend: &str, place: &str, threads: u64) -> Option<f64> {
    rows.iter()
        .find(|r| {
            r.model == model && r.engine == engine && r.backend == backend && r.place == place && r.threads == threads
        })
        .and_then(|r| match r.figure {
            Figure::MsPerStep(v) | Figure::Gflops(v) | Figure::Value(v) => Some(v),
            Figure::Failed => None,
        })
}

/// The wasm matrix multiply as a share of the core's 128-bit multiply-add peak (the widest
/// vectors wasm has), so that its goal can be read on a machine other than the one it was set on.
fn share_of_peak(rows: &[Row]) -> Option<String> {
    let peak = find(rows, PEAK_MODEL, PEAK.0, PEAK.1, PEAK.2, PEAK.3)?;
    let side = |s: Side| find(rows, "sgemm_512", s.0, s.1, s.2, s.3);
    let (relaxed, plain) = (side(WASM_RELAXED)?, side(WASM_CPU)?);
    Some(format!(
        "The wasm matrix multiply at 512³ runs at {:.0} % of this core's 128-bit multiply-add peak with \
         relaxed SIMD and {:.0} % without ({peak:.1} GFLOP/s, measured natively: ten `_mm_fmadd_ps` chains in \
         registers, the ceiling of a 128-bit kernel).",
        100.0 * relaxed / peak,
        100.0 * plain / peak,
    ))
}

/// Which side of a comparison: `(engine, backend, where, threads)`.
type Side = (&'static str, &'static str, &'static str, u64);

/// A goal of issue 11: LayerLab's figure against a peer's (a speed-up of at least `at_least`),
/// or, without a peer, an absolute bound.
struct Goal {
    what: &'static str,
    model: &'static str,
    ours: Side,
    peer: Option<Side>,
    /// For ratios: peer ms / our ms (or our GFLOP/s / peer's). Absolute: the figure itself.
    at_least: Option<f64>,
    at_most: Option<f64>,
    gflops: bool,
}

const TINY: &str = "mlp_2-8-8-1_tanh_b10";
const MEDIUM: &str = "mlp_2-64-64-64-2_relu_b256";
const LARGE: &str = "mlp_784-256-256-10_relu_b128";
const WASM_CPU: Side = ("layerlab", "cpu", "browser", 1);
/// The page's build where the browser has relaxed SIMD (`www/start.js`).
const WASM_RELAXED: Side = ("layerlab", "cpu+relaxed-simd", "browser", 1);
const WEBGPU: Side = ("layerlab", "webgpu", "browser", 1);
const NATIVE: Side = ("layerlab", "cpu", "native", 1);
/// The core's 128-bit multiply-add peak, measured natively (the engine's gemm benchmark).
pub const PEAK_MODEL: &str = "fma128_peak";
const PEAK: Side = ("machine", "fma128", "native", 1);

const fn speedup(what: &'static str, model: &'static str, ours: Side, peer: Side, at_least: f64, gflops: bool) -> Goal {
    Goal { what, model, ours, peer: Some(peer), at_least: Some(at_least), at_most: None, gflops }
}

const GOALS: &[Goal] = &[
    speedup(
        "browser CPU (relaxed SIMD) vs TF.js wasm, tiny",
        TINY,
        WASM_RELAXED,
        ("tfjs", "wasm", "browser", 1),
        100.0,
        false,
    ),
    speedup(
        "browser CPU (relaxed SIMD) vs TF.js wasm, medium",
        MEDIUM,
        WASM_RELAXED,
        ("tfjs", "wasm", "browser", 1),
        10.0,
        false,
    ),
    speedup(
        "browser CPU (relaxed SIMD) vs TF.js wasm, large",
        LARGE,
        WASM_RELAXED,
        ("tfjs", "wasm", "browser", 1),
        6.0,
        false,
    ),
    Goal {
        what: "wasm matrix multiply at 512³ (relaxed SIMD, as Chromium runs the page), GFLOP/s",
        model: "sgemm_512",
        ours: WASM_RELAXED,
        peer: None,
        at_least: Some(50.0),
        at_most: None,
        gflops: true,
    },
    speedup("WebGPU vs TF.js webgpu, tiny", TINY, WEBGPU, ("tfjs", "webgpu", "browser", 1), 1.0, false),
    speedup("WebGPU vs TF.js webgpu, medium", MEDIUM, WEBGPU, ("tfjs", "webgpu", "browser", 1), 1.0, false),
    speedup("WebGPU vs TF.js webgpu, large", LARGE, WEBGPU, ("tfjs", "webgpu", "browser", 1), 1.0, false),
    speedup("native vs PyTorch (1 thread), tiny", TINY, NATIVE, ("pytorch", "cpu", "native", 1), 100.0, false),
    speedup("native vs PyTorch (1 thread), medium", MEDIUM, NATIVE, ("pytorch", "cpu", "native", 1), 2.0, false),
    speedup("native vs PyTorch (1 thread), large", LARGE, NATIVE, ("pytorch", "cpu", "native", 1), 0.8, false),
    speedup(
        "native matmul vs numpy (1 thread), 512³",
        "sgemm_512",
        NATIVE,
        ("numpy", "openblas", "native", 1),
        0.6,
        true,
    ),
    speedup(
        "native matmul vs numpy (1 thread), 1024³",
        "sgemm_1024",
        NATIVE,
        ("numpy", "openblas", "native", 1),
        0.6,
        true,
    ),
    Goal {
        what: "page: wasm and JS it loads, gzipped KB",
        model: "page_gzip_kb",
        ours: WASM_CPU,
        peer: None,
        at_least: None,
        at_most: Some(500.0),
        gflops: false,
    },
    Goal {
        what: "page: interactive on localhost, ms",
        model: "page_interactive_ms",
        ours: WASM_CPU,
        peer: None,
        at_least: None,
        at_most: Some(1000.0),
        gflops: false,
    },
];

/// One goal's outcome: measured figure, target, met (None when a figure is missing).
fn judge(goal: &Goal, rows: &[Row]) -> (Option<f64>, String, Option<bool>) {
    let (e, b, p, t) = goal.ours;
    let ours = find(rows, goal.model, e, b, p, t);
    let measured = match goal.peer {
        None => ours,
        Some((pe, pb, pp, pt)) => {
            let peer = find(rows, goal.model, pe, pb, pp, pt);
            match (ours, peer) {
                (Some(o), Some(p)) if goal.gflops => Some(o / p),
                (Some(o), Some(p)) => Some(p / o),
                _ => None,
            }
        }
    };
    let unit = if goal.peer.is_some() { "×" } else { "" };
    let target = match (goal.at_least, goal.at_most) {
        (Some(l), _) => format!("≥ {l}{unit}"),
        (_, Some(m)) => format!("≤ {m}{unit}"),
        _ => String::new(),
    };
    let met = measured.map(|m| goal.at_least.is_none_or(|l| m >= l) && goal.at_most.is_none_or(|x| m <= x));
    (measured, target, met)
}

/// The machine, in words: CPU model, cores, OS.
pub fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let avx512 = cpuinfo.contains(" avx512f");
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
        .unwrap_or_default();
    json!({ "cpu": cpu, "cores": cores, "avx512": avx512, "os": os })
}

/// The Markdown report: goals (ratios) first, then every figure by model.
pub fn markdown(rows: &[Row], about: &Value) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# LayerLab benchmark, {}\n", about["date"].as_str().unwrap_or("?"));
    let m = &about["machine"];
    let _ = writeln!(
        md,
        "Machine: {}, {} cores{}, {}. Chromium {}, TensorFlow.js {}, PyTorch {}{}, numpy {}.{}\n",
        m["cpu"].as_str().unwrap_or("?"),
        m["cores"],
        if m["avx512"].as_bool() == Some(true) { " (AVX-512)" } else { "" },
        m["os"].as_str().unwrap_or("?"),
        about["chromium"].as_str().unwrap_or("?"),
        about["tfjs"].as_str().unwrap_or("?"),
        about["torch"].as_str().unwrap_or("?"),
        if about["torch_flush_denormal"].as_bool() == Some(true) { " (subnormals flushed)" } else { "" },
        about["numpy"].as_str().unwrap_or("?"),
        if about["quick"].as_bool() == Some(true) { " Quick run (`--quick`): short timings." } else { "" },
    );
    let _ =
        writeln!(md, "## Goals (ratios from this run)\n\n| goal | measured | target | met |\n|---|---:|---:|:---:|");
    for goal in GOALS {
        let (measured, target, met) = judge(goal, rows);
        let unit = if goal.peer.is_some() { "×" } else { "" };
        let shown = measured.map_or_else(|| "—".to_string(), |v| format!("{v:.2}{unit}"));
        let verdict = match met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        };
        let _ = writeln!(md, "| {} | {shown} | {target} | {verdict} |", goal.what);
    }
    if let Some(line) = share_of_peak(rows) {
        let _ = writeln!(md, "\n{line}");
    }
    let mut blocks: Vec<&str> = rows.iter().map(|r| r.model.as_str()).filter(|m| m.starts_with("block_")).collect();
    blocks.sort_unstable();
    blocks.dedup();
    if !blocks.is_empty() {
        let _ = writeln!(
            md,
            "\n## Literature blocks (speed-ups; no goal set)\n\nTensorFlow.js has no KAN, MLP-Mixer or \
             mixture-of-experts layer to compare with; PyTorch trains the model LayerLab exports.\n\n\
             | block | native vs PyTorch (1 thread) | native vs PyTorch (2 threads) | browser CPU vs native | WebGPU vs browser CPU |\n\
             |---|---:|---:|---:|---:|"
        );
        for block in blocks {
            let ms = |side: Side| find(rows, block, side.0, side.1, side.2, side.3);
            let ratio = |peer: Option<f64>, ours: Option<f64>| match (peer, ours) {
                (Some(p), Some(o)) => format!("{:.2}×", p / o),
                _ => "—".to_string(),
            };
            let _ = writeln!(
                md,
                "| {block} | {} | {} | {} | {} |",
                ratio(ms(("pytorch", "cpu", "native", 1)), ms(NATIVE)),
                ratio(ms(("pytorch", "cpu", "native", 2)), ms(NATIVE)),
                ratio(ms(NATIVE), ms(WASM_CPU)),
                ratio(ms(WASM_CPU), ms(WEBGPU)),
            );
        }
    }
    let _ = writeln!(
        md,
        "\n## Every figure\n\nms per step (forward, loss, backward, Adam; median after warm-up), GFLOP/s, or the page \
         figure named.\n\n| model | engine | backend | where | threads | figure | notes |\n|---|---|---|---|---:|---:|---|"
    );
    for r in rows {
        let figure = match r.figure {
            Figure::MsPerStep(ms) => format!("{ms:.4} ms"),
            Figure::Gflops(g) => format!("{g:.1} GFLOP/s"),
            Figure::Value(v) => format!("{v:.1}"),
            Figure::Failed => "failed".into(),
        };
        let notes: Vec<String> = r
            .extra
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "steps_timed" | "loss"))
            .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {figure} | {} |",
            r.model,
            r.engine,
            r.backend,
            r.place,
            r.threads,
            notes.join("; ").replace('|', "/")
        );
    }
    md
}

/// Writes `bench/results/<date>-<machine>.json` and `.md`; returns the Markdown's path.
pub fn write(root: &Path, rows: &[Row], about: &Value) -> Result<PathBuf, String> {
    let dir = root.join("bench/results");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cpu = about["machine"]["cpu"].as_str().unwrap_or("machine");
    let slug: String = cpu
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "processor" | "core" | "tm" | "r"))
        .take(4)
        .collect::<Vec<_>>()
        .join("-");
    let quick = if about["quick"].as_bool() == Some(true) { "-quick" } else { "" };
    let stem = format!("{}-{slug}-{}cpu{quick}", about["date"].as_str().unwrap_or("today"), about["machine"]["cores"]);
    let mut whole = about.clone();
    whole["rows"] = Value::Array(rows.iter().map(Row::json).collect());
    let json_path = dir.join(format!("{stem}.json"));
    let text = serde_json::to_string_pretty(&whole).map_err(|e| e.to_string())?;
    std::fs::write(&json_path, text + "\n").map_err(|e| format!("{}: {e}", json_path.display()))?;
    let md_path = dir.join(format!("{stem}.md"));
    std::fs::write(&md_path, markdown(rows, about)).map_err(|e| format!("{}: {e}", md_path.display()))?;
    Ok(md_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(model: &str, engine: &'static str, backend: &str, place: &'static str, v: f64) -> Row {
        Row::new(model, engine, backend, place, 1).with(Figure::MsPerStep(v))
    }

    #[test]
    fn goals_are_ratios_of_rows_of_the_same_run() {
        let rows = vec![
            ms(TINY, "layerlab", "cpu+relaxed-simd", "browser", 0.004),
            ms(TINY, "layerlab", "cpu", "browser", 0.02),
            ms(TINY, "tfjs", "wasm", "browser", 0.5),
            ms(MEDIUM, "layerlab", "cpu+relaxed-simd", "browser", 0.5),
            ms(MEDIUM, "tfjs", "wasm", "browser", 3.4),
            Row::new("sgemm_512", "layerlab", "cpu", "native", 1).with(Figure::Gflops(150.0)),
            Row::new("sgemm_512", "numpy", "openblas", "native", 1).with(Figure::Gflops(200.0)),
            Row::new("page_gzip_kb", "layerlab", "cpu", "browser", 1).with(Figure::Value(620.0)),
            Row::new("sgemm_512", "layerlab", "cpu", "browser", 1).with(Figure::Gflops(42.0)),
            Row::new("sgemm_512", "layerlab", "cpu+relaxed-simd", "browser", 1).with(Figure::Gflops(51.0)),
        ];
        let by_name = |what: &str| judge(GOALS.iter().find(|g| g.what == what).expect("a goal"), &rows);
        let (tiny, _, met) = by_name("browser CPU (relaxed SIMD) vs TF.js wasm, tiny");
        assert!(
            (tiny.expect("measured") - 125.0).abs() < 1e-9,
            "the relaxed build's row, as the page runs in Chromium"
        );
        assert_eq!(met, Some(true));
        let (medium, target, met) = by_name("browser CPU (relaxed SIMD) vs TF.js wasm, medium");
        assert!((medium.expect("measured") - 6.8).abs() < 1e-9);
        assert_eq!((target.as_str(), met), ("≥ 10×", Some(false)));
        let (gemm, _, met) = by_name("native matmul vs numpy (1 thread), 512³");
        assert!((gemm.expect("measured") - 0.75).abs() < 1e-9, "ours over theirs for GFLOP/s");
        assert_eq!(met, Some(true));
        assert_eq!(by_name("page: wasm and JS it loads, gzipped KB").2, Some(false));
        let wasm_gemm = by_name("wasm matrix multiply at 512³ (relaxed SIMD, as Chromium runs the page), GFLOP/s");
        assert_eq!((wasm_gemm.0, wasm_gemm.2), (Some(51.0), Some(true)), "the relaxed build's row, as the page runs");
        assert_eq!(by_name("browser CPU (relaxed SIMD) vs TF.js wasm, large").2, None, "no rows, not measured");
        let md = markdown(&rows, &json!({"date": "2026-11-28", "machine": machine(), "torch": "2.15.0"}));
        assert!(md.contains("| browser CPU (relaxed SIMD) vs TF.js wasm, medium | 6.80× | ≥ 10× | **no** |"), "{md}");
        assert!(md.contains("PyTorch 2.15.0, numpy"), "{md}");
        let flushed =
            json!({"date": "2026-11-28", "machine": machine(), "torch": "2.15.0", "torch_flush_denormal": true});
        assert!(
            markdown(&rows, &flushed).contains("PyTorch 2.15.0 (subnormals flushed), numpy"),
            "the peer's setting is said"
        );
        assert!(!md.contains("multiply-add peak"), "no peak row, no share of it: {md}");
        let mut with_peak = rows.clone();
        with_peak.push(Row::new(PEAK_MODEL, "machine", "fma128", "native", 1).with(Figure::Gflops(60.0)));
        let md = markdown(&with_peak, &json!({"date": "2026-11-28", "machine": machine()}));
        assert!(
            md.contains(
                "runs at 85 % of this core's 128-bit multiply-add peak with relaxed SIMD and 70 % without (60.0 GFLOP/s"
            ),
            "{md}"
        );
    }
}
