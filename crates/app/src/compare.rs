//! Comparing experiments side by side: the list of two to four runs (from a preset or from the
//! playground), each trained by a worker of its own, and the table the page shows of them
//! (parameters, FLOPs, final metrics, time). Pure, so it is tested natively.

use layerlab_spec::Spec;
use layerlab_spec::presets::Preset;

use crate::components::architecture::group;
use crate::run::{Point, RunView};

/// The most runs a comparison holds: each trains in a worker of its own.
pub const MAX_RUNS: usize = 4;

/// One experiment of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub label: String,
    pub spec: Spec,
}

/// The runs of a preset, as a comparison's entries.
pub fn from_preset(preset: &Preset) -> Vec<Entry> {
    preset.runs.iter().map(|r| Entry { label: r.label.clone(), spec: r.spec.clone() }).collect()
}

/// Adds `spec` under a label naming its dataset and blocks; refused, with the reason, when the
/// comparison is full.
pub fn add(entries: &mut Vec<Entry>, spec: Spec) -> Result<(), String> {
    if entries.len() >= MAX_RUNS {
        return Err(format!("a comparison holds at most {MAX_RUNS} runs: remove one first"));
    }
    let blocks: Vec<&str> = spec.model.iter().map(|b| b.kind()).collect();
    let blocks = if blocks.is_empty() { "no hidden blocks".to_string() } else { blocks.join(", ") };
    let label = format!("{}. {}: {blocks}", entries.len() + 1, spec.data.dataset.name());
    entries.push(Entry { label, spec });
    Ok(())
}

/// What the comparison's chart shows of each run over the steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Curve {
    #[default]
    TestLoss,
    TrainLoss,
    TestAccuracy,
}

impl Curve {
    pub const ALL: [Curve; 3] = [Curve::TestLoss, Curve::TrainLoss, Curve::TestAccuracy];

    pub fn name(self) -> &'static str {
        match self {
            Curve::TestLoss => "test_loss",
            Curve::TrainLoss => "train_loss",
            Curve::TestAccuracy => "test_accuracy",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Curve::TestLoss => "Test loss",
            Curve::TrainLoss => "Training loss",
            Curve::TestAccuracy => "Test accuracy",
        }
    }

    pub fn from_name(name: &str) -> Curve {
        Curve::ALL.into_iter().find(|c| c.name() == name).unwrap_or_default()
    }

    /// The curve's value at a point, when the run has it.
    pub fn value(self, p: &Point) -> Option<f64> {
        let v = match self {
            Curve::TestLoss => Some(p.test_loss),
            Curve::TrainLoss => Some(p.train_loss),
            Curve::TestAccuracy => p.test_accuracy,
        };
        v.filter(|v| v.is_finite())
    }
}

/// One row of the comparison's table, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub parameters: String,
    pub flops: String,
    pub steps: String,
    pub train_loss: String,
    pub test_loss: String,
    /// Test accuracy, RMSE or PSNR, whichever the task has.
    pub quality: String,
    pub seconds: String,
    /// Running, finished (and why), or waiting.
    pub state: String,
}

/// The row of `entry`, trained as `view` says, in `seconds` of wall time so far.
pub fn row(entry: &Entry, view: &RunView, seconds: Option<f64>) -> Row {
    let dash = || "—".to_string();
    let info = view.info.as_ref();
    let p = view.progress.as_ref();
    let quality = p.map_or_else(dash, |p| match (p.test_accuracy, p.test_psnr, p.test_rmse) {
        (Some(a), _, _) => format!("{:.1}% accuracy", 100.0 * a),
        (None, Some(psnr), _) => format!("{psnr:.1} dB PSNR"),
        (None, None, Some(rmse)) => format!("{rmse:.4} RMSE"),
        _ => dash(),
    });
    let state = match (&view.stopped, view.playing, p) {
        (Some(why), _, _) => why.clone(),
        (None, true, _) => "training".to_string(),
        (None, false, Some(_)) => "paused".to_string(),
        (None, false, None) => "waiting".to_string(),
    };
    Row {
        label: entry.label.clone(),
        parameters: info.map_or_else(dash, |i| group(i.parameters)),
        flops: info.map_or_else(dash, |i| group(i.flops_per_step)),
        steps: p.map_or_else(dash, |p| format!("{} of {}", group(p.step), group(p.total_steps))),
        train_loss: p.map_or_else(dash, |p| format!("{:.4}", p.train_loss)),
        test_loss: p.map_or_else(dash, |p| format!("{:.4}", p.test_loss)),
        quality,
        seconds: seconds.map_or_else(dash, |s| format!("{s:.1}")),
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerlab_protocol::{Progress, StopReason, WorkerOutput};
    use layerlab_spec::presets;

    #[test]
    fn a_preset_becomes_its_runs_and_a_full_comparison_refuses_more() {
        let preset = presets::find("learning_rules").expect("a preset");
        let mut entries = from_preset(&preset);
        assert_eq!(entries.iter().map(|e| e.label.as_str()).collect::<Vec<_>>()[..2], ["backprop", "Forward-Forward"]);
        let e = add(&mut entries, Spec::default()).expect_err("full");
        assert_eq!(e, "a comparison holds at most 4 runs: remove one first");
        entries.truncate(1);
        add(&mut entries, Spec::default()).expect("room");
        assert_eq!(entries[1].label, "2. circle: dense, dense");
    }

    #[test]
    fn the_row_reads_the_run_and_says_what_it_is_doing() {
        let entry = Entry { label: "a".into(), spec: Spec::default() };
        let waiting = row(&entry, &RunView::default(), None);
        assert_eq!(
            (waiting.parameters.as_str(), waiting.state.as_str(), waiting.seconds.as_str()),
            ("—", "waiting", "—")
        );
        let mut view = RunView::default();
        let progress = Progress {
            step: 1500,
            total_steps: 1500,
            train_loss: 0.01234,
            test_loss: 0.02,
            train_accuracy: None,
            test_accuracy: Some(0.9876),
            test_rmse: None,
            test_psnr: None,
            steps_per_second: 0.0,
            playing: false,
            surface: None,
            neurons: None,
            details: None,
            layers: None,
        };
        view.apply(&WorkerOutput::Progress { progress });
        view.apply(&WorkerOutput::Stopped { step: 1500, reason: StopReason::Finished });
        let done = row(&entry, &view, Some(3.25));
        assert_eq!(done.steps, "1,500 of 1,500");
        assert_eq!(done.train_loss, "0.0123");
        assert_eq!(done.quality, "98.8% accuracy");
        assert_eq!(done.seconds, "3.2");
        assert!(done.state.starts_with("Training finished: all 1500 steps"), "{}", done.state);
    }

    #[test]
    fn curves_read_their_value_and_names_round_trip() {
        let p = Point { step: 3, train_loss: 0.5, test_loss: f64::NAN, test_accuracy: Some(0.75) };
        assert_eq!(Curve::TrainLoss.value(&p), Some(0.5));
        assert_eq!(Curve::TestLoss.value(&p), None, "not finite");
        assert_eq!(Curve::TestAccuracy.value(&p), Some(0.75));
        for c in Curve::ALL {
            assert_eq!(Curve::from_name(c.name()), c);
        }
    }
}
