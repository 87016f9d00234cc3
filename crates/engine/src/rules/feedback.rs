//! Direct Feedback Alignment and target projection: fixed random matrices drawn once from the
//! seed, one per hidden layer — DFA's feedback (`outputs × units`), projecting the output
//! error, or target projection's (`classes × units`, or `outputs × units` for regression),
//! projecting the labels.
//!
//! DFA also trains blocks that turn examples into tokens, as "Direct Feedback Alignment Scales
//! to Modern Deep Learning Tasks and Architectures" trains Transformers: one matrix per layer,
//! shared by its positions. Where a block has as many tokens as the output (a sequence task
//! answering at every position), each token receives its own position's error; where the
//! tokens are pooled into one answer, the example's error reaches the tokens the pool reads, as
//! the pool's gradient would (a share to every token for a mean, all to the last token for the
//! last); where the answers are the last positions, those receive theirs and the positions
//! before none.

use layerlab_spec::SpecError;
use layerlab_spec::model::PoolMode;
use layerlab_spec::train::{LearningRule, Loss};
use rand_distr::{Distribution, StandardNormal};

use super::Signal;
use crate::backend::{Backend, EmbedOp, Gemm, PoolOp};
use crate::layers::{self, State};
use crate::model::{self, Acts, Model, Node};
use crate::rng::{Stream, rng};

pub struct Feedback<B: Backend> {
    /// Direct Feedback Alignment (else target projection).
    alignment: bool,
    matrices: Vec<B::Buf>,
    /// How the projected error reaches each hidden layer's tokens (feedback alignment).
    spreads: Vec<Spread>,
    /// A layer's projected error, before it spreads to its tokens.
    projected: B::Buf,
    /// Rows of each matrix: what it projects (outputs, or classes).
    from: usize,
    /// Target projection of class indices: a row lookup, with this zero "position".
    zeros: Vec<B::Buf>,
    classes: bool,
}

/// How the projected output error reaches a hidden layer's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spread {
    /// As many tokens as the output: each position its own error (vectors are one token).
    Same { tokens: usize },
    /// Tokens later pooled into one answer: the example's projected error reaches the tokens
    /// that pool reads, as its gradient would (every token a share of it, or the last one).
    Pool { len: usize, mode: PoolMode },
    /// Answers at the last `keep` of `len` positions: there, each its own error; none before.
    Last { len: usize, keep: usize },
}

/// Each hidden layer's [`Spread`], or the first whose tokens cannot meet the output's `answer`
/// positions (fewer tokens than answers, or none in common).
fn spreads(hidden: &[Node], answer: usize) -> Result<Vec<Spread>, usize> {
    let mut tokens = 1;
    hidden
        .iter()
        .enumerate()
        .map(|(l, node)| {
            tokens = node.tokens_out(tokens);
            // The pool that makes the tokens one (a mean where none is found at the top level).
            let mode = hidden[l + 1..]
                .iter()
                .find_map(|n| match *n {
                    Node::Pool { mode, .. } => Some(mode),
                    _ => None,
                })
                .unwrap_or(PoolMode::Mean);
            match (tokens, answer) {
                (t, a) if t == a => Ok(Spread::Same { tokens: t }),
                (t, 1) => Ok(Spread::Pool { len: t, mode }),
                (t, a) if t > a => Ok(Spread::Last { len: t, keep: a }),
                _ => Err(l),
            }
        })
        .collect()
}

/// Draws the matrices of `rule` (feedback alignment or target projection) for `model`.
pub(super) fn prepare<B: Backend>(
    b: &mut B,
    model: &Model<B>,
    rule: LearningRule,
    loss: Loss,
    seed: u64,
    rows: usize,
) -> Result<Feedback<B>, SpecError> {
    let alignment = rule == LearningRule::FeedbackAlignment;
    let hidden = &model.nodes[..model.nodes.len() - 1];
    // Class indices (the cross-entropies) are projected as one-hot rows; binary targets have
    // two classes in one output.
    let classes = loss != Loss::Mse;
    let from = if !alignment && loss == Loss::BinaryCrossEntropy { 2 } else { model.outputs };
    // Target projection trains vector models only (`rules::prepare` checks): one token each.
    let spreads = spreads(hidden, model.answer).map_err(|l| {
        SpecError::new(
            format!("model[{l}]"),
            format!(
                "has fewer tokens than the {} positions the output answers at, so no answer's error can reach them: \
                 use backprop",
                model.answer
            ),
        )
    })?;
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
    // The projected error before it spreads to a layer's tokens.
    let spread_widths = hidden.iter().zip(&spreads).filter(|(_, s)| !matches!(s, Spread::Same { .. }));
    let widest = spread_widths.map(|(n, _)| n.width() * model.answer).max().unwrap_or(0);
    let projected = b.alloc(rows * widest);
    Ok(Feedback { alignment, matrices, spreads, projected, from, zeros, classes })
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
        self.matrices.iter().chain(&self.zeros).chain([&self.projected]).map(|m| b.len(m)).sum()
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
    feedback: &mut Feedback<B>,
) {
    let (x, rows) = (s.x, s.rows);
    let last = model.nodes.len() - 1;
    // Rows into each node: one per token.
    let rows_in: Vec<usize> =
        model.nodes.iter().scan(rows, |r, node| Some(std::mem::replace(r, node.rows_out(*r)))).collect();
    let (hidden, head) = acts.split_at_mut(last);
    let mut st = State { params: &mut model.params, buffers: &mut model.buffers };
    // The output layer: its true gradient, from the input it saw.
    let input = hidden.last().map_or(x, |a| &a.y);
    layers::backward_local(b, &model.nodes[last], &mut st, &mut head[0], input, rows_in[last]);
    let error = &head[0].grad;
    for (l, &rows_l) in rows_in.iter().enumerate().take(last) {
        let (before, rest) = hidden.split_at_mut(l);
        let dim = model.nodes[l].width();
        let a = &mut rest[0];
        let project = |m| Gemm { m, n: dim, k: feedback.from, a_trans: false, b_trans: false, accumulate: false };
        let projected = &mut feedback.projected;
        match feedback.spreads[l] {
            Spread::Same { tokens } => b.matmul(project(rows * tokens), error, &feedback.matrices[l], &mut a.grad),
            Spread::Pool { len, mode } => {
                b.matmul(project(rows), error, &feedback.matrices[l], projected);
                b.pool_backward(PoolOp { rows, len, dim, mode }, projected, &mut a.grad);
            }
            Spread::Last { len, keep } => {
                b.matmul(project(rows * keep), error, &feedback.matrices[l], projected);
                b.scale(0.0, &mut a.grad);
                b.copy_cols(layers::last_tokens(rows, len, keep, dim, false), projected, &mut a.grad);
            }
        }
        let input = before.last().map_or(x, |a| &a.y);
        layers::backward_local(b, &model.nodes[l], &mut st, a, input, rows_l);
    }
}
