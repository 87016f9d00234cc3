//! Learning rules besides backprop. Each trains the hidden blocks from a signal of its own, the
//! size of the block's output; inside a block (a residual, a parallel, a KAN layer, a mixture of
//! experts…) the block's own backward pass carries it to the parameters, as "Direct Feedback
//! Alignment Scales to Modern Deep Learning Tasks and Architectures" does for its blocks. So any
//! block that keeps one vector per example can be trained (Forward-Forward, with its own forward
//! pass: dense layers only), and feedback alignment trains blocks that make tokens and sequence
//! tasks as well, as its paper trains Transformers. The output layer always learns from its true
//! gradient (except in Forward-Forward, which predicts by goodness and has no use for it).
//!
//! - **Direct Feedback Alignment** ("Direct Feedback Alignment Scales to Modern Deep Learning
//!   Tasks and Architectures"): every hidden layer receives the output error through its own
//!   fixed random matrix instead of the transposed weights above it, `δ_l = (e·B_l) ⊙ f'(z_l)`,
//!   so no layer waits for the one above; it still keeps every layer's activations until the
//!   error is known. Blocks of tokens receive each position's error (see `feedback`).
//! - **Target projection** ("Learning with Local Gradients at the Edge", tpSGD): every hidden
//!   layer regresses a fixed random projection of the labels, `t_l = y·P_l`, by its own squared
//!   error — no error travels between layers, so each layer is trained as soon as it has run.
//! - **Mono-Forward** ("Mono-Forward: Backpropagation-Free Algorithm for Efficient Neural
//!   Network Training Harnessing Local Errors"): every hidden layer owns a learned projection
//!   `M_l` from its activations to the class scores and minimises the task's loss on
//!   `a_l·M_l`; layers train one after the other, each holding only its own activations.
//! - **Forward-Forward** ("The Forward-Forward Algorithm"; "Layer Collaboration in the
//!   Forward-Forward Algorithm"): no loss at the output at all. Each layer learns to give high
//!   goodness (the mean square of its activations) to positive data — an example with its true
//!   label embedded — and low goodness to negative data — the example with a wrong label —
//!   against a threshold; a network predicts the label whose embedding makes the layers'
//!   goodness largest.
//!
//! [`prepare`] checks that a rule can train a model and builds what it keeps; [`step`] runs one
//! step's forward and signals; [`forward`] is the model's forward pass under the rule (a
//! Forward-Forward network's outputs are its goodness per label).

mod feedback;
mod forward_forward;
mod mono;

use layerlab_spec::SpecError;
use layerlab_spec::model::Block;
use layerlab_spec::train::{LearningRule, Loss};

use crate::backend::{Backend, Dims};
use crate::layers::{self, Pass, State};
use crate::model::{Acts, Model};

pub use feedback::Feedback;
pub use forward_forward::{ForwardForward, wrong_label};
pub use mono::Mono;

/// What a rule other than backprop keeps besides the model.
pub enum Local<B: Backend> {
    Feedback(Feedback<B>),
    Mono(Mono<B>),
    ForwardForward(Box<ForwardForward<B>>),
}

/// The batch sizes a rule's buffers must hold: a training batch, and the largest batch a
/// forward pass outside training runs on (evaluation, the probe, the surface).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rows {
    pub batch: usize,
    pub eval: usize,
}

/// Checks that `rule` can train `model` (built from `blocks`), and builds what it needs: fixed
/// random matrices drawn from the seed, or parameters of its own, which it appends to
/// `model.params` (after the output layer's, so the optimizer trains them and checkpoints keep
/// them, and no layer's metrics count them).
pub fn prepare<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    blocks: &[Block],
    rule: LearningRule,
    loss: Loss,
    seed: u64,
    rows: Rows,
) -> Result<Option<Local<B>>, SpecError> {
    if rule == LearningRule::Backprop {
        return Ok(None);
    }
    let title = title(rule);
    if let LearningRule::ForwardForward { .. } = rule
        && let Some((i, block)) = blocks.iter().enumerate().find(|(_, b)| !matches!(b, Block::Dense(_)))
    {
        return Err(SpecError::new(
            format!("model[{i}]"),
            format!(
                "is a {} block, but {title} trains stacks of dense layers only: use dense blocks, or another rule",
                block.kind()
            ),
        ));
    }
    // The other rules train each block from a signal the size of its output; inside a block, its
    // own backward pass carries that signal to its parameters. Feedback alignment's signal
    // reaches tokens too (its paper trains Transformers); the layer-local rules' papers define
    // them for one vector per example. (Whether a block keeps its rows, asked of a batch size
    // that token counts divide.)
    const ROWS: usize = 840;
    let vectors_only = rule != LearningRule::FeedbackAlignment;
    if let Some(i) = model.nodes[..model.nodes.len() - 1].iter().position(|n| vectors_only && n.rows_out(ROWS) != ROWS)
    {
        let kind = blocks.get(i).map_or("sequence", Block::kind);
        return Err(SpecError::new(
            format!("model[{i}]"),
            format!(
                "is a {kind} block, which turns each example into a different number of rows (tokens), but \
                 {title} trains blocks that keep one vector per example: wrap it with its pooling in a \
                 parallel block, or use backprop or feedback alignment"
            ),
        ));
    }
    if vectors_only && model.answer != 1 {
        return Err(SpecError::new(
            "training.rule",
            format!("{title} trains vector outputs only: use backprop or feedback alignment for sequence tasks"),
        ));
    }
    Ok(Some(match rule {
        LearningRule::FeedbackAlignment | LearningRule::TargetProjection => {
            Local::Feedback(feedback::prepare(b, model, rule, loss, seed, rows.batch)?)
        }
        LearningRule::MonoForward => Local::Mono(mono::prepare(b, model, seed, rows.batch)),
        LearningRule::ForwardForward { threshold } => {
            Local::ForwardForward(Box::new(forward_forward::prepare(b, model, threshold, loss, seed, rows)?))
        }
        LearningRule::Backprop => unreachable!("backprop returned above"),
    }))
}

/// The rule's name in sentences.
fn title(rule: LearningRule) -> &'static str {
    match rule {
        LearningRule::Backprop => "backprop",
        LearningRule::FeedbackAlignment => "feedback alignment",
        LearningRule::TargetProjection => "target projection",
        LearningRule::MonoForward => "Mono-Forward",
        LearningRule::ForwardForward { .. } => "Forward-Forward",
    }
}

/// One training batch on the backend: inputs, targets as the loss reads them, and rows.
pub struct Signal<'a, B: Backend> {
    pub x: &'a B::Buf,
    pub t: &'a B::Buf,
    pub rows: usize,
    pub loss: Loss,
    pub pass: Pass,
}

// By hand: a derive would ask the backend itself to be Copy.
impl<B: Backend> Clone for Signal<'_, B> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B: Backend> Copy for Signal<'_, B> {}

/// One step of a local rule up to the optimizer: every parameter's gradient, and the step's
/// loss in `stats` (the output layer's; Forward-Forward's last layer's). Reads nothing back.
pub fn step<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    rule: &mut Local<B>,
    s: Signal<'_, B>,
    stats: &mut B::Buf,
) {
    match rule {
        Local::Feedback(f) if f.needs_output_error() => {
            model.forward(b, acts, s.x, s.rows, s.pass);
            head_loss(b, model, acts, s, stats);
            model.add_aux_loss(b, acts, stats);
            feedback::backward(b, model, acts, s, f);
        }
        Local::Feedback(f) => layer_by_layer(b, model, acts, s, stats, |b, model, a, l| f.target(b, model, a, l, s)),
        Local::Mono(m) => layer_by_layer(b, model, acts, s, stats, |b, model, a, l| m.signal(b, model, a, l, s)),
        Local::ForwardForward(ff) => ff.step(b, model, stats),
    }
}

/// The forward pass outside training (evaluation, the probe, the surface) under `rule`: the
/// model's own, or Forward-Forward's goodness per label as the output layer's values.
pub fn forward<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    rule: Option<&mut Local<B>>,
    acts: &mut [Acts<B>],
    x: &B::Buf,
    rows: usize,
    pass: Pass,
) {
    let forward_forward = rule.and_then(|r| match r {
        Local::ForwardForward(ff) => Some(ff),
        _ => None,
    });
    match forward_forward {
        Some(ff) => ff.predict(b, model, acts, x, rows),
        None => model.forward(b, acts, x, rows, pass),
    }
}

/// Gives the rule the training batch as it was drawn on the host (Forward-Forward makes its
/// positive and negative data from it).
pub fn load<B: Backend>(b: &mut B, rule: &mut Local<B>, x: &[B::R], t: &[B::R]) {
    if let Local::ForwardForward(ff) = rule {
        ff.load(b, x, t);
    }
}

/// The output layer's loss into `stats` and its gradient into its `grad`.
fn head_loss<B: Backend>(b: &mut B, model: &Model<B>, acts: &mut [Acts<B>], s: Signal<'_, B>, stats: &mut B::Buf) {
    let dims = Dims { rows: model.output_rows(s.rows), cols: model.outputs };
    let head = acts.last_mut().expect("a model has an output layer");
    b.loss_to(s.loss, dims, &head.y, s.t, &mut head.grad, stats);
}

/// Trains layer after layer: each hidden layer runs, `signal` puts the gradient of its local
/// loss into its `grad` (layer `l`'s activations are `acts[0]`, its input before them), and its
/// weight gradients follow at once, so no layer's activations are needed after the next has
/// run; then the output layer, from its true gradient.
fn layer_by_layer<B: Backend>(
    b: &mut B,
    model: &mut Model<B>,
    acts: &mut [Acts<B>],
    s: Signal<'_, B>,
    stats: &mut B::Buf,
    mut signal: impl FnMut(&mut B, &mut Model<B>, &mut Acts<B>, usize),
) {
    let last = model.nodes.len() - 1;
    for l in 0..=last {
        let (before, rest) = acts.split_at_mut(l);
        let input = before.last().map_or(s.x, |a| &a.y);
        let mut st = State { params: &mut model.params, buffers: &mut model.buffers };
        layers::forward(b, &model.nodes[l..=l], &mut st, &mut rest[..1], input, s.rows, s.pass);
        if l == last {
            let dims = Dims { rows: s.rows, cols: model.outputs };
            b.loss_to(s.loss, dims, &rest[0].y, s.t, &mut rest[0].grad, stats);
        } else {
            signal(b, model, &mut rest[0], l);
        }
        let mut st = State { params: &mut model.params, buffers: &mut model.buffers };
        layers::backward_local(b, &model.nodes[l], &mut st, &mut rest[0], input, s.rows);
    }
    model.add_aux_loss(b, acts, stats);
}

/// Numbers a step holds at its peak besides the parameters, their gradients and the
/// optimizer's state: the activations it must keep at once (backprop and feedback alignment:
/// every layer's, until the output error is known; the layer-by-layer rules: one layer's and
/// its input; Forward-Forward: one layer's, for positive and negative data) and the rule's own
/// buffers. Counted from the lengths of the buffers the engine allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Held {
    pub activations: usize,
    pub rule: usize,
}

/// What a step of `rule` holds (see [`Held`]); `acts` are the training activations and
/// `inputs` the numbers of a training batch's inputs.
pub fn held<B: Backend>(b: &B, rule: Option<&Local<B>>, acts: &[Acts<B>], inputs: usize) -> Held {
    let all = || inputs + acts.iter().map(|a| a.floats(b)).sum::<usize>();
    // One layer at a time: its activations and its input (the layer before's output).
    let one_at_a_time = || {
        (0..acts.len())
            .map(|l| acts[l].floats(b) + if l == 0 { inputs } else { b.len(&acts[l - 1].y) })
            .max()
            .unwrap_or(inputs)
    };
    match rule {
        None => Held { activations: all(), rule: 0 },
        Some(Local::Feedback(f)) if f.needs_output_error() => Held { activations: all(), rule: f.floats(b) },
        Some(Local::Feedback(f)) => Held { activations: one_at_a_time(), rule: f.floats(b) },
        Some(Local::Mono(m)) => Held { activations: one_at_a_time() + m.floats(b), rule: 0 },
        Some(Local::ForwardForward(ff)) => ff.held(b),
    }
}
