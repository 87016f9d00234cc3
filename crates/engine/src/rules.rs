//! Learning rules besides backprop, for stacks of dense layers.
//!
//! - Direct Feedback Alignment ("Direct Feedback Alignment Scales to Modern Deep Learning Tasks
//!   and Architectures"; Nøkland, "Direct Feedback Alignment Provides Learning in Deep Neural
//!   Networks"): the output layer learns from its true gradient; every hidden layer receives the
//!   output error through its own fixed random matrix instead of the transposed weights above
//!   it, `δ_l = (e·B_l) ⊙ f'(z_l)`, so no layer waits for the one above.
//! - Target projection ("Learning with Local Gradients at the Edge", tpSGD): the output layer
//!   learns from its true gradient; every hidden layer regresses a fixed random projection of
//!   the labels, `t_l = y·P_l` (one-hot classes, or the regression targets), by its own squared
//!   error — no error signal travels between layers at all.

use layerlab_spec::SpecError;
use layerlab_spec::model::Block;
use layerlab_spec::train::{LearningRule, Loss};
use rand_distr::{Distribution, StandardNormal};

use crate::backend::{Backend, EmbedOp, Gemm};
use crate::layers::{self, State};
use crate::model::{self, Acts, Model};
use crate::rng::{Stream, rng};

/// What a non-backprop rule keeps besides the model: one fixed random matrix per hidden layer,
/// drawn once from the seed — DFA's feedback (`outputs × units`) or target projection's
/// (`classes × units`, or `outputs × units` for regression).
pub struct Feedback<B: Backend> {
    rule: Local,
    matrices: Vec<B::Buf>,
    /// Rows of each matrix: what it projects (outputs, or classes).
    from: usize,
    /// Target projection of class indices: a row lookup, with this zero "position".
    zeros: Vec<B::Buf>,
    classes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Local {
    FeedbackAlignment,
    TargetProjection,
}

/// Checks that `rule` can train `model` (built from `blocks`), and draws what it needs.
pub fn prepare<B: Backend>(
    b: &mut B,
    model: &Model<B>,
    blocks: &[Block],
    rule: LearningRule,
    loss: Loss,
    seed: u64,
) -> Result<Option<Feedback<B>>, SpecError> {
    let local = match rule {
        LearningRule::Backprop => return Ok(None),
        LearningRule::FeedbackAlignment => Local::FeedbackAlignment,
        LearningRule::TargetProjection => Local::TargetProjection,
        other => {
            return Err(SpecError::new(
                "training.rule",
                format!(
                    "= {} is not available in this version of the engine: use backprop, feedback_alignment or \
                     target_projection",
                    other.name()
                ),
            ));
        }
    };
    let title = if local == Local::FeedbackAlignment { "feedback alignment" } else { "target projection" };
    if let Some((i, block)) = blocks.iter().enumerate().find(|(_, b)| !matches!(b, Block::Dense(_))) {
        return Err(SpecError::new(
            format!("model[{i}]"),
            format!(
                "is a {} block, but {title} trains stacks of dense layers only: use dense blocks, or backprop",
                block.kind()
            ),
        ));
    }
    let hidden = &model.nodes[..model.nodes.len() - 1];
    if model.answer != 1 {
        return Err(SpecError::new(
            "training.rule",
            format!("{title} trains vector outputs only: use backprop for sequence tasks"),
        ));
    }
    // Class indices (the cross-entropies) are projected as one-hot rows; binary targets have
    // two classes in one output.
    let classes = loss != Loss::Mse;
    let from = match (local, loss) {
        (Local::TargetProjection, Loss::BinaryCrossEntropy) => 2,
        _ => model.outputs,
    };
    let mut draws = rng(seed, Stream::Feedback);
    let scale = if local == Local::FeedbackAlignment { 1.0 / (from as f64).sqrt() } else { 1.0 };
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
    Ok(Some(Feedback { rule: local, matrices, from, zeros, classes }))
}

/// The backward pass of a local rule, after a forward pass and the loss (which left the output
/// error in the output node's `grad`; `t` holds the batch's targets as the loss reads them):
/// every parameter's gradient, no input gradient.
pub fn local_backward<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    x: &B::Buf,
    t: &B::Buf,
    rows: usize,
    feedback: &Feedback<B>,
) {
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
        match feedback.rule {
            Local::FeedbackAlignment => {
                let project =
                    Gemm { m: rows, n: units, k: feedback.from, a_trans: false, b_trans: false, accumulate: false };
                b.matmul(project, error, &feedback.matrices[l], &mut a.grad);
            }
            Local::TargetProjection => {
                // The target t_l = y·P_l into `grad`, then grad = (h_l − t_l) / rows: the
                // gradient of the layer's mean squared error (per example) against its target.
                if feedback.classes {
                    let lookup = EmbedOp { rows, len: 1, vocab: feedback.from, dim: units };
                    b.embed_forward(lookup, t, &feedback.matrices[l], &feedback.zeros[l], &mut a.grad);
                } else {
                    let project =
                        Gemm { m: rows, n: units, k: feedback.from, a_trans: false, b_trans: false, accumulate: false };
                    b.matmul(project, t, &feedback.matrices[l], &mut a.grad);
                }
                let n = rows * units;
                b.axpby(n, 1.0 / rows as f64, &a.y, -1.0 / rows as f64, &mut a.grad);
            }
        }
        let input = before.last().map_or(x, |a| &a.y);
        layers::backward_local(b, &model.nodes[l], &mut st, a, input, rows);
    }
}
