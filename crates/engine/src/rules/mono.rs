//! Mono-Forward: each hidden layer `l` owns a learned projection `M_l` (`units × outputs`) from
//! its activations to the model's outputs, and minimises the task's own loss on `a_l·M_l`;
//! the gradient stops at the layer's input.

use rand::Rng;

use super::Signal;
use crate::backend::{Backend, Dims, Gemm, STATS};
use crate::model::{Acts, Model, ParamKind};
use crate::rng::{Stream, rng};

pub struct Mono<B: Backend> {
    /// Each hidden layer's projection: an index into the model's parameters.
    projections: Vec<usize>,
    /// A layer's scores and their gradient, for a training batch.
    scores: B::Buf,
    d_scores: B::Buf,
    /// Where the hidden layers' losses go (only the output layer's is the step's).
    stats: B::Buf,
}

/// Appends one projection per hidden layer to `model`'s parameters, Xavier-uniform from the
/// seed, and the scratch a batch of `rows` needs.
pub(super) fn prepare<B: Backend>(b: &mut B, model: &mut Model<B>, seed: u64, rows: usize) -> Mono<B> {
    let mut draws = rng(seed, Stream::Feedback);
    let outputs = model.outputs;
    let widths: Vec<usize> = model.nodes[..model.nodes.len() - 1].iter().map(|n| n.width()).collect();
    let projections = widths
        .into_iter()
        .map(|units| {
            let bound = (6.0 / (units + outputs) as f64).sqrt();
            let values: Vec<f64> = (0..units * outputs).map(|_| draws.random_range(-bound..bound)).collect();
            model.add_param(b, &values, ParamKind::Weight, true)
        })
        .collect();
    Mono { projections, scores: b.alloc(rows * outputs), d_scores: b.alloc(rows * outputs), stats: b.alloc(STATS) }
}

impl<B: Backend> Mono<B> {
    /// Numbers in the scratch a step holds besides the layer it trains.
    pub fn floats(&self, b: &B) -> usize {
        b.len(&self.scores) + b.len(&self.d_scores)
    }

    /// Hidden layer `l`'s local loss: scores `a_l·M_l`, the task's loss on them, the gradient of
    /// `M_l` and of the layer's output (into `a.grad`).
    pub(super) fn signal(&mut self, b: &mut B, model: &mut Model<B>, a: &mut Acts<B>, l: usize, s: Signal<'_, B>) {
        let (units, outputs, rows) = (model.nodes[l].width(), model.outputs, s.rows);
        let m = &mut model.params[self.projections[l]];
        let score = Gemm { m: rows, n: outputs, k: units, a_trans: false, b_trans: false, accumulate: false };
        b.matmul(score, &a.y, &m.value, &mut self.scores);
        b.loss_to(s.loss, Dims { rows, cols: outputs }, &self.scores, s.t, &mut self.d_scores, &mut self.stats);
        let d_m = Gemm { m: units, n: outputs, k: rows, a_trans: true, b_trans: false, accumulate: false };
        b.matmul(d_m, &a.y, &self.d_scores, &mut m.grad);
        let d_a = Gemm { m: rows, n: units, k: outputs, a_trans: false, b_trans: true, accumulate: false };
        b.matmul(d_a, &self.d_scores, &m.value, &mut a.grad);
    }
}
