//! The presets: experiments that show a claim of one of the papers LayerLab grew from, each two to
//! four runs to compare (one for grokking, whose effect is within a run), with what to watch and
//! the paper's title. Their files are `assets/presets/*.json`; every run goes through the one
//! decoder ([`crate::json::from_json`]). `crates/cli/tests/presets.rs` plays each preset with
//! its defaults and checks its effect in the numbers.

use serde::Deserialize;
use serde_json::Value;

use crate::json::from_json;
use crate::spec::Spec;

/// One preset.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// The file's name without `.json`: stable, for tests and page ids.
    pub id: &'static str,
    pub title: String,
    /// The title of the paper it shows (several, separated by "; ").
    pub paper: String,
    /// What the runs are, in a sentence or two.
    pub about: String,
    /// What to look at to see the effect.
    pub watch: String,
    pub runs: Vec<Run>,
}

/// One experiment of a preset and its label in the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub label: String,
    pub spec: Spec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    title: String,
    paper: String,
    about: String,
    watch: String,
    runs: Vec<RunFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunFile {
    label: String,
    spec: Value,
}

/// The preset files, in the order the page lists them.
const FILES: [(&str, &str); 10] = [
    ("deep_vs_parallel", include_str!("../../../assets/presets/deep_vs_parallel.json")),
    ("hourglass_vs_mlp", include_str!("../../../assets/presets/hourglass_vs_mlp.json")),
    ("kan_vs_mlp", include_str!("../../../assets/presets/kan_vs_mlp.json")),
    ("attention_rank", include_str!("../../../assets/presets/attention_rank.json")),
    ("lazy_neurons", include_str!("../../../assets/presets/lazy_neurons.json")),
    ("learning_rules", include_str!("../../../assets/presets/learning_rules.json")),
    ("grokking", include_str!("../../../assets/presets/grokking.json")),
    ("sine_vs_relu", include_str!("../../../assets/presets/sine_vs_relu.json")),
    ("experts_vs_dense", include_str!("../../../assets/presets/experts_vs_dense.json")),
    ("vanishing_gradients", include_str!("../../../assets/presets/vanishing_gradients.json")),
];

/// Every preset. The files are part of the program, so one that does not read is a bug: the
/// unit tests read them all.
pub fn all() -> Vec<Preset> {
    FILES.iter().map(|(id, text)| read(id, text).unwrap_or_else(|e| panic!("preset {id}: {e}"))).collect()
}

/// The preset called `id`.
pub fn find(id: &str) -> Option<Preset> {
    FILES.iter().find(|(name, _)| *name == id).map(|(name, text)| read(name, text).unwrap_or_else(|e| panic!("{e}")))
}

fn read(id: &'static str, text: &str) -> Result<Preset, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let runs = file
        .runs
        .into_iter()
        .map(|run| {
            let decoded = from_json(&run.spec.to_string()).map_err(|errors| {
                let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!("run `{}`: {}", run.label, said.join("; "))
            })?;
            if let Some(warning) = decoded.warnings.first() {
                return Err(format!("run `{}`: {warning}", run.label));
            }
            Ok(Run { label: run.label, spec: decoded.spec })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Preset { id, title: file.title, paper: file.paper, about: file.about, watch: file.watch, runs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_reads_with_one_to_four_valid_runs_and_its_paper() {
        let presets = all();
        assert_eq!(presets.len(), 10);
        for p in &presets {
            assert!((1..=4).contains(&p.runs.len()), "{}: {} runs", p.id, p.runs.len());
            assert!(
                !p.title.is_empty() && !p.paper.is_empty() && !p.about.is_empty() && !p.watch.is_empty(),
                "{}",
                p.id
            );
            let labels: std::collections::BTreeSet<&str> = p.runs.iter().map(|r| r.label.as_str()).collect();
            assert_eq!(labels.len(), p.runs.len(), "{}: labels tell the runs apart", p.id);
        }
        assert_eq!(find("grokking").map(|p| p.runs.len()), Some(1));
        assert!(find("no_such").is_none());
    }

    #[test]
    fn a_preset_file_with_a_bad_run_names_it() {
        let text = r#"{"title":"t","paper":"p","about":"a","watch":"w","runs":[{"label":"wide","spec":{"model":[{"dense":{"units":0}}]}}]}"#;
        let e = read("x", text).expect_err("invalid");
        assert!(e.starts_with("run `wide`: model[0].units"), "{e}");
        let unknown = r#"{"title":"t","paper":"p","about":"a","watch":"w","runs":[{"label":"l","spec":{"colour":1}}]}"#;
        assert!(read("x", unknown).expect_err("unknown field").contains("colour"));
    }
}
