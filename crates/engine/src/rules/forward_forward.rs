//! Forward-Forward: the label enters as a one-hot vector concatenated to the input (its weights
//! are the learned matrix `E`, `classes × units` of the first layer); each layer's goodness is
//! the mean square of its activations, `g = mean_j(h_j²)`, and its loss is
//! `softplus(θ − g)` on positive data (the true label) and `softplus(g − θ)` on negative data
//! (a wrong label drawn uniformly from the seed), which is the binary cross-entropy of the logit
//! `g − θ`. A layer's input is the layer below's output normalised to unit root mean square, so
//! only the direction of that activity, not its goodness, passes up. To predict, the network
//! runs once per label and answers the label with the largest goodness summed over layers.

use layerlab_spec::SpecError;
use layerlab_spec::model::{Activation, NormKind};
use layerlab_spec::train::Loss;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{Held, Rows};
use crate::backend::{Backend, CopyCols, Dims, Gemm, NormOp, NormSaved, STATS};
use crate::model::{self, Acts, Model, Node, ParamKind};
use crate::real::Real;
use crate::rng::{Stream, rng};

/// RMS normalisation's ε between layers.
const EPS: f64 = 1e-5;

pub struct ForwardForward<B: Backend> {
    classes: usize,
    /// Binary cross-entropy: one output, the goodness of label 1 minus that of label 0.
    binary: bool,
    /// The label's weights into the first layer (a parameter index).
    embed: usize,
    layers: Vec<Layer<B>>,
    /// Training batch size: positive and negative data are `2·batch` rows.
    batch: usize,
    /// The training batch twice, its true and wrong labels one-hot, and the 1/0 targets.
    x: B::Buf,
    labels: B::Buf,
    sign: B::Buf,
    /// One-hot rows of each label for a whole batch, then the neutral label (every entry 1/C).
    label_sets: Vec<B::Buf>,
    /// −θ, as a bias.
    theta: B::Buf,
    /// Squares, or the gradient of a layer's output; the loss gradient spread across a row.
    sq: B::Buf,
    spread: B::Buf,
    goodness: B::Buf,
    logit: B::Buf,
    d_logit: B::Buf,
    total: B::Buf,
    /// Where the lower layers' losses go (the last layer's is the step's).
    stats: B::Buf,
    draws: ChaCha8Rng,
    host_x: Vec<B::R>,
    host_labels: Vec<B::R>,
}

/// One hidden layer's buffers, for the largest batch.
struct Layer<B: Backend> {
    z: B::Buf,
    y: B::Buf,
    /// `y` normalised: the next layer's input.
    n: B::Buf,
    inv_std: B::Buf,
    /// `units` numbers: 1/units (the goodness's mean), 2/units (its gradient), 1 (the norm's gain).
    mean: B::Buf,
    twice_mean: B::Buf,
    ones: B::Buf,
}

/// Checks the task (classification) and builds the label weights (appended to the model's
/// parameters) and the buffers for `rows`. The output layer is frozen: goodness predicts.
pub(super) fn prepare<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    threshold: f32,
    loss: Loss,
    seed: u64,
    rows: Rows,
) -> Result<ForwardForward<B>, SpecError> {
    if loss == Loss::Mse {
        return Err(SpecError::new(
            "training.rule",
            "Forward-Forward predicts a class by goodness, but this task is a regression (MSE): use another rule",
        ));
    }
    let last = model.nodes.len() - 1;
    if last == 0 {
        return Err(SpecError::new("model", "is empty, but Forward-Forward trains hidden layers: add a dense block"));
    }
    // A goodness threshold bounded outputs cannot reach would leave every positive example
    // wrong forever.
    for (i, node) in model.nodes[..last].iter().enumerate() {
        if let Node::Dense { act, .. } = *node
            && let Some(bound) = act.bound()
            && threshold >= bound * bound
        {
            return Err(SpecError::new(
                "training.rule.threshold",
                format!(
                    "= {threshold} is out of reach of model[{i}]'s {} outputs, whose goodness (mean square) stays \
                     below {}: use a threshold below it (0.5, say), or an unbounded activation such as relu",
                    format!("{act:?}").to_ascii_lowercase(),
                    bound * bound
                ),
            ));
        }
    }
    let binary = loss == Loss::BinaryCrossEntropy;
    let classes = if binary { 2 } else { model.outputs };
    if let Node::Dense { w, b: bias, .. } = model.nodes[last] {
        for p in std::iter::once(w).chain(bias) {
            model.params[p].trainable = false;
        }
    }
    let first = model.nodes[0].width();
    let mut draws = rng(seed, Stream::Feedback);
    let bound = (6.0 / (classes + first) as f64).sqrt();
    let values: Vec<f64> = (0..classes * first).map(|_| draws.random_range(-bound..bound)).collect();
    let embed = model.add_param(b, &values, ParamKind::Weight, true);
    let cap = rows.eval.max(2 * rows.batch);
    let fill = |b: &mut B, len: usize, v: f64| {
        let mut buf = b.alloc(len);
        model::write(b, &mut buf, &vec![v; len]);
        buf
    };
    let layers: Vec<Layer<B>> = model.nodes[..last]
        .iter()
        .map(|node| {
            let u = node.width();
            Layer {
                z: b.alloc(cap * u),
                y: b.alloc(cap * u),
                n: b.alloc(cap * u),
                inv_std: b.alloc(cap),
                mean: fill(b, u, 1.0 / u as f64),
                twice_mean: fill(b, u, 2.0 / u as f64),
                ones: fill(b, u, 1.0),
            }
        })
        .collect();
    let widest = model.nodes[..last].iter().map(Node::width).max().unwrap_or(1);
    let label_sets = (0..=classes)
        .map(|c| {
            let one: Vec<f64> = (0..classes)
                .map(|k| if c == classes { 1.0 / classes as f64 } else { f64::from(u8::from(k == c)) })
                .collect();
            let mut buf = b.alloc(cap * classes);
            model::write(b, &mut buf, &one.repeat(cap));
            buf
        })
        .collect();
    let mut sign = b.alloc(2 * rows.batch);
    let targets: Vec<f64> = (0..2 * rows.batch).map(|r| f64::from(u8::from(r < rows.batch))).collect();
    model::write(b, &mut sign, &targets);
    Ok(ForwardForward {
        classes,
        binary,
        embed,
        batch: rows.batch,
        x: b.alloc(2 * rows.batch * model.inputs),
        labels: b.alloc(2 * rows.batch * classes),
        sign,
        label_sets,
        theta: fill(b, 1, -f64::from(threshold)),
        sq: b.alloc(cap * widest),
        spread: b.alloc(cap * widest),
        goodness: b.alloc(cap),
        logit: b.alloc(cap),
        d_logit: b.alloc(cap),
        total: b.alloc(cap),
        stats: b.alloc(STATS),
        layers,
        draws: rng(seed, Stream::Negatives),
        host_x: Vec::new(),
        host_labels: Vec::new(),
    })
}

impl<B: Backend> ForwardForward<B> {
    /// The label weights into the first layer: their index in the model's parameters
    /// (`classes × units`, row `c` added to the first layer's pre-activations for label `c`).
    pub fn embed(&self) -> usize {
        self.embed
    }

    /// Labels it predicts among (2 for a binary task).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The stream the wrong labels are drawn from, where it stands: a checkpoint carries it, so
    /// a run moved to another backend draws the negatives an uninterrupted run would.
    pub fn negatives(&self) -> &ChaCha8Rng {
        &self.draws
    }

    pub fn set_negatives(&mut self, draws: &ChaCha8Rng) {
        self.draws = draws.clone();
    }

    /// A binary task: the output is label 1's goodness minus label 0's.
    pub fn binary(&self) -> bool {
        self.binary
    }

    /// Positive and negative data from the training batch drawn on the host (`x`: its inputs,
    /// `t`: its labels): the inputs twice, the true labels, then a wrong label for each example.
    pub(super) fn load(&mut self, b: &mut B, x: &[B::R], t: &[B::R]) {
        let c = self.classes;
        self.host_x.clear();
        self.host_x.extend_from_slice(x);
        self.host_x.extend_from_slice(x);
        self.host_labels.clear();
        self.host_labels.resize(2 * t.len() * c, B::R::of(0.0));
        for (r, label) in t.iter().enumerate() {
            let truth = (label.to64() as usize).min(c - 1);
            let wrong = wrong_label(truth, c, &mut self.draws);
            self.host_labels[r * c + truth] = B::R::of(1.0);
            self.host_labels[(t.len() + r) * c + wrong] = B::R::of(1.0);
        }
        b.upload(&mut self.x, &self.host_x);
        b.upload(&mut self.labels, &self.host_labels);
    }

    /// One step: every layer, on positive and negative data, learns from its own goodness; its
    /// gradients (and the label weights') into the parameters' `grad`, the last layer's loss
    /// into `stats`.
    pub(super) fn step(&mut self, b: &mut B, model: &mut Model<B>, stats: &mut B::Buf) {
        let rows = 2 * self.batch;
        let hidden = self.layers.len();
        for l in 0..hidden {
            let Node::Dense { w, b: bias, act, inputs, units } = model.nodes[l] else {
                unreachable!("Forward-Forward trains dense layers only (checked by prepare)")
            };
            let labels = &self.labels;
            run_layer(b, model, &mut self.layers, l, &self.x, labels, self.embed, self.classes, rows);
            let layer = &self.layers[l];
            b.mul(rows * units, &layer.y, &layer.y, &mut self.sq);
            b.matmul(gemm(rows, 1, units), &self.sq, &layer.mean, &mut self.goodness);
            let one = Dims { rows, cols: 1 };
            b.bias_act(one, Some(&self.theta), Activation::Identity, &mut self.goodness, &mut self.logit);
            let into = if l + 1 == hidden { &mut *stats } else { &mut self.stats };
            b.loss_to(Loss::BinaryCrossEntropy, one, &self.logit, &self.sign, &mut self.d_logit, into);
            // dL/dy = dL/dlogit · 2y/units, then through the activation.
            b.matmul(gemm(rows, units, 1), &self.d_logit, &layer.twice_mean, &mut self.spread);
            b.mul(rows * units, &self.spread, &layer.y, &mut self.sq);
            let dims = Dims { rows, cols: units };
            b.act_backward(dims, act, &layer.z, &layer.y, &mut self.sq);
            let input = if l == 0 { &self.x } else { &self.layers[l - 1].n };
            let d_w = Gemm { a_trans: true, ..gemm(inputs, units, rows) };
            b.matmul(d_w, input, &self.sq, &mut model.params[w].grad);
            if let Some(bias) = bias {
                b.col_sum(dims, &self.sq, &mut model.params[bias].grad, false);
            }
            if l == 0 {
                let d_e = Gemm { a_trans: true, ..gemm(self.classes, units, rows) };
                b.matmul(d_e, &self.labels, &self.sq, &mut model.params[self.embed].grad);
            }
            if l + 1 < hidden {
                normalise(b, &mut self.layers[l], rows, units);
            }
        }
    }

    /// The goodness of every label, summed over layers, as the output layer's values (one per
    /// class; for a binary task, label 1's minus label 0's), for `rows` examples `x`; then the
    /// hidden layers' activations with the neutral label (every label at 1/C) into `acts`, for
    /// the layer metrics and the pictures.
    pub(super) fn predict(&mut self, b: &mut B, model: &mut Model<B>, acts: &mut [Acts<B>], x: &B::Buf, rows: usize) {
        let hidden = self.layers.len();
        let classes = self.classes;
        for c in 0..=classes {
            for (l, hidden_acts) in acts[..hidden].iter_mut().enumerate() {
                let units = model.nodes[l].width();
                let labels = &self.label_sets[c];
                run_layer(b, model, &mut self.layers, l, x, labels, self.embed, classes, rows);
                let layer = &self.layers[l];
                if c < classes {
                    b.mul(rows * units, &layer.y, &layer.y, &mut self.sq);
                    let sum = Gemm { accumulate: l > 0, ..gemm(rows, 1, units) };
                    b.matmul(sum, &self.sq, &layer.mean, &mut self.total);
                } else {
                    b.axpby(rows * units, 1.0, &layer.y, 0.0, &mut hidden_acts.y);
                }
                if l + 1 < hidden {
                    normalise(b, &mut self.layers[l], rows, units);
                }
            }
            if c == classes {
                break;
            }
            let out = &mut acts.last_mut().expect("a model has an output layer").y;
            if self.binary && c == 1 {
                b.axpby(rows, 1.0, &self.total, -1.0, out);
            } else {
                let cols = if self.binary { 1 } else { classes };
                let column =
                    CopyCols { rows, width: 1, src_cols: 1, src_at: 0, dst_cols: cols, dst_at: c, accumulate: false };
                b.copy_cols(column, &self.total, out);
            }
        }
    }

    /// What a step holds (see [`Held`]): one layer's buffers (pre-activations, outputs, their
    /// normalised copy, 1/RMS per row) and its input, for positive and negative data, and the
    /// goodness scratch; the per-unit constants are the rule's own. Counted for a training
    /// batch's `2·batch` rows (the buffers are sized for the largest evaluation batch too).
    pub fn held(&self, b: &B) -> Held {
        let rows = 2 * self.batch;
        let inputs = b.len(&self.x) / rows;
        let per_layer = self
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                let units = b.len(&layer.mean);
                let input = if l == 0 { inputs } else { b.len(&self.layers[l - 1].mean) };
                rows * (input + 3 * units + 1)
            })
            .max()
            .unwrap_or(0);
        let widest = self.layers.iter().map(|l| b.len(&l.mean)).max().unwrap_or(0);
        // Squares and the spread gradient; goodness, logit, its gradient, the 1/0 targets; the
        // label rows.
        let scratch = rows * (2 * widest + 4 + self.classes);
        // The per-unit constants and θ (the label sets serve evaluation only).
        let constants = self.layers.iter().map(|l| 3 * b.len(&l.mean)).sum::<usize>() + 1;
        Held { activations: per_layer + scratch, rule: constants }
    }
}

/// A label other than `truth`, each of the other `classes − 1` equally likely: the label of
/// an example's negative copy.
pub fn wrong_label(truth: usize, classes: usize, draws: &mut impl Rng) -> usize {
    (truth + 1 + draws.random_range(0..classes - 1)) % classes
}

/// Hidden layer `l`'s forward pass on `rows` rows: its input is `x` (with the label rows
/// `labels` through the label weights) for the first layer, the layer below's normalised
/// output after it.
#[allow(clippy::too_many_arguments)]
fn run_layer<B: Backend>(
    b: &mut B,
    model: &Model<B>,
    layers: &mut [Layer<B>],
    l: usize,
    x: &B::Buf,
    labels: &B::Buf,
    embed: usize,
    classes: usize,
    rows: usize,
) {
    let Node::Dense { w, b: bias, act, inputs, units } = model.nodes[l] else {
        unreachable!("Forward-Forward trains dense layers only (checked by prepare)")
    };
    let (below, rest) = layers.split_at_mut(l);
    let layer = &mut rest[0];
    let input = below.last().map_or(x, |b| &b.n);
    b.matmul(gemm(rows, units, inputs), input, &model.params[w].value, &mut layer.z);
    if l == 0 {
        let add = Gemm { accumulate: true, ..gemm(rows, units, classes) };
        b.matmul(add, labels, &model.params[embed].value, &mut layer.z);
    }
    let bias = bias.map(|i| &model.params[i].value);
    b.bias_act(Dims { rows, cols: units }, bias, act, &mut layer.z, &mut layer.y);
}

/// The layer's output scaled to unit root mean square per row: the next layer's input. Its
/// pre-activations are spent by then, and hold the norm's own copy of that output.
fn normalise<B: Backend>(b: &mut B, layer: &mut Layer<B>, rows: usize, units: usize) {
    let op = NormOp { kind: NormKind::Rms, dims: Dims { rows, cols: units }, eps: EPS, train: false, momentum: 0.0 };
    let saved = NormSaved { xhat: &mut layer.z, inv_std: &mut layer.inv_std };
    b.norm_forward(op, &layer.y, &layer.ones, None, None, saved, &mut layer.n);
}

/// `c = a·b`, `m × k` by `k × n`.
fn gemm(m: usize, n: usize, k: usize) -> Gemm {
    Gemm { m, n, k, a_trans: false, b_trans: false, accumulate: false }
}
