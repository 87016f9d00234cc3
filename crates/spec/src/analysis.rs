//! Validation in one place: every field checked against its limit, shapes inferred through the
//! model, and the counts the page shows live (parameters, FLOPs per step, activation memory).

use crate::blocks::{BlockReport, Walker};
use crate::data::{CsvTask, DataSpec, Dataset, Task};
use crate::error::{Errors, SpecError};
use crate::limits::*;
use crate::model::Block;
use crate::shape::{Cost, Shape};
use crate::spec::{Every, MetricsSpec, Spec};
use crate::train::{LearningRule, Length, Loss, Optimizer, Schedule, Stop, Training};

/// What a valid spec amounts to.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub input: Shape,
    pub task: Task,
    pub loss: Loss,
    /// Every block, nested ones included, in order, with its shapes and cost.
    pub blocks: Vec<BlockReport>,
    /// The implied output layer.
    pub head: BlockReport,
    /// Trainable parameters, output layer included.
    pub parameters: u64,
    /// Parameters kept frozen (not trained).
    pub frozen: u64,
    /// FLOPs of one training step under the spec's learning rule (a multiply-add counts two).
    pub flops_per_step: u64,
    /// FLOPs of a step per forward FLOP of one example: the batch times the rule's passes (a
    /// block's share of a step is its forward FLOPs times this).
    pub step_factor: u64,
    /// Peak bytes of activations one step holds under backprop (every block's, for the backward
    /// pass) and under a local rule (one block's at a time).
    pub memory: Memory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub backprop_bytes: u64,
    pub local_bytes: u64,
    /// The figure for the spec's own learning rule.
    pub this_rule_bytes: u64,
}

/// Checks everything and, when all is valid, counts. All problems are reported at once.
pub fn analyse(spec: &Spec) -> Result<Analysis, Vec<SpecError>> {
    let mut errors = Errors::default();
    let data = check_data(&spec.data, &mut errors);
    check_training(&spec.training, &mut errors);
    check_metrics(&spec.metrics, &mut errors);

    let Some((input, task)) = data else { return Err(errors.list) };
    let mut walker = Walker { errors: &mut errors, blocks: Vec::new(), count: 0 };
    let walked = walker.sequence(&spec.model, input, "model", 0);
    let blocks = std::mem::take(&mut walker.blocks);
    let Some((output, body)) = walked else { return Err(errors.list) };
    if spec.data.dataset.is_next_token() {
        check_causal(&spec.model, "model", &mut errors);
    }
    let Some((loss, head)) = head(output, task, spec.training.loss, spec.model.len(), &mut errors) else {
        return Err(errors.list);
    };
    let total = body.plus(head.cost);
    if total.params > MAX_PARAMETERS {
        errors.push("model", format!("has {} parameters, beyond the limit of {MAX_PARAMETERS} (MAX_PARAMETERS): make layers narrower or fewer", total.params));
    }
    if !errors.list.is_empty() {
        return Err(errors.list);
    }
    let batch = u64::from(spec.training.batch_size);
    let rule = spec.training.rule;
    // Backprop: forward, then a backward costing about twice the forward. Local rules need no
    // input gradients (weight gradients only, about one forward); Forward-Forward runs
    // positive and negative data.
    let passes = match rule {
        LearningRule::Backprop => 3,
        LearningRule::ForwardForward { .. } => 4,
        _ => 2,
    };
    let bytes = |floats: u64| floats.saturating_mul(batch).saturating_mul(4);
    let all = input.elements().saturating_add(total.activations);
    let largest = blocks.iter().map(|b| b.cost.activations).chain([head.cost.activations]).max().unwrap_or(0);
    let local = largest.saturating_add(input.elements())
        * if matches!(rule, LearningRule::ForwardForward { .. }) { 2 } else { 1 };
    let memory = Memory {
        backprop_bytes: bytes(all),
        local_bytes: bytes(local),
        this_rule_bytes: if rule.is_local() { bytes(local) } else { bytes(all) },
    };
    Ok(Analysis {
        input,
        task,
        loss,
        blocks,
        head,
        parameters: total.params,
        frozen: total.frozen,
        flops_per_step: total.flops.saturating_mul(batch).saturating_mul(passes),
        step_factor: batch.saturating_mul(passes),
        memory,
    })
}

/// The output layer the task implies, and the loss it trains with.
fn head(
    output: Shape,
    task: Task,
    loss: Option<Loss>,
    blocks: usize,
    errors: &mut Errors,
) -> Option<(Loss, BlockReport)> {
    let loss_path = "training.loss";
    let (loss, outputs) = match (task, loss) {
        (Task::Classify { classes: 2 }, None | Some(Loss::BinaryCrossEntropy)) => (Loss::BinaryCrossEntropy, 1),
        (Task::Classify { classes: 2 }, Some(Loss::Mse)) => (Loss::Mse, 1),
        (Task::Classify { classes }, None | Some(Loss::CrossEntropy)) => (Loss::CrossEntropy, classes),
        (Task::Classify { classes }, Some(Loss::Mse)) => (Loss::Mse, classes),
        (Task::Classify { classes }, Some(Loss::BinaryCrossEntropy)) => {
            errors.push(
                loss_path,
                format!("= binary_cross_entropy needs two classes, this task has {classes}: use cross_entropy or mse"),
            );
            return None;
        }
        (Task::Regress { outputs }, None | Some(Loss::Mse)) => (Loss::Mse, outputs),
        (Task::Regress { .. }, Some(other)) => {
            errors.push(loss_path, format!("= {} does not fit a regression task: use mse", loss_name(other)));
            return None;
        }
        (Task::Sequence { vocabulary, .. }, None | Some(Loss::CrossEntropy)) => (Loss::CrossEntropy, vocabulary),
        (Task::Sequence { .. }, Some(other)) => {
            errors.push(loss_path, format!("= {} does not fit a next-token task: use cross_entropy", loss_name(other)));
            return None;
        }
    };
    let at = format!("model[{blocks}]");
    let (width, tokens, out) = match (output, task) {
        (Shape::Flat(_), Task::Sequence { .. }) => {
            errors.push(at, format!("the model ends in a vector {output}, but this task predicts a token at each position: keep the sequence (no pool block at the end)"));
            return None;
        }
        (Shape::Flat(width), _) => (width, 1, Shape::Flat(outputs)),
        (Shape::Seq { len, dim }, Task::Sequence { length, .. }) => {
            if len < length {
                errors.push(at, format!("the model ends in {len} tokens but the answer has {length}"));
                return None;
            }
            (dim, length, Shape::Seq { len: length, dim: outputs })
        }
        (Shape::Seq { .. }, _) => {
            errors.push(
                at,
                format!("the model ends in a sequence {output}: add a pool block to get one vector to predict from"),
            );
            return None;
        }
        (Shape::Tokens { .. }, _) => {
            errors
                .push(at, format!("the model ends in token ids {output}: sequence datasets need an embed block first"));
            return None;
        }
    };
    let cost = Cost::linear(width, outputs, tokens, true);
    Some((loss, BlockReport { path: "output".into(), kind: "dense", input: output, output: out, cost }))
}

fn loss_name(loss: Loss) -> &'static str {
    match loss {
        Loss::Mse => "mse",
        Loss::BinaryCrossEntropy => "binary_cross_entropy",
        Loss::CrossEntropy => "cross_entropy",
    }
}

/// Checks the data and returns the input shape and task.
fn check_data(data: &DataSpec, errors: &mut Errors) -> Option<(Shape, Task)> {
    // Errors in the dataset's own parameters or the features leave the input shape unknown;
    // the others (noise, split) do not stop the model from being checked.
    let before = errors.list.len();
    let at = |field: &str| format!("data.dataset.{field}");
    match &data.dataset {
        Dataset::Checkerboard { cells } => {
            errors.int(at("cells"), (*cells).into(), 2, 16, "16 cells a side");
        }
        Dataset::ArmSpiral { arms } => {
            errors.int(at("arms"), (*arms).into(), 2, MAX_CLASSES.into(), "MAX_CLASSES");
        }
        Dataset::Image { side, .. } => {
            errors.int(at("side"), (*side).into(), 8, MAX_IMAGE_SIDE.into(), "MAX_IMAGE_SIDE");
        }
        Dataset::ModularAddition { modulus } => {
            errors.int(at("modulus"), (*modulus).into(), 2, (MAX_VOCABULARY - 1).into(), "MAX_VOCABULARY");
        }
        Dataset::Parity { bits } => {
            errors.int(at("bits"), (*bits).into(), 1, MAX_SEQUENCE.into(), "MAX_SEQUENCE");
        }
        Dataset::Copy { length, vocabulary } | Dataset::Reverse { length, vocabulary } => {
            // The model sees 2·length tokens (the sequence, then a blank per answer) and the
            // blank takes one id of the vocabulary.
            errors.int(at("length"), (*length).into(), 1, (MAX_SEQUENCE / 2).into(), "MAX_SEQUENCE / 2");
            errors.int(at("vocabulary"), (*vocabulary).into(), 2, (MAX_VOCABULARY - 1).into(), "MAX_VOCABULARY − 1");
        }
        Dataset::Arithmetic { digits, .. } => {
            errors.int(at("digits"), (*digits).into(), 1, 8, "8 digits");
        }
        Dataset::Csv(csv) => {
            let name_ok = !csv.name.trim().is_empty() && csv.name.chars().count() <= MAX_NAME_CHARS;
            if !name_ok {
                errors.push(at("name"), format!("must name the CSV file in 1 to {MAX_NAME_CHARS} characters"));
            }
            if csv.target.chars().count() > MAX_NAME_CHARS {
                errors.push(at("target"), format!("is longer than {MAX_NAME_CHARS} characters"));
            }
            errors.int(at("inputs"), csv.inputs.into(), 1, MAX_WIDTH.into(), "MAX_WIDTH");
            if let CsvTask::Classes { classes } = csv.task {
                errors.int(at("task.classes"), classes.into(), 2, MAX_CLASSES.into(), "MAX_CLASSES");
            }
        }
        _ => {}
    }
    let mut shape_known = errors.list.len() == before;
    if data.dataset.is_generated() {
        errors.int("data.samples".into(), data.samples.into(), 10, MAX_SAMPLES.into(), "MAX_SAMPLES");
        errors.real("data.noise".into(), data.noise, 0.0, 1.0, false);
    }
    errors.real("data.train_fraction".into(), data.train_fraction, 0.05, 0.95, false);
    let before = errors.list.len();

    let input = if data.dataset.is_planar() {
        if data.features.is_empty() {
            errors.push(
                "data.features",
                "is empty: choose at least one of x, y, x_squared, y_squared, x_times_y, sin_x, sin_y",
            );
        }
        if let Some(i) = (1..data.features.len()).find(|&i| data.features[..i].contains(&data.features[i])) {
            errors.push(format!("data.features[{i}]"), "repeats an earlier feature: list each once");
        }
        let mut width = data.features.len() as u64;
        if let Some(fourier) = data.fourier {
            errors.int(
                "data.fourier.count".into(),
                fourier.count.into(),
                1,
                MAX_FOURIER_FEATURES.into(),
                "MAX_FOURIER_FEATURES",
            );
            errors.real("data.fourier.scale".into(), fourier.scale, 0.0, 1000.0, false);
            width += 2 * u64::from(fourier.count);
        }
        Shape::Flat(width.min(u64::from(u32::MAX)) as u32)
    } else {
        if data.fourier.is_some() {
            errors.push("data.fourier", "applies to the 2D datasets only: remove it or pick a 2D dataset");
        }
        match (data.dataset.token_input(), data.dataset.flat_inputs()) {
            (Some((len, vocab)), _) => Shape::Tokens { len, vocab },
            (None, Some(width)) => Shape::Flat(width),
            (None, None) => unreachable!("every dataset is planar, tokens or flat"),
        }
    };
    shape_known &= errors.list.len() == before;
    shape_known.then(|| (input, data.dataset.task()))
}

fn check_training(t: &Training, errors: &mut Errors) {
    let at = |field: &str| format!("training.optimizer.{field}");
    errors.real(at("learning_rate"), t.optimizer.learning_rate(), 1e-7, MAX_LEARNING_RATE, false);
    match t.optimizer {
        Optimizer::Sgd { .. } => {}
        Optimizer::Momentum { momentum, .. } => {
            errors.real(at("momentum"), momentum, 0.0, 1.0, true);
        }
        Optimizer::Adam { beta1, beta2, epsilon, .. } | Optimizer::AdamW { beta1, beta2, epsilon, .. } => {
            errors.real(at("beta1"), beta1, 0.0, 1.0, true);
            errors.real(at("beta2"), beta2, 0.0, 1.0, true);
            errors.real(at("epsilon"), epsilon, 1e-12, 1.0, false);
            if let Optimizer::AdamW { weight_decay, .. } = t.optimizer {
                errors.real(at("weight_decay"), weight_decay, 0.0, 1.0, false);
            }
        }
    }
    match t.schedule {
        Schedule::Constant => {}
        Schedule::Step { every, factor } => {
            errors.int("training.schedule.every".into(), every, 1, MAX_STEPS, "MAX_STEPS");
            errors.real("training.schedule.factor".into(), factor, 1e-6, 1.0, false);
        }
        Schedule::Cosine { warmup } => {
            let (limit, name) = match t.length {
                Length::Steps(steps) => (steps, "the number of steps"),
                Length::Epochs(_) => (MAX_STEPS, "MAX_STEPS"),
            };
            errors.int("training.schedule.warmup".into(), warmup, 0, limit, name);
        }
        Schedule::Exponential { gamma } => {
            errors.real("training.schedule.gamma".into(), gamma, 1e-6, 1.0, false);
        }
    }
    errors.int("training.batch_size".into(), t.batch_size.into(), 1, MAX_BATCH.into(), "MAX_BATCH");
    errors.real("training.l1".into(), t.l1, 0.0, 1.0, false);
    errors.real("training.l2".into(), t.l2, 0.0, 1.0, false);
    if let Some(clip) = t.clip_norm {
        errors.real("training.clip_norm".into(), clip, 1e-6, 1e6, false);
    }
    if let Some(noise) = t.gradient_noise {
        errors.real("training.gradient_noise.eta".into(), noise.eta, 0.0, 10.0, false);
        errors.real("training.gradient_noise.gamma".into(), noise.gamma, 0.0, 10.0, false);
    }
    if let LearningRule::ForwardForward { threshold } = t.rule {
        errors.real("training.rule.threshold".into(), threshold, 1e-6, 1e6, false);
    }
    match t.length {
        Length::Steps(steps) => errors.int("training.length.steps".into(), steps, 1, MAX_STEPS, "MAX_STEPS"),
        Length::Epochs(epochs) => {
            errors.int("training.length.epochs".into(), epochs.into(), 1, MAX_EPOCHS.into(), "MAX_EPOCHS")
        }
    };
    match t.stop {
        Some(Stop::LossBelow(loss)) => {
            errors.real("training.stop.loss_below".into(), loss, 0.0, 1e6, false);
        }
        Some(Stop::AccuracyAbove(accuracy)) => {
            errors.real("training.stop.accuracy_above".into(), accuracy, 0.0, 1.0, false);
        }
        None => {}
    }
}

fn check_metrics(m: &MetricsSpec, errors: &mut Errors) {
    if let Every::Steps(every) = m.every {
        errors.int("metrics.every".into(), every.into(), 1, 1_000_000, "a million steps");
    }
    errors.int("metrics.probe_size".into(), m.probe_size.into(), 1, MAX_PROBE.into(), "MAX_PROBE");
}

/// On a next-token task, every block that mixes positions must look only backwards.
fn check_causal(blocks: &[Block], path: &str, errors: &mut Errors) {
    for (i, block) in blocks.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match block {
            Block::Attention(a) if !a.causal => errors.push(
                format!("{at}.causal"),
                "is false on a next-token task: each position would see the token it must predict; set causal to true",
            ),
            Block::Mixer(_) => errors.push(
                at,
                "(mixer) mixes all positions, so on a next-token task each would see the token it must predict: use causal attention",
            ),
            Block::Residual(r) => check_causal(&r.body, &format!("{at}.body"), errors),
            Block::Parallel(p) => {
                for (j, branch) in p.branches.iter().enumerate() {
                    check_causal(branch, &format!("{at}.branches[{j}]"), errors);
                }
            }
            _ => {}
        }
    }
}

/// The block kinds a model may hold, for messages.
pub fn block_kinds() -> Vec<&'static str> {
    Block::defaults().iter().map(Block::kind).collect()
}
