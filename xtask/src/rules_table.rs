//! The learning rules side by side (issue: "rule × dataset → test accuracy, steps, peak
//! memory, time per step"): each rule trains the spiral (2-32-32-32-1) and the digits
//! (64-256-256-10) with its recipe from the CLI's learning tests, through the release CLI; the
//! table goes to the terminal and to `target/bench/rules.md` and `rules.json`.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::cmd;
use crate::test::cargo;
use crate::tools::Tools;

/// (rule, dataset, spec file in crates/cli/tests/specs).
const RUNS: &[(&str, &str, &str)] = &[
    ("backprop", "spiral", "backprop_spiral.json"),
    ("backprop", "digits", "backprop_digits.json"),
    ("feedback alignment", "spiral", "dfa_spiral.json"),
    ("feedback alignment", "digits", "dfa_digits.json"),
    ("target projection", "spiral", "tp_spiral.json"),
    ("target projection", "digits", "tp_digits.json"),
    ("Mono-Forward", "spiral", "mf_spiral.json"),
    ("Mono-Forward", "digits", "mf_digits.json"),
    ("Forward-Forward", "spiral", "ff_spiral.json"),
    ("Forward-Forward", "digits", "ff_digits.json"),
];

pub fn run(tools: &Tools, root: &Path) -> Result<(), String> {
    println!("\n=== learning rules (release CLI, CPU, 1 thread) ===");
    cmd::run(cargo(tools, root).args(["build", "--release", "-p", "layerlab-cli"]))?;
    let cli = root.join("target/release/layerlab");
    let mut rows = Vec::new();
    for &(rule, dataset, file) in RUNS {
        let spec = root.join("crates/cli/tests/specs").join(file);
        let out = Command::new(&cli).arg("train").arg(&spec).output().map_err(|e| format!("{}: {e}", cli.display()))?;
        if !out.status.success() {
            return Err(format!("{file}: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let last = stdout.lines().last().ok_or_else(|| format!("{file}: no output"))?;
        let s: Value = serde_json::from_str(last).map_err(|e| format!("{file}: {e}"))?;
        let number = |v: &Value, what: &str| v.as_f64().ok_or_else(|| format!("{file}: no {what} in {last}"));
        rows.push(json!({
            "rule": rule,
            "dataset": dataset,
            "test_accuracy": number(&s["test_accuracy"], "test_accuracy")?,
            "steps": number(&s["step"], "step")?,
            "ms_per_step": 1e3 / number(&s["steps_per_sec"], "steps_per_sec")?,
            "peak_bytes": number(&s["memory"]["peak_bytes"], "memory")?,
            "activation_bytes": number(&s["memory"]["activations"], "memory")?,
        }));
    }
    let table = markdown(&rows);
    println!("{table}");
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let json = serde_json::to_string_pretty(&rows).expect("rows serialise");
    for (name, text) in [("rules.md", table), ("rules.json", json)] {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

fn markdown(rows: &[Value]) -> String {
    let mut t = String::from(
        "| rule | dataset | test accuracy | steps | peak memory per step | of which activations | ms per step |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let kib = |key: &str| r[key].as_f64().unwrap_or(0.0) / 1024.0;
        t.push_str(&format!(
            "| {} | {} | {:.3} | {} | {:.1} KiB | {:.1} KiB | {:.3} |\n",
            r["rule"].as_str().unwrap_or(""),
            r["dataset"].as_str().unwrap_or(""),
            r["test_accuracy"].as_f64().unwrap_or(0.0),
            r["steps"].as_f64().unwrap_or(0.0),
            kib("peak_bytes"),
            kib("activation_bytes"),
            r["ms_per_step"].as_f64().unwrap_or(0.0),
        ));
    }
    t
}
