//! Direct Feedback Alignment and target projection: fixed random matrices drawn once from the
//! seed, one per hidden layer — DFA's feedback (`outputs × units`), projecting the output
//! error, or target projection's (`classes × units`, or `outputs × units` for regression),
//! projecting the labels.

use layerlab_spec::train::{LearningRule, Loss};
use rand_distr::{Distribution, StandardNormal};

use super::Signal;
use crate::backend::{Backend, EmbedOp, Gemm};
use crate::layers::{self, State};
use crate::model::{self, Acts, Model};
use crate::rng::{Stream, rng};

pub struct Feedback<B: Backend> {
    /// Direct Feedback Alignment (else target projection).
    alignment: bool,
    matrices: Vec<B::Buf>,
    /// Rows of each matrix: what it projects (outputs, or classes).
    from: usize,
    /// Target projection of class indices: a row lookup, with this zero "position".
    zeros: Vec<B::Buf>,
    classes: bool,
}

/// Draws the matrices of `rule` (feedback alignment or target projection) for `model`.
pub(super) fn prepare<B: Backend>(
    b: &mut B,
    model: &Model<B>,
    rule: LearningRule,
    loss: Loss,
    seed: u64,
) -> Feedback<B> {
    let alignment = rule == LearningRule::FeedbackAlignment;
    let hidden = &model.nodes[..model.nodes.len() - 1];
    // Class indices (the cross-entropies) are projected as one-hot rows; binary targets have
    // two classes in one output.
    let classes = loss != Loss::Mse;
    let from = if !alignment && loss == Loss::BinaryCrossEntropy { 2 } else { model.outputs };
    let mut draws = rng(seed, Stream::Feedback);
    let scale = if alignment { 1.0 / (from as f64).sqrt() } else { 1.0 };
    let mut matrices = Vec::with_capacity(hidden.len());
    let mut zeros = Vec::with_capacity(hidden.len());
    for node in hidden {
        let values: Vec<f64> = (0..from * node.width())
            .map(|_| scale * Distribution::<f64>::sample(&StandardNormal, &mut draws))
            .collect();
        let mut buf = b.alloc(values.len());
        model::write(b, &mut buf, &values);
        matrices.push(buf);
        zeros.push(b.alloc(node.width()));
    }
    Feedback { alignment, matrices, from, zeros, classes }
}

impl<B: Backend> Feedback<B> {
    /// Whether hidden layers wait for the output error (feedback alignment).
    pub fn needs_output_error(&self) -> bool {
        self.alignment
    }

    /// The fixed matrices, one per hidden layer.
    pub fn matrices(&self) -> &[B::Buf] {
        &self.matrices
    }

    /// Numbers in the fixed matrices.
    pub fn floats(&self, b: &B) -> usize {
        self.matrices.iter().chain(&self.zeros).map(|m| b.len(m)).sum()
    }

    /// Target projection's signal for hidden layer `l` (its activations `a`): the target
    /// `t_l = y·P_l` into `grad`, then `grad = (h_l − t_l) / rows`, the gradient of the
    /// layer's mean squared error (per example) against its target.
    pub(super) fn target(&self, b: &mut B, model: &Model<B>, a: &mut Acts<B>, l: usize, s: Signal<'_, B>) {
        let units = model.nodes[l].width();
        if self.classes {
            let lookup = EmbedOp { rows: s.rows, len: 1, vocab: self.from, dim: units };
            b.embed_forward(lookup, s.t, &self.matrices[l], &self.zeros[l], &mut a.grad);
        } else {
            let project = Gemm { m: s.rows, n: units, k: self.from, a_trans: false, b_trans: false, accumulate: false };
            b.matmul(project, s.t, &self.matrices[l], &mut a.grad);
        }
        let n = s.rows * units;
        b.axpby(n, 1.0 / s.rows as f64, &a.y, -1.0 / s.rows as f64, &mut a.grad);
    }
}

/// Feedback alignment's backward pass, after a forward pass and the loss (which left the
/// output error in the output node's `grad`): every parameter's gradient, no input gradient.
pub(super) fn backward<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    s: Signal<'_, B>,
    feedback: &Feedback<B>,
) {
    let (x, rows) = (s.x, s.rows);
    let last = model.nodes.len() - 1;
    let (hidden, head) = acts.split_at_mut(last);
    let mut st = State { params: &mut model.params, buffers: &mut model.buffers };
    // The output layer: its true gradient, from the input it saw.
    let input = hidden.last().map_or(x, |a| &a.y);
    layers::backward_local(b, &model.nodes[last], &mut st, &mut head[0], input, rows);
    let error = &head[0].grad;
    for l in 0..last {
        let (before, rest) = hidden.split_at_mut(l);
        let units = model.nodes[l].width();
        let a = &mut rest[0];
        let project = Gemm { m: rows, n: units, k: feedback.from, a_trans: false, b_trans: false, accumulate: false };
        b.matmul(project, error, &feedback.matrices[l], &mut a.grad);
        let input = before.last().map_or(x, |a| &a.y);
        layers::backward_local(b, &model.nodes[l], &mut st, a, input, rows);
    }
}
