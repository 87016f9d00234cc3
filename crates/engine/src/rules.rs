//! Learning rules besides backprop, for stacks of dense layers.
//!
//! - Direct Feedback Alignment ("Direct Feedback Alignment Scales to Modern Deep Learning Tasks
//!   and Architectures"; Nøkland, "Direct Feedback Alignment Provides Learning in Deep Neural
//!   Networks"): the output layer learns from its true gradient; every hidden layer receives the
//!   output error through its own fixed random matrix instead of the transposed weights above
//!   it, `δ_l = (e·B_l) ⊙ f'(z_l)`, so no layer waits for the one above.

use layerlab_spec::SpecError;
use layerlab_spec::model::Block;
use layerlab_spec::train::LearningRule;
use rand_distr::{Distribution, StandardNormal};

use crate::backend::{Backend, Gemm};
use crate::layers::{self, State};
use crate::model::{self, Acts, Model};
use crate::rng::{Stream, rng};

/// What a non-backprop rule keeps besides the model: DFA's fixed feedback matrices, one per
/// hidden layer (`outputs × units`), drawn once from the seed.
pub struct Feedback<B: Backend> {
    matrices: Vec<B::Buf>,
}

/// The rule's name as the spec writes it.
pub fn name(rule: LearningRule) -> &'static str {
    match rule {
        LearningRule::Backprop => "backprop",
        LearningRule::ForwardForward { .. } => "forward_forward",
        LearningRule::MonoForward => "mono_forward",
        LearningRule::FeedbackAlignment => "feedback_alignment",
        LearningRule::TargetProjection => "target_projection",
    }
}

/// Checks that `rule` can train `model` (built from `blocks`), and draws what it needs.
pub fn prepare<B: Backend>(
    b: &mut B,
    model: &Model<B>,
    blocks: &[Block],
    rule: LearningRule,
    seed: u64,
) -> Result<Option<Feedback<B>>, SpecError> {
    match rule {
        LearningRule::Backprop => return Ok(None),
        LearningRule::FeedbackAlignment => {}
        other => {
            return Err(SpecError::new(
                "training.rule",
                format!(
                    "= {} is not available in this version of the engine: use backprop or feedback_alignment",
                    name(other)
                ),
            ));
        }
    }
    if let Some((i, block)) = blocks.iter().enumerate().find(|(_, b)| !matches!(b, Block::Dense(_))) {
        return Err(SpecError::new(
            format!("model[{i}]"),
            format!(
                "is a {} block, but feedback alignment trains stacks of dense layers only: use dense blocks, or backprop",
                block.kind()
            ),
        ));
    }
    let hidden = &model.nodes[..model.nodes.len() - 1];
    if model.answer != 1 {
        return Err(SpecError::new(
            "training.rule",
            "feedback alignment trains vector outputs only: use backprop for sequence tasks",
        ));
    }
    let mut draws = rng(seed, Stream::Feedback);
    let scale = 1.0 / (model.outputs as f64).sqrt();
    let matrices = hidden
        .iter()
        .map(|node| {
            let values: Vec<f64> = (0..model.outputs * node.width())
                .map(|_| scale * Distribution::<f64>::sample(&StandardNormal, &mut draws))
                .collect();
            let mut buf = b.alloc(values.len());
            model::write(b, &mut buf, &values);
            buf
        })
        .collect();
    Ok(Some(Feedback { matrices }))
}

/// The DFA backward pass, after a forward pass and the loss (which left the output error in the
/// output node's `grad`): every parameter's gradient, no input gradient.
pub fn dfa_backward<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    x: &B::Buf,
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
        let project = Gemm { m: rows, n: units, k: model.outputs, a_trans: false, b_trans: false, accumulate: false };
        b.matmul(project, error, &feedback.matrices[l], &mut rest[0].grad);
        let input = before.last().map_or(x, |a| &a.y);
        layers::backward_local(b, &model.nodes[l], &mut st, &mut rest[0], input, rows);
    }
}
