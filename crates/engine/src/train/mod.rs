//! The training loop: a [`Trainer`] owns the model, the optimizer, the data and every buffer a
//! step needs, allocated once, so a step allocates nothing. Same spec and seed, same numbers,
//! bit for bit, run after run on one platform.

use layerlab_spec::data::Task;
use layerlab_spec::train::{Length, Loss, Stop};
use layerlab_spec::{Analysis, MetricsSpec, Spec, SpecError, analyse};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::backend::{Backend, Dims};
use crate::data::{self, Data, Examples};
use crate::layers::Pass;
use crate::metrics::interval::LayerShape;
use crate::metrics::{self, Matrix, Snapshot};
use crate::model::{Acts, Model, Plan};
use crate::optim::{Optimizer, Refused, StepInfo};
use crate::real::Real;
use crate::rng::{Stream, data_seed, rng};
use crate::rules::{self, Local, Rows, Signal};

mod checkpoint;
mod deferred;
mod details;
mod memory;
mod retune;
mod surface;

pub use checkpoint::{Checkpoint, resume};
pub use details::{Confusion, Details, MAX_CONFUSION, Picture, SAMPLES};
pub use memory::Memory;
pub use retune::rebuild_needed;
pub use surface::{MAX_NEURONS, NEURON_SIDE, NeuronLayer, NeuronMaps, Surface, SurfaceValues};

/// Examples per forward pass when evaluating.
pub const EVAL_ROWS: usize = 256;

/// Loss, accuracy or RMSE on the training and test sets, measured in evaluation mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub step: u64,
    pub train_loss: f64,
    pub test_loss: f64,
    /// Classification only.
    pub train_accuracy: Option<f64>,
    pub test_accuracy: Option<f64>,
    /// Regression only.
    pub test_rmse: Option<f64>,
    /// Images (implicit neural representations) only: peak signal-to-noise ratio in dB of the
    /// test pixels, brightness in [0, 1]: `−20·log10(RMSE)`.
    pub test_psnr: Option<f64>,
}

pub struct Trainer<B: Backend> {
    pub b: B,
    pub model: Model<B>,
    pub optimizer: Optimizer<B>,
    pub data: Data,
    pub loss: Loss,
    pub task: Task,
    pub seed: u64,
    /// Examples per training step (the spec's batch size, at most the training set).
    pub batch: usize,
    /// Steps this run takes.
    pub total_steps: u64,
    pub stop: Option<Stop>,
    acts: Vec<Acts<B>>,
    eval_acts: Vec<Acts<B>>,
    x: B::Buf,
    t: B::Buf,
    eval_x: B::Buf,
    eval_t: B::Buf,
    host_x: Vec<B::R>,
    host_t: Vec<B::R>,
    host_out: Vec<B::R>,
    order: Vec<usize>,
    cursor: usize,
    shuffle: ChaCha8Rng,
    /// The last step's optimizer report.
    pub last: Option<StepInfo>,
    pub metrics: MetricsSpec,
    /// Steps per metrics interval: the spec's, or what `"auto"` picked for this model. The
    /// command line, the page and the package measure, evaluate and check the stop condition
    /// at its multiples.
    pub metrics_every: u64,
    probe: Probe<B>,
    /// The weights before the step that ends a metrics interval (for the update ratio), and
    /// which step that was.
    previous: Vec<Vec<B::R>>,
    previous_step: Option<u64>,
    base_rate: f32,
    /// The first step's training loss: the reference for [`LOSS_EXPLOSION`].
    first_loss: Option<f64>,
    /// The side of the image whose pixels the data are (then evaluations report PSNR).
    image: Option<usize>,
    /// The test set's tally at the latest evaluation.
    test_tally: Tally,
    /// What a learning rule other than backprop keeps.
    rule: Option<Local<B>>,
}

/// The fixed probe batch the layer metrics are measured on: drawn once from the training set.
struct Probe<B: Backend> {
    x: B::Buf,
    acts: Vec<Acts<B>>,
    rows: usize,
}

/// Why training cannot go on: the loss or a gradient became NaN or infinite. The weights are
/// those of the last good step (the failing step updated nothing).
#[derive(Debug, Clone, PartialEq)]
pub enum TrainError {
    Diverged {
        /// The step that failed (0-based: the number of good steps before it).
        step: u64,
        /// The first layer (spec path) where a non-finite value appeared.
        layer: String,
        /// What went wrong and the likely cause, as a sentence.
        cause: String,
    },
    /// The device the run computed on stopped working (a lost GPU); nothing of the failing step
    /// can be trusted. Carry the run to another backend from a [`Checkpoint`].
    DeviceLost {
        /// Good steps before the loss.
        step: u64,
        why: String,
    },
}

impl std::fmt::Display for TrainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TrainError::Diverged { step, layer, cause } => {
                write!(
                    f,
                    "training diverged at step {step}, first in {layer}: {cause}. The weights of step {step} are kept"
                )
            }
            TrainError::DeviceLost { step, why } => write!(f, "the device stopped working after step {step}: {why}"),
        }
    }
}

/// What [`step`] found wrong; nothing was updated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Divergence {
    /// The loss is NaN or infinite.
    Loss(f64),
    /// The loss rose above the batch's ceiling ([`LOSS_EXPLOSION`] times the first step's).
    Exploded { loss: f64, ceiling: f64 },
    /// The index of the first parameter whose gradient is not finite.
    Gradient(usize),
    /// The index of the parameter whose update would overflow the weights.
    Overflow(usize),
    /// A deferred step's gradients, of this global norm, were not finite or too large.
    Norm(f64),
}

/// A training loss this many times the first step's counts as diverged: no healthy run climbs
/// that far above where it started.
pub const LOSS_EXPLOSION: f64 = 100.0;

impl std::error::Error for TrainError {}

impl<B: Backend> Trainer<B> {
    /// Validates `spec`, loads its data (`csv`: the text of the user's file, for a CSV dataset)
    /// and builds the model. All problems come back as messages that name the field.
    pub fn new(mut b: B, spec: &Spec, csv: Option<&str>) -> Result<Self, Vec<SpecError>> {
        let analysis = analyse(spec)?;
        let data_seed = data_seed(spec.seed, spec.data.draw);
        let data = data::load(&spec.data, data_seed, csv).map_err(|e| vec![SpecError::new(e.path, e.message)])?;
        let mut init = rng(spec.seed, Stream::Init);
        let plan =
            Plan { input: analysis.input, output: analysis.head.output, init: spec.training.init, rng: &mut init };
        let mut model = Model::build(&mut b, &spec.model, plan).map_err(|e| vec![e])?;
        if model.inputs != data.train.width {
            let message =
                format!("the model takes {} numbers per example but the data has {}", model.inputs, data.train.width);
            return Err(vec![SpecError::new("data", message)]);
        }
        let outputs = model.outputs;
        let answer = model.answer;

        let batch = (spec.training.batch_size as usize).min(data.train.len).max(1);
        let probe_rows = (spec.metrics.probe_size as usize).min(data.train.len).max(1);
        let rows = Rows { batch, eval: EVAL_ROWS.max(probe_rows) };
        let rule = rules::prepare(&mut b, &mut model, &spec.model, spec.training.rule, analysis.loss, spec.seed, rows)
            .map_err(|e| vec![e])?;
        let total_steps = total_steps(spec.training.length, data.train.len, batch);
        let optimizer = Optimizer::new(&mut b, &spec.training, &model.params, total_steps, spec.seed);
        let acts = model.activations(&mut b, batch);
        let eval_acts = model.activations(&mut b, EVAL_ROWS);
        let probe = probe(&mut b, &model, &data.train, spec.metrics.probe_size as usize, spec.seed);
        let metrics_every = interval(&spec.metrics, &analysis, &model, &probe, total_steps);
        let previous = if spec.metrics.gradients { model_params_host(&model) } else { Vec::new() };
        let width = data.train.width;
        let t_width = target_width(analysis.loss, outputs) * answer;
        let trainer = Trainer {
            x: b.alloc(batch * width),
            t: b.alloc(batch * t_width),
            eval_x: b.alloc(EVAL_ROWS * width),
            eval_t: b.alloc(EVAL_ROWS * t_width),
            host_x: Vec::with_capacity(EVAL_ROWS.max(batch) * width),
            host_t: Vec::with_capacity(EVAL_ROWS.max(batch) * t_width),
            host_out: vec![<B::R as num_traits::Zero>::zero(); EVAL_ROWS * answer * outputs],
            order: (0..data.train.len).collect(),
            cursor: data.train.len,
            shuffle: rng(spec.seed, Stream::Batches),
            b,
            model,
            optimizer,
            data,
            loss: analysis.loss,
            task: analysis.task,
            seed: spec.seed,
            batch,
            total_steps,
            stop: spec.training.stop,
            acts,
            eval_acts,
            last: None,
            metrics: spec.metrics,
            metrics_every,
            previous,
            previous_step: None,
            base_rate: spec.training.optimizer.learning_rate(),
            first_loss: None,
            rule,
            image: match spec.data.dataset {
                layerlab_spec::data::Dataset::Image { side, .. } => Some(side as usize),
                _ => None,
            },
            test_tally: Tally::new(analysis.task, answer),
            probe,
        };
        Ok(trainer)
    }

    /// Numbers per example in the target buffer the loss reads (every answer position's).
    fn target_row(&self) -> usize {
        target_width(self.loss, self.model.outputs) * self.model.answer
    }

    /// What the learning rule keeps (`None`: backprop).
    pub fn rule(&self) -> Option<&Local<B>> {
        self.rule.as_ref()
    }

    /// Measures as `spec` says from now on (the page changes the metrics and the recipe
    /// mid-run), at the interval they give for this run; `spec` is this run's, retuned, and
    /// valid.
    pub fn measure_as(&mut self, spec: &Spec) {
        self.metrics = spec.metrics;
        if let Ok(analysis) = analyse(spec) {
            self.metrics_every = interval(&spec.metrics, &analysis, &self.model, &self.probe, self.total_steps);
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.optimizer.steps
    }

    /// One training step on the next batch; returns the batch's loss (before the update).
    pub fn step(&mut self) -> Result<f64, TrainError> {
        self.next_batch();
        // Before the step that ends an interval or the run: the snapshot after it has the update.
        let next = self.steps() + 1;
        if next.is_multiple_of(self.metrics_every) || next == self.total_steps {
            self.remember_weights();
        }
        let before = self.steps();
        let (b, model, acts, optimizer, batch) = self.parts();
        let result = step(b, model, acts, optimizer, batch);
        if let Some(why) = self.b.fault() {
            return Err(TrainError::DeviceLost { step: before, why });
        }
        match result {
            Ok((loss, info)) => {
                self.last = Some(info);
                self.first_loss.get_or_insert(loss);
                let steps = self.steps();
                if crate::kan_refine::refine(&mut self.b, &mut self.model, &mut self.optimizer, steps) {
                    self.resize();
                }
                Ok(loss)
            }
            Err(d) => Err(self.diagnose(d)),
        }
    }

    /// What a step works on: the backend, the model, its activations, the optimizer, and the
    /// batch [`Trainer::next_batch`] loaded.
    #[allow(clippy::type_complexity)]
    fn parts(&mut self) -> (&mut B, &mut Model<B>, &mut [Acts<B>], &mut Optimizer<B>, Batch<'_, B>) {
        let batch = Batch {
            x: &self.x,
            t: &self.t,
            rows: self.batch,
            loss: self.loss,
            seed: self.seed,
            rule: self.rule.as_mut(),
        };
        (&mut self.b, &mut self.model, &mut self.acts, &mut self.optimizer, batch)
    }

    /// Keeps the weights as they are now, before the next step, for the layer metrics' update
    /// ratio after it (when the spec measures gradients). [`Trainer::step`] does it before a
    /// step that ends a metrics interval or the run; a run whose steps happen elsewhere (on a
    /// GPU) calls it before taking over that step's weights.
    pub fn remember_weights(&mut self) {
        if !self.metrics.gradients {
            return;
        }
        // Into buffers made once: a step allocates nothing, even when it ends an interval.
        for (p, host) in self.model.params.iter().zip(self.previous.iter_mut()) {
            self.b.download(&p.value, host);
        }
        self.previous_step = Some(self.steps());
    }

    /// Makes the activations anew after the model's shapes changed (a refined KAN grid).
    fn resize(&mut self) {
        self.acts = self.model.activations(&mut self.b, self.batch);
        self.eval_acts = self.model.activations(&mut self.b, EVAL_ROWS);
        self.probe.acts = self.model.activations(&mut self.b, self.probe.rows);
        if !self.previous.is_empty() {
            self.previous = model_params_host(&self.model);
            self.previous_step = None;
        }
    }

    /// Names the layer where a divergence first shows and its likely cause.
    fn diagnose(&mut self, d: Divergence) -> TrainError {
        let visits = metrics::walk(&self.model.nodes, &self.acts);
        let (layer, detail) = match d {
            Divergence::Loss(_) => {
                let first = visits.iter().find(|v| !self.b.sum_squares(&v.acts.y).is_finite());
                (first.map(|v| v.name.clone()), "")
            }
            Divergence::Exploded { .. } => {
                let largest = visits.iter().map(|v| (v, self.b.sum_squares(&v.acts.y))).fold(
                    (None, f64::NEG_INFINITY),
                    |best, (v, size)| {
                        if size > best.1 { (Some(v.name.clone()), size) } else { best }
                    },
                );
                (largest.0, ", with the largest outputs in this layer")
            }
            Divergence::Gradient(param) | Divergence::Overflow(param) => {
                (visits.iter().find(|v| metrics::params(v.node).any(|p| p == param)).map(|v| v.name.clone()), "")
            }
            Divergence::Norm(_) => (None, ""),
        };
        let detail = if layer.is_some() { detail } else { "" };
        self.diverged(d, layer, detail)
    }

    /// The error for divergence `d` in `layer` (`None`: the loss or the model, by the kind),
    /// reading nothing from the backend: deferred steps report this way, their failing step's
    /// activations being gone and a browser unable to wait for a read.
    fn diverged(&self, d: Divergence, layer: Option<String>, detail: &str) -> TrainError {
        let lr = self.last.map_or(f64::from(self.optimizer_rate()), |s| s.learning_rate);
        let advice = format!("the learning rate ({lr:.3e}) is likely too high: lower it, or turn on gradient clipping");
        let what = match d {
            Divergence::Loss(loss) => format!("the loss became {loss}"),
            Divergence::Exploded { loss, ceiling } => format!(
                "the loss became {loss:.4e}, more than {LOSS_EXPLOSION} times its first value ({:.4e})",
                ceiling / LOSS_EXPLOSION
            ),
            Divergence::Gradient(_) => "a gradient became NaN or infinite".to_string(),
            Divergence::Overflow(_) => "a gradient so large that the update would overflow the weights".to_string(),
            Divergence::Norm(norm) => {
                format!("the gradients (global norm {norm:.4e}) were not finite or too large to apply")
            }
        };
        let layer = layer.unwrap_or_else(|| {
            let loss = matches!(d, Divergence::Loss(_) | Divergence::Exploded { .. });
            (if loss { "the loss" } else { "the model" }).to_string()
        });
        TrainError::Diverged { step: self.steps(), layer, cause: format!("{what}{detail}; {advice}") }
    }

    fn optimizer_rate(&self) -> f32 {
        self.base_rate
    }

    /// Whether the run has reached its length or its stop condition (given the latest evaluation).
    pub fn finished(&self, latest: Option<&Evaluation>) -> bool {
        if self.steps() >= self.total_steps {
            return true;
        }
        latest.is_some_and(|e| self.stop_holds(e))
    }

    /// Whether the spec's stop condition holds by evaluation `e` (`false` without one).
    pub fn stop_holds(&self, e: &Evaluation) -> bool {
        match self.stop {
            Some(Stop::LossBelow(l)) => e.train_loss < f64::from(l),
            Some(Stop::AccuracyAbove(a)) => e.test_accuracy.is_some_and(|acc| acc >= f64::from(a)),
            None => false,
        }
    }

    /// Loss and accuracy (or RMSE) on the whole training and test sets, in evaluation mode.
    pub fn evaluate(&mut self) -> Evaluation {
        let train = self.measure(Split::Train);
        let test = self.measure(Split::Test);
        let classify = !matches!(self.task, Task::Regress { .. });
        Evaluation {
            step: self.steps(),
            train_loss: train.loss,
            test_loss: test.loss,
            train_accuracy: classify.then_some(train.accuracy),
            test_accuracy: classify.then_some(test.accuracy),
            test_rmse: (!classify).then_some(test.rmse),
            test_psnr: self.image.map(|_| -20.0 * test.rmse.max(1e-12).log10()),
        }
    }

    /// Every layer's metrics on the probe batch, now (the spec's `metrics` say which).
    pub fn snapshot(&mut self) -> Snapshot {
        let rows = self.probe.rows;
        let pass = Pass { train: false, seed: self.seed, step: self.steps() };
        rules::forward(
            &mut self.b,
            &mut self.model,
            self.rule.as_mut(),
            &mut self.probe.acts,
            &self.probe.x,
            rows,
            pass,
        );
        // The update ratio needs the weights from just before the latest step.
        let previous: Option<Vec<Vec<f64>>> = (self.previous_step.take() == Some(self.steps().wrapping_sub(1)))
            .then(|| self.previous.iter().map(|p| p.iter().map(|v| v.to64()).collect()).collect());
        let visits = metrics::walk(&self.model.nodes, &self.probe.acts);
        let layers = visits
            .iter()
            .map(|v| metrics::layer(&mut self.b, v, rows, &self.model.params, previous.as_deref(), &self.metrics))
            .collect();
        let similarity = self.metrics.similarity.then(|| {
            // A sequence layer's example is all its tokens: one row of tokens × width.
            let outputs: Vec<(Vec<f32>, usize)> = visits
                .iter()
                .map(|v| {
                    let w = v.node.width() * v.tokens;
                    let y = crate::model::read(&mut self.b, &v.acts.y);
                    (y[..rows * w].iter().map(|&x| x as f32).collect(), w)
                })
                .collect();
            let ms: Vec<Matrix> = outputs.iter().map(|(d, w)| Matrix { data: d, rows, cols: *w }).collect();
            metrics::cka_matrix(&ms)
        });
        Snapshot { step: self.steps(), layers, similarity }
    }

    /// The model's outputs for `inputs` (rows of the model's input width), in evaluation mode:
    /// logits for classification, values for regression. For drawing and for tests.
    pub fn predict(&mut self, inputs: &[f32]) -> Vec<f32> {
        let width = self.model.inputs;
        let outputs = self.model.outputs * self.model.answer;
        let mut all = Vec::with_capacity(inputs.len() / width * outputs);
        for chunk in inputs.chunks(EVAL_ROWS * width) {
            let rows = chunk.len() / width;
            self.host_x.clear();
            self.host_x.extend(chunk.iter().map(|&v| B::R::of(f64::from(v))));
            self.b.upload(&mut self.eval_x, &self.host_x);
            let pass = Pass { train: false, seed: self.seed, step: self.steps() };
            rules::forward(
                &mut self.b,
                &mut self.model,
                self.rule.as_mut(),
                &mut self.eval_acts,
                &self.eval_x,
                rows,
                pass,
            );
            let out = &mut self.host_out[..rows * outputs];
            self.b.download(self.model.output(&self.eval_acts), out);
            all.extend(out.iter().map(|v| v.to64() as f32));
        }
        all
    }

    fn measure(&mut self, split: Split) -> Measure {
        let examples = match split {
            Split::Train => &self.data.train,
            Split::Test => &self.data.test,
        };
        let (len, outputs, answer) = (examples.len, self.model.outputs, self.model.answer);
        let (mut loss, mut correct, mut sq) = (0.0, 0usize, 0.0);
        // The test set's right answers by class and position, into buffers made once.
        let record = matches!(split, Split::Test);
        let step = self.steps();
        let tally = &mut self.test_tally;
        let classes = tally.classes;
        if record {
            tally.confusion.fill(0);
            tally.at_position.fill(0);
            tally.examples = len;
            tally.measured = true;
        }
        for start in (0..len).step_by(EVAL_ROWS) {
            let rows = EVAL_ROWS.min(len - start);
            fill(examples, start..start + rows, self.loss, outputs, &mut self.host_x, &mut self.host_t);
            self.b.upload(&mut self.eval_x, &self.host_x);
            self.b.upload(&mut self.eval_t, &self.host_t);
            let pass = Pass { train: false, seed: self.seed, step };
            rules::forward(
                &mut self.b,
                &mut self.model,
                self.rule.as_mut(),
                &mut self.eval_acts,
                &self.eval_x,
                rows,
                pass,
            );
            let dims = Dims { rows: rows * answer, cols: outputs };
            let head = self.eval_acts.last_mut().expect("a model has an output layer");
            loss += self.b.loss(self.loss, dims, &head.y, &self.eval_t, &mut head.grad) * rows as f64;
            let out = &mut self.host_out[..rows * answer * outputs];
            self.b.download(&head.y, out);
            // One answer per position: a sequence task's targets are `answer` token ids per
            // example, scored token by token.
            let per = examples.target_width / answer;
            for r in 0..rows * answer {
                let row = &out[r * outputs..][..outputs];
                let target = &examples.targets[start * examples.target_width + r * per..][..per];
                let (predicted, truth) = (predicted_class(row, self.loss), target[0] as usize);
                let hit = usize::from(predicted == truth);
                correct += hit;
                if record {
                    tally.at_position[r % answer] += hit;
                    if predicted < classes && truth < classes {
                        tally.confusion[truth * classes + predicted] += 1;
                    }
                }
                sq += row.iter().zip(target).map(|(o, &t)| (o.to64() - f64::from(t)).powi(2)).sum::<f64>();
            }
        }
        let n = (len * answer).max(1) as f64;
        Measure {
            loss: loss / len.max(1) as f64,
            accuracy: correct as f64 / n,
            rmse: (sq / (n * outputs as f64)).sqrt(),
        }
    }

    /// Fills the training buffers with the next `batch` examples of a shuffled pass over the
    /// training set, reshuffling when a pass ends (batches are always full).
    fn next_batch(&mut self) {
        self.host_x.clear();
        self.host_t.clear();
        let train = &self.data.train;
        for _ in 0..self.batch {
            if self.cursor == self.order.len() {
                self.order.shuffle(&mut self.shuffle);
                self.cursor = 0;
            }
            let i = self.order[self.cursor];
            self.cursor += 1;
            push_example(train, i, self.loss, self.model.outputs, &mut self.host_x, &mut self.host_t);
        }
        self.b.upload(&mut self.x, &self.host_x);
        self.b.upload(&mut self.t, &self.host_t);
        if let Some(rule) = self.rule.as_mut() {
            rules::load(&mut self.b, rule, &self.host_x, &self.host_t);
        }
    }
}

/// A batch on the backend: inputs, targets (in the form the loss reads), and how to train on it.
pub struct Batch<'a, B: Backend> {
    pub x: &'a B::Buf,
    pub t: &'a B::Buf,
    pub rows: usize,
    pub loss: Loss,
    pub seed: u64,
    /// The learning rule's own state; `None` trains with backprop.
    pub rule: Option<&'a mut Local<B>>,
}

/// One step of backprop training: forward, loss, backward, optimizer. Returns the batch's loss
/// (before the update) and the optimizer's report, or what became non-finite (then nothing was
/// updated).
/// The trainer, the parity tests and the benchmarks all train through this one function.
pub fn step<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    optimizer: &mut Optimizer<B>,
    batch: Batch<'_, B>,
) -> Result<(f64, StepInfo), Divergence> {
    forward_backward(b, model, acts, optimizer, batch);
    optimizer.step(b, &mut model.params).map_err(divergence)
}

/// [`step`] without reading anything back: its numbers wait in the optimizer's history (see
/// `Optimizer::step_deferred`).
pub fn step_deferred<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    optimizer: &mut Optimizer<B>,
    batch: Batch<'_, B>,
) {
    forward_backward(b, model, acts, optimizer, batch);
    optimizer.step_deferred(b, &mut model.params);
}

/// A training step up to the optimizer: forward, the loss into the step's stats (the experts'
/// balancing loss added), backward or the learning rule's local signals. Nothing is read back:
/// whether the update goes ahead is decided on the backend (see `Optimizer::step`).
fn forward_backward<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    optimizer: &mut Optimizer<B>,
    batch: Batch<'_, B>,
) {
    let Batch { x, t, rows, loss, seed, rule } = batch;
    let pass = Pass { train: true, seed, step: optimizer.steps };
    if let Some(rule) = rule {
        rules::step(b, model, acts, rule, Signal { x, t, rows, loss, pass }, optimizer.stats_mut());
        return;
    }
    model.forward(b, acts, x, rows, pass);
    let dims = Dims { rows: model.output_rows(rows), cols: model.outputs };
    let head = acts.last_mut().expect("a model has an output layer");
    b.loss_to(loss, dims, &head.y, t, &mut head.grad, optimizer.stats_mut());
    model.add_aux_loss(b, acts, optimizer.stats_mut());
    model.backward(b, acts, x, None, rows);
}

fn divergence(r: Refused) -> Divergence {
    match r {
        Refused::Loss(value) => Divergence::Loss(value),
        Refused::Exploded { loss, ceiling } => Divergence::Exploded { loss, ceiling },
        Refused::NotFinite(p) => Divergence::Gradient(p),
        Refused::Overflow(p) => Divergence::Overflow(p),
        Refused::Norm(norm) => Divergence::Norm(norm),
    }
}

/// Steps in a run of `length` over `examples` training examples in batches of `batch`.
fn total_steps(length: Length, examples: usize, batch: usize) -> u64 {
    match length {
        Length::Steps(n) => n,
        Length::Epochs(e) => u64::from(e) * examples.div_ceil(batch) as u64,
    }
}

/// Host buffers the size of each parameter tensor.
fn model_params_host<B: Backend>(model: &Model<B>) -> Vec<Vec<B::R>> {
    model.params.iter().map(|p| vec![<B::R as num_traits::Zero>::zero(); p.len]).collect()
}

/// The metrics interval in steps for this run ([`metrics::interval`]).
fn interval<B: Backend>(
    settings: &MetricsSpec,
    analysis: &Analysis,
    model: &Model<B>,
    probe: &Probe<B>,
    total_steps: u64,
) -> u64 {
    let layers: Vec<LayerShape> = metrics::walk(&model.nodes, &probe.acts)
        .iter()
        .map(|v| LayerShape { tokens: v.tokens, width: v.node.width() })
        .collect();
    let run = metrics::interval::Run { analysis, layers: &layers, probe_rows: probe.rows, total_steps };
    metrics::interval::every(settings, run)
}

/// Draws the probe batch: `size` training examples (at most all of them) in a seeded order.
fn probe<B: Backend>(b: &mut B, model: &Model<B>, train: &Examples, size: usize, seed: u64) -> Probe<B> {
    let rows = size.min(train.len).max(1);
    let mut order: Vec<usize> = (0..train.len).collect();
    order.shuffle(&mut rng(seed, Stream::Probe));
    let host: Vec<B::R> = order[..rows.min(order.len())]
        .iter()
        .flat_map(|&i| train.inputs[i * train.width..][..train.width].iter())
        .map(|&v| B::R::of(f64::from(v)))
        .collect();
    let mut x = b.alloc(rows * train.width);
    b.upload(&mut x, &host);
    Probe { x, acts: model.activations(b, rows), rows }
}

#[derive(Clone, Copy)]
enum Split {
    Train,
    Test,
}

struct Measure {
    loss: f64,
    accuracy: f64,
    rmse: f64,
}

/// Right answers by class and by position, counted while measuring.
#[derive(Debug, Clone, Default)]
struct Tally {
    /// `classes × classes` counts, true class by row (empty when there are too many classes).
    confusion: Vec<u32>,
    classes: usize,
    /// Right answers at each answer position (one position outside sequence tasks).
    at_position: Vec<usize>,
    examples: usize,
    /// Whether an evaluation has filled it.
    measured: bool,
}

impl Tally {
    /// Empty counts for `task`, whose answers come `answer` to an example.
    fn new(task: Task, answer: usize) -> Self {
        let classes = match task {
            Task::Classify { classes } if classes as usize <= details::MAX_CONFUSION => classes as usize,
            _ => 0,
        };
        Tally {
            confusion: vec![0; classes * classes],
            classes,
            at_position: vec![0; answer],
            examples: 0,
            measured: false,
        }
    }
}

/// Numbers per example in the target buffer the loss reads.
fn target_width(loss: Loss, outputs: usize) -> usize {
    match loss {
        Loss::Mse => outputs,
        Loss::BinaryCrossEntropy | Loss::CrossEntropy => 1,
    }
}

fn fill<R: Real>(
    ex: &Examples,
    range: std::ops::Range<usize>,
    loss: Loss,
    outputs: usize,
    x: &mut Vec<R>,
    t: &mut Vec<R>,
) {
    x.clear();
    t.clear();
    for i in range {
        push_example(ex, i, loss, outputs, x, t);
    }
}

/// Appends example `i`: its inputs, and its target in the form the loss reads (class indices
/// for the cross-entropies; values, or one-hot classes, for MSE).
fn push_example<R: Real>(ex: &Examples, i: usize, loss: Loss, outputs: usize, x: &mut Vec<R>, t: &mut Vec<R>) {
    x.extend(ex.inputs[i * ex.width..][..ex.width].iter().map(|&v| R::of(f64::from(v))));
    let target = &ex.targets[i * ex.target_width..][..ex.target_width];
    if loss == Loss::Mse && ex.target_width == 1 && outputs > 1 {
        let class = target[0] as usize;
        t.extend((0..outputs).map(|c| if c == class { R::one() } else { R::zero() }));
    } else {
        t.extend(target.iter().map(|&v| R::of(f64::from(v))));
    }
}

/// The class an output row predicts: the larger logit, or the side of 0 (binary cross-entropy)
/// or of 0.5 (a single MSE output).
pub(super) fn predicted_class<R: Real>(row: &[R], loss: Loss) -> usize {
    match (loss, row.len()) {
        (Loss::BinaryCrossEntropy, _) => usize::from(row[0] > R::zero()),
        (Loss::Mse, 1) => usize::from(row[0] > R::of(0.5)),
        _ => {
            row.iter()
                .enumerate()
                .fold((0, R::neg_infinity()), |best, (i, &v)| if v > best.1 { (i, v) } else { best })
                .0
        }
    }
}
