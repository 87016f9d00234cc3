//! The page's view of the run in the worker: what it was told (run info, progress, stops) and
//! the loss history it draws. Pure, so it is tested natively.

use layerlab_protocol::{Progress, RunInfo, Snapshot, WorkerOutput, snapshot_csv};

/// The most points the loss history keeps; beyond it, every other point is dropped, so a long
/// run costs the page the same as a short one.
pub const HISTORY_POINTS: usize = 1000;
/// The most layer snapshots kept for the curves of the layer metrics (thinned the same way).
pub const LAYER_POINTS: usize = 300;

/// One point of the loss curves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub step: u64,
    pub train_loss: f64,
    pub test_loss: f64,
    pub test_accuracy: Option<f64>,
}

/// The point of `history` (in step order) nearest to `step`.
pub fn nearest(history: &[Point], step: u64) -> Option<usize> {
    let after = history.partition_point(|p| p.step < step);
    let before = after.checked_sub(1);
    match (before, (after < history.len()).then_some(after)) {
        (Some(b), Some(a)) => Some(if step - history[b].step <= history[a].step - step { b } else { a }),
        (b, a) => b.or(a),
    }
}

/// Everything the output panel shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunView {
    pub info: Option<RunInfo>,
    pub progress: Option<Progress>,
    pub history: Vec<Point>,
    /// Whether training is on, as the worker last said.
    pub playing: bool,
    /// Why training stopped by itself, as a sentence.
    pub stopped: Option<String>,
    /// Set when a new run replaced one that had trained (the architecture or data changed).
    pub restarted: bool,
    /// The latest layer metrics, attention maps included.
    pub layers: Option<Snapshot>,
    /// Layer metrics over time (without attention maps), at most [`LAYER_POINTS`].
    pub layer_history: Vec<Snapshot>,
    /// How many points the history skips between two kept ones (doubles on each thinning).
    stride: u64,
}

impl RunView {
    /// Takes in one message from the worker; `false` when it was not about the run.
    pub fn apply(&mut self, output: &WorkerOutput) -> bool {
        match output {
            WorkerOutput::Loaded { info } => {
                let trained = self.progress.as_ref().is_some_and(|p| p.step > 0);
                *self = RunView { info: Some(info.clone()), restarted: trained, ..RunView::default() };
            }
            WorkerOutput::Retuned { info } => {
                self.info = Some(info.clone());
                self.stopped = None;
            }
            WorkerOutput::Progress { progress } => {
                self.playing = progress.playing;
                self.record(progress);
                if let Some(snapshot) = &progress.layers {
                    self.record_layers(snapshot);
                }
                self.progress = Some(progress.clone());
            }
            WorkerOutput::Stopped { step, reason } => {
                self.playing = false;
                self.stopped = Some(reason.describe(*step));
            }
            _ => return false,
        }
        true
    }

    fn record_layers(&mut self, snapshot: &Snapshot) {
        let mut lean = snapshot.clone();
        lean.layers.iter_mut().for_each(|l| l.attention = None);
        match self.layer_history.last_mut() {
            Some(last) if last.step == lean.step => *last = lean,
            _ => self.layer_history.push(lean),
        }
        if self.layer_history.len() > LAYER_POINTS {
            halve(&mut self.layer_history);
        }
        self.layers = Some(snapshot.clone());
    }

    /// The loss history as CSV, in the columns `layerlab train --out` writes (those the page
    /// keeps; an empty cell where a task has no accuracy).
    pub fn metrics_csv(&self) -> String {
        let mut csv = String::from("step,train_loss,test_loss,test_accuracy\n");
        for p in &self.history {
            let accuracy = p.test_accuracy.map(|a| a.to_string()).unwrap_or_default();
            csv.push_str(&format!("{},{},{},{accuracy}\n", p.step, p.train_loss, p.test_loss));
        }
        csv
    }

    /// The layer metrics over time as CSV, one row per layer per measurement, as the CLI writes
    /// them beside its main file.
    pub fn layers_csv(&self) -> String {
        let mut csv = format!("{}\n", snapshot_csv::LAYERS_HEADER);
        for snapshot in &self.layer_history {
            csv.push_str(&snapshot_csv::layer_rows(snapshot));
        }
        csv
    }

    fn record(&mut self, p: &Progress) {
        let stride = self.stride.max(1);
        let point =
            Point { step: p.step, train_loss: p.train_loss, test_loss: p.test_loss, test_accuracy: p.test_accuracy };
        match self.history.last() {
            Some(last) if last.step == p.step => {
                *self.history.last_mut().expect("not empty") = point;
                return;
            }
            Some(last) if p.step < last.step + stride && p.step != 0 => return,
            _ => {}
        }
        self.history.push(point);
        if self.history.len() > HISTORY_POINTS {
            halve(&mut self.history);
            self.stride = stride * 2;
        }
    }
}

/// Keeps every other entry (the first included): a history grown past its bound.
fn halve<T>(history: &mut Vec<T>) {
    *history = std::mem::take(history).into_iter().step_by(2).collect();
}

#[cfg(test)]
mod tests {
    use layerlab_protocol::StopReason;

    use super::*;

    fn progress(step: u64) -> WorkerOutput {
        WorkerOutput::Progress {
            progress: Progress {
                step,
                total_steps: 1_000_000,
                train_loss: 1.0 / (step + 1) as f64,
                test_loss: 1.0,
                train_accuracy: None,
                test_accuracy: Some(0.5),
                test_rmse: None,
                test_psnr: None,
                steps_per_second: 0.0,
                playing: true,
                surface: None,
                neurons: None,
                details: None,
                layers: Some(Snapshot { step, layers: Vec::new(), similarity: None }),
            },
        }
    }

    fn info() -> RunInfo {
        RunInfo {
            parameters: 1,
            flops_per_step: 1,
            total_steps: 1,
            classes: 2,
            train_examples: 1,
            test_examples: 1,
            points: None,
            target_image: None,
            preview: None,
            memory: Default::default(),
        }
    }

    #[test]
    fn the_history_stays_bounded_and_spans_the_whole_run() {
        let mut view = RunView::default();
        view.apply(&WorkerOutput::Loaded { info: info() });
        for step in 0..50_000 {
            assert!(view.apply(&progress(step)));
        }
        assert!(view.history.len() <= HISTORY_POINTS, "{}", view.history.len());
        assert!(view.history.len() >= HISTORY_POINTS / 2);
        assert_eq!(view.history[0].step, 0);
        assert!(view.history.last().unwrap().step > 49_000);
        assert!(view.history.windows(2).all(|w| w[0].step < w[1].step));
        assert_eq!(view.progress.as_ref().unwrap().step, 49_999, "the latest numbers are always shown");
        assert!(view.layer_history.len() <= LAYER_POINTS && view.layer_history.len() >= LAYER_POINTS / 2);
        assert_eq!(view.layers.as_ref().unwrap().step, 49_999);
    }

    #[test]
    fn a_new_run_clears_the_history_and_says_it_restarted() {
        let mut view = RunView::default();
        view.apply(&WorkerOutput::Loaded { info: info() });
        assert!(!view.restarted, "the first run replaces nothing");
        view.apply(&progress(0));
        view.apply(&progress(10));
        view.apply(&WorkerOutput::Stopped { step: 10, reason: StopReason::Finished });
        assert!(!view.playing && view.stopped.as_deref().unwrap().contains("finished"));
        view.apply(&WorkerOutput::Retuned { info: info() });
        assert!(view.stopped.is_none() && view.history.len() == 2);
        view.apply(&WorkerOutput::Loaded { info: info() });
        assert!(view.restarted && view.history.is_empty() && view.progress.is_none());
        assert!(!view.apply(&WorkerOutput::Pong { nonce: 1 }));
    }

    #[test]
    fn the_nearest_point_to_a_step_is_found_on_either_side() {
        let point = |step| Point { step, train_loss: 1.0, test_loss: 1.0, test_accuracy: None };
        let history: Vec<Point> = [0, 10, 20, 40].into_iter().map(point).collect();
        let cases = [(0, 0), (4, 0), (6, 1), (10, 1), (15, 1), (29, 2), (31, 3), (40, 3), (99, 3)];
        for (step, index) in cases {
            assert_eq!(nearest(&history, step), Some(index), "step {step}");
        }
        assert_eq!(nearest(&[], 5), None);
    }

    #[test]
    fn the_histories_export_as_csv_with_a_row_per_point() {
        let mut view = RunView::default();
        view.apply(&WorkerOutput::Loaded { info: info() });
        for step in [0, 1, 3] {
            view.apply(&progress(step));
        }
        assert_eq!(
            view.metrics_csv(),
            "step,train_loss,test_loss,test_accuracy\n0,1,1,0.5\n1,0.5,1,0.5\n3,0.25,1,0.5\n"
        );
        // The snapshots here have no layers: the header alone.
        assert_eq!(view.layers_csv(), format!("{}\n", snapshot_csv::LAYERS_HEADER));
    }
}
