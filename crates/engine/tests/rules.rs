//! Learning rules besides backprop, checked exactly where they can be: the output layer keeps
//! its true gradient; each hidden layer's gradient is that of its own local loss (central
//! differences in f64); Forward-Forward's goodness and prediction match an independent
//! computation, its negative labels are wrong and uniform; fixed matrices stay fixed; and the
//! memory a step holds, counted on a network small enough to count by hand.

use layerlab_engine::backend::{Backend, Dims, Gemm, STAT_LOSS, STATS};
use layerlab_engine::cpu::Cpu;
use layerlab_engine::layers::Pass;
use layerlab_engine::model::{self, Model, Plan};
use layerlab_engine::rng::{Stream, rng};
use layerlab_engine::rules::{self, Local, Rows, Signal};
use layerlab_engine::train::{Memory, Trainer};
use layerlab_spec::model::{
    Activation, Attention, Block, Dense, Embed, Kan, Norm, NormKind, Pool, PoolMode, Positions, Residual,
};
use layerlab_spec::train::{Init, LearningRule, Loss, Optimizer};
use layerlab_spec::{Shape, Spec};
use rand::Rng;

const ROWS: usize = 8;
const INPUTS: usize = 3;
const PASS: Pass = Pass { train: true, seed: 0, step: 0 };
const STEP: f64 = 1e-6;

/// A dense stack under `rule`, with a batch of `ROWS` examples loaded.
struct Setup {
    b: Cpu<f64>,
    model: Model<Cpu<f64>>,
    acts: Vec<model::Acts<Cpu<f64>>>,
    rule: Option<Local<Cpu<f64>>>,
    x: Vec<f64>,
    t: Vec<f64>,
    loss: Loss,
    stats: Vec<f64>,
}

impl Setup {
    fn new(rule: LearningRule, widths: &[u32], outputs: u32, loss: Loss, seed: u64) -> Self {
        let blocks: Vec<Block> = widths.iter().map(|&units| dense(units)).collect();
        Self::with_blocks(rule, &blocks, outputs, loss, seed)
    }

    fn with_blocks(rule: LearningRule, blocks: &[Block], outputs: u32, loss: Loss, seed: u64) -> Self {
        Self::with_shapes(rule, blocks, (Shape::Flat(INPUTS as u32), Shape::Flat(outputs)), loss, seed)
    }

    /// `blocks` from `input` to `output` (vectors, or token ids to answers at the last
    /// positions).
    fn with_shapes(
        rule: LearningRule,
        blocks: &[Block],
        (input, output): (Shape, Shape),
        loss: Loss,
        seed: u64,
    ) -> Self {
        let mut b = Cpu::<f64>::new();
        let plan = Plan { input, output, init: Init::Xavier, rng: &mut rng(1, Stream::Init) };
        let mut model = Model::build(&mut b, blocks, plan).expect("a valid model");
        let rows = Rows { batch: ROWS, eval: ROWS };
        let mut rule =
            rules::prepare(&mut b, &mut model, blocks, rule, loss, seed, rows).expect("the rule takes the model");
        let acts = model.activations(&mut b, ROWS);
        let mut data = rng(2, Stream::Data);
        let x: Vec<f64> = match input {
            Shape::Tokens { len, vocab } => {
                (0..ROWS * len as usize).map(|_| data.random_range(0..vocab) as f64).collect()
            }
            _ => (0..ROWS * INPUTS).map(|_| data.random_range(-1.0..1.0)).collect(),
        };
        let (outputs, answer) = match output {
            Shape::Seq { len, dim } => (dim as usize, len as usize),
            _ => (model.outputs, 1),
        };
        let classes = if loss == Loss::BinaryCrossEntropy { 2 } else { outputs };
        let t: Vec<f64> = match loss {
            Loss::Mse => (0..ROWS * outputs).map(|_| data.random_range(-1.0..1.0)).collect(),
            _ => (0..ROWS * answer).map(|_| data.random_range(0..classes) as f64).collect(),
        };
        if let Some(rule) = rule.as_mut() {
            rules::load(&mut b, rule, &x, &t);
        }
        Setup { b, model, acts, rule, x, t, loss, stats: vec![0.0; STATS] }
    }

    /// One step's gradients (every parameter's) and its loss, as training computes them.
    fn step(&mut self) -> (Vec<Vec<f64>>, f64) {
        let rows = ROWS;
        match self.rule.as_mut() {
            Some(rule) => {
                let s = Signal { x: &self.x, t: &self.t, rows, loss: self.loss, pass: PASS };
                rules::step(&mut self.b, &mut self.model, &mut self.acts, rule, s, &mut self.stats);
            }
            None => {
                self.model.forward(&mut self.b, &mut self.acts, &self.x, rows, PASS);
                let out = self.model.output(&self.acts).clone();
                let dims = Dims { rows, cols: self.model.outputs };
                self.stats[STAT_LOSS] =
                    self.b.loss(self.loss, dims, &out, &self.t, self.model.output_grad(&mut self.acts));
                self.model.backward(&mut self.b, &mut self.acts, &self.x, None, rows);
            }
        }
        (self.model.params.iter().map(|p| p.grad.clone()).collect(), self.stats[STAT_LOSS])
    }

    /// Mono-Forward's local loss of hidden layer `l`: the task's loss on `a_l·M_l` (`m`: the
    /// projection's parameter index), by the model's own forward pass.
    fn mono_loss(&mut self, l: usize, m: usize) -> f64 {
        self.model.forward(&mut self.b, &mut self.acts, &self.x, ROWS, PASS);
        let (units, outputs) = (self.model.nodes[l].width(), self.model.outputs);
        let mut scores = vec![0.0; ROWS * outputs];
        let g = Gemm { m: ROWS, n: outputs, k: units, a_trans: false, b_trans: false, accumulate: false };
        self.b.matmul(g, &self.acts[l].y, &self.model.params[m].value, &mut scores);
        let mut grad = vec![0.0; ROWS * outputs];
        self.b.loss(self.loss, Dims { rows: ROWS, cols: outputs }, &scores, &self.t, &mut grad)
    }
}

fn dense(units: u32) -> Block {
    Block::Dense(Dense { units, activation: Activation::Tanh, bias: true })
}

/// Checks the analytic gradient of each of `params` (from [`Setup::step`]) against central
/// differences of `loss`, entry by entry.
fn check_gradients(what: &str, s: &mut Setup, params: &[usize], loss: impl Fn(&mut Setup) -> f64) {
    let (grads, _) = s.step();
    for &p in params {
        for (i, &analytic) in grads[p].iter().enumerate() {
            let keep = s.model.params[p].value[i];
            s.model.params[p].value[i] = keep + STEP;
            let up = loss(s);
            s.model.params[p].value[i] = keep - STEP;
            let down = loss(s);
            s.model.params[p].value[i] = keep;
            let numeric = (up - down) / (2.0 * STEP);
            let err = (numeric - analytic).abs() / numeric.abs().max(analytic.abs()).max(1e-3);
            assert!(err < 1e-5, "{what}: parameter {p}[{i}]: analytic {analytic}, numeric {numeric}");
        }
    }
}

#[test]
fn local_rules_keep_the_output_gradient_and_give_hidden_layers_their_own_signal() {
    let grads = |rule, seed| Setup::new(rule, &[6, 6], 4, Loss::CrossEntropy, seed).step().0;
    let bp = grads(LearningRule::Backprop, 5);
    for rule in [LearningRule::FeedbackAlignment, LearningRule::TargetProjection, LearningRule::MonoForward] {
        let local = grads(rule, 5);
        // Parameters: W0 b0 W1 b1 (hidden), W2 b2 (output), then a rule's own.
        assert_eq!(bp[4..6], local[4..6], "{rule:?}: the output layer learns from its true gradient");
        for i in 0..4 {
            assert!(local[i].iter().any(|&g| g != 0.0), "{rule:?}: hidden parameter {i} gets a signal");
            assert_ne!(bp[i], local[i], "{rule:?}: hidden parameter {i} is not backprop's");
        }
        assert_eq!(local, grads(rule, 5), "{rule:?}: the matrices come from the seed");
        assert_ne!(local[..4], grads(rule, 6)[..4], "{rule:?}: another seed, other matrices");
    }
}

#[test]
fn local_rules_train_any_block_that_keeps_one_vector_per_example() {
    // A dense layer, a residual block around a LayerNorm and a dense layer, a KAN layer.
    let residual = Residual { body: vec![Block::Norm(Norm { kind: NormKind::Layer }), dense(6)], drop_path: 0.0 };
    let blocks = vec![dense(6), Block::Residual(residual), Block::Kan(Kan { units: 5, ..Kan::default() })];
    let grads = |rule| Setup::with_blocks(rule, &blocks, 4, Loss::CrossEntropy, 5).step().0;
    let bp = grads(LearningRule::Backprop);
    let head = bp.len() - 2;
    for rule in [LearningRule::FeedbackAlignment, LearningRule::TargetProjection, LearningRule::MonoForward] {
        let local = grads(rule);
        assert_eq!(bp[head..], local[head..head + 2], "{rule:?}: the output layer learns from its true gradient");
        for i in 0..head {
            assert!(local[i].iter().any(|&g| g != 0.0), "{rule:?}: hidden parameter {i} gets a signal");
            assert_ne!(bp[i], local[i], "{rule:?}: hidden parameter {i} is not backprop's");
        }
    }
}

/// Feedback alignment through blocks that make tokens, as its paper trains Transformers: each
/// hidden layer's parameters get exactly the gradient of `⟨y_l, δ_l⟩`, its output against its
/// fixed signal `δ_l` — the output error `e` through the layer's matrix `B_l`: at each position
/// where the layer has as many tokens as the output; where they are pooled, the example's
/// projected error shared by its `T` tokens (each `1/T` of it) for a mean, all of it at the
/// last token for the last; at the answer positions only where those are the last ones — by
/// central differences, while backprop's gradients differ.
#[test]
fn feedback_alignment_projects_the_output_error_to_every_token() {
    let attention = || Block::Attention(Attention { heads: 2, causal: false, skip: true, mlp_hidden: 0 });
    let embed = Block::Embed(Embed { dim: 4, positions: Positions::Learned });
    let pool = |mode| Block::Pool(Pool { mode });
    let tokens = Shape::Tokens { len: 4, vocab: 5 };
    let cases: [(&str, Vec<Block>, Shape); 4] = [
        (
            "mean-pooled into one answer",
            vec![embed.clone(), attention(), pool(PoolMode::Mean), dense(5)],
            Shape::Flat(3),
        ),
        ("the last token pooled", vec![embed.clone(), attention(), pool(PoolMode::Last)], Shape::Flat(3)),
        ("an answer at every position", vec![embed.clone(), attention(), attention()], Shape::Seq { len: 4, dim: 5 }),
        ("answers at the last two positions", vec![embed, attention()], Shape::Seq { len: 2, dim: 5 }),
    ];
    for (what, blocks, output) in cases {
        let last_pooled = blocks.iter().any(|b| matches!(b, Block::Pool(Pool { mode: PoolMode::Last })));
        let setup = |rule| Setup::with_shapes(rule, &blocks, (tokens, output), Loss::CrossEntropy, 5);
        let bp = setup(LearningRule::Backprop).step().0;
        let mut s = setup(LearningRule::FeedbackAlignment);
        let (grads, _) = s.step();
        let error = s.model.output_grad(&mut s.acts).clone();
        let Some(Local::Feedback(f)) = &s.rule else { panic!("feedback alignment") };
        let matrices: Vec<Vec<f64>> = f.matrices().to_vec();
        let (outputs, answer) = (s.model.outputs, s.model.answer);
        let mut tokens = 1;
        for (l, matrix) in matrices.iter().enumerate() {
            tokens = s.model.nodes[l].tokens_out(tokens);
            let width = s.model.nodes[l].width();
            let mut projected = vec![0.0; ROWS * answer * width];
            let g = Gemm { m: ROWS * answer, n: width, k: outputs, a_trans: false, b_trans: false, accumulate: false };
            s.b.matmul(g, &error, matrix, &mut projected);
            // Token `t` of example `e`: which answer's projected error it gets, and how much.
            let signal: Vec<f64> = (0..ROWS * tokens * width)
                .map(|i| {
                    let (e, t, c) = (i / (tokens * width), i / width % tokens, i % width);
                    let from = |a: usize| projected[(e * answer + a) * width + c];
                    match (tokens == answer, answer) {
                        (true, _) => from(t),
                        (false, 1) if last_pooled => {
                            if t == tokens - 1 {
                                from(0)
                            } else {
                                0.0
                            }
                        }
                        (false, 1) => from(0) / tokens as f64,
                        (false, _) if t >= tokens - answer => from(t - (tokens - answer)),
                        (false, _) => 0.0,
                    }
                })
                .collect();
            let own: Vec<usize> = layerlab_engine::metrics::params(&s.model.nodes[l]).collect();
            for &p in &own {
                assert_ne!(bp[p], grads[p], "{what}: layer {l}'s parameter {p} is backprop's");
                for (i, &analytic) in grads[p].iter().enumerate() {
                    let mut at = |delta: f64| {
                        let keep = s.model.params[p].value[i];
                        s.model.params[p].value[i] = keep + delta;
                        s.model.forward(&mut s.b, &mut s.acts, &s.x, ROWS, PASS);
                        s.model.params[p].value[i] = keep;
                        s.acts[l].y.iter().zip(&signal).map(|(y, d)| y * d).sum::<f64>()
                    };
                    let numeric = (at(STEP) - at(-STEP)) / (2.0 * STEP);
                    let err = (numeric - analytic).abs() / numeric.abs().max(analytic.abs()).max(1e-3);
                    assert!(
                        err < 1e-5,
                        "{what}: layer {l}, parameter {p}[{i}]: analytic {analytic}, numeric {numeric}"
                    );
                }
            }
        }
    }
}

/// The layer-local rules' papers train one vector per example: blocks of tokens and sequence
/// tasks are refused with the block named and the rules that would take them.
#[test]
fn layer_local_rules_refuse_tokens_and_say_which_rules_take_them() {
    let tokens = Shape::Tokens { len: 4, vocab: 5 };
    let blocks =
        [Block::Embed(Embed { dim: 4, positions: Positions::Learned }), Block::Pool(Pool { mode: PoolMode::Mean })];
    for rule in [LearningRule::TargetProjection, LearningRule::MonoForward] {
        let mut b = Cpu::<f64>::new();
        let plan = Plan { input: tokens, output: Shape::Flat(3), init: Init::Xavier, rng: &mut rng(1, Stream::Init) };
        let mut model = Model::build(&mut b, &blocks, plan).expect("a valid model");
        let rows = Rows { batch: ROWS, eval: ROWS };
        let Err(e) = rules::prepare(&mut b, &mut model, &blocks, rule, Loss::CrossEntropy, 5, rows) else {
            panic!("{rule:?} took a block of tokens")
        };
        let text = e.to_string();
        assert!(text.starts_with("model[0] is a embed block"), "{rule:?}: {text}");
        assert!(text.ends_with("or use backprop or feedback alignment"), "{rule:?}: {text}");
    }
}

#[test]
fn mono_forward_gives_each_hidden_layer_the_gradient_of_its_own_loss() {
    // Hidden layer l, its weights, bias and projection: (losses, layer, parameters).
    for (loss, outputs) in [(Loss::CrossEntropy, 4), (Loss::BinaryCrossEntropy, 1), (Loss::Mse, 2)] {
        let mut s = Setup::new(LearningRule::MonoForward, &[5, 4], outputs, loss, 3);
        // W0 b0 W1 b1 W2 b2, then M0 M1.
        for (l, params) in [(0, [0, 1, 6]), (1, [2, 3, 7])] {
            let m = params[2];
            check_gradients(&format!("Mono-Forward {loss:?}, layer {l}"), &mut s, &params, |s| s.mono_loss(l, m));
        }
    }
}

#[test]
fn forward_forward_gives_each_layer_the_gradient_of_its_goodness_loss() {
    // The step's loss is the last hidden layer's: with one hidden layer, the first layer's
    // weights, bias and label weights; with two, the second's (its input is the first's
    // output, normalised and detached).
    for (widths, params, loss, outputs) in [
        (&[5][..], &[0, 1, 4][..], Loss::CrossEntropy, 3),
        (&[5][..], &[0, 1, 4][..], Loss::BinaryCrossEntropy, 1),
        (&[5, 4][..], &[2, 3][..], Loss::CrossEntropy, 3),
    ] {
        let mut s = Setup::new(LearningRule::ForwardForward { threshold: 0.3 }, widths, outputs, loss, 3);
        check_gradients(&format!("Forward-Forward {widths:?} {loss:?}"), &mut s, params, |s| s.step().1);
    }
}

/// Forward-Forward's prediction, computed here without the engine: for each label, the first
/// layer sees the input and the label's weights, each later layer the RMS-normalised output
/// below, and the label's score is the goodness `mean(h²)` summed over layers.
fn goodness_by_hand(s: &Setup, label: usize, row: usize) -> (f64, Vec<Vec<f64>>) {
    let p = |i: usize| &s.model.params[i].value;
    let classes = s.model.outputs;
    let embed = s.model.params.len() - 1;
    let mut input: Vec<f64> = s.x[row * INPUTS..][..INPUTS].to_vec();
    let (mut total, mut outs) = (0.0, Vec::new());
    for l in 0..s.model.nodes.len() - 1 {
        let (w, b, units) = (p(2 * l), p(2 * l + 1), s.model.nodes[l].width());
        let h: Vec<f64> = (0..units)
            .map(|j| {
                let mut z = b[j] + input.iter().enumerate().map(|(i, v)| v * w[i * units + j]).sum::<f64>();
                if l == 0 {
                    z += if label < classes {
                        p(embed)[label * units + j]
                    } else {
                        (0..classes).map(|c| p(embed)[c * units + j]).sum::<f64>() / classes as f64
                    };
                }
                z.tanh()
            })
            .collect();
        let mean_square = h.iter().map(|v| v * v).sum::<f64>() / units as f64;
        total += mean_square;
        input = h.iter().map(|v| v / (mean_square + 1e-5).sqrt()).collect();
        outs.push(h);
    }
    (total, outs)
}

#[test]
fn forward_forward_predicts_the_label_of_largest_goodness() {
    let mut s = Setup::new(LearningRule::ForwardForward { threshold: 0.5 }, &[5, 4], 3, Loss::CrossEntropy, 3);
    let Setup { b, model, acts, rule, x, .. } = &mut s;
    rules::forward(b, model, rule.as_mut(), acts, x, ROWS, PASS);
    let (logits, hidden) = (acts.last().unwrap().y.clone(), [acts[0].y.clone(), acts[1].y.clone()]);
    for row in 0..ROWS {
        for label in 0..3 {
            let (want, _) = goodness_by_hand(&s, label, row);
            let got = logits[row * 3 + label];
            assert!((got - want).abs() < 1e-12, "row {row}, label {label}: {got} against {want}");
        }
        // The hidden activations left for the metrics are those of the neutral label.
        let (_, neutral) = goodness_by_hand(&s, 3, row);
        for (l, h) in neutral.iter().enumerate() {
            let got = &hidden[l][row * h.len()..][..h.len()];
            assert!(got.iter().zip(h).all(|(a, b)| (a - b).abs() < 1e-12), "row {row}, layer {l}");
        }
    }
}

#[test]
fn negative_labels_are_wrong_and_spread_evenly_over_the_other_classes() {
    let mut draws = rng(9, Stream::Negatives);
    let mut counts = [[0u32; 4]; 4];
    for i in 0..8000 {
        let truth = i % 4;
        counts[truth][rules::wrong_label(truth, 4, &mut draws)] += 1;
    }
    for (truth, row) in counts.iter().enumerate() {
        assert_eq!(row[truth], 0, "never the true label");
        for (c, &n) in row.iter().enumerate().filter(|&(c, _)| c != truth) {
            // 2000 draws over 3 labels: 667 each, σ ≈ 21.
            assert!((600..=733).contains(&n), "true {truth}, wrong {c}: {n} of 2000");
        }
    }
    let again: Vec<usize> = (0..20).map(|i| rules::wrong_label(i % 2, 2, &mut rng(9, Stream::Negatives))).collect();
    assert!(again.iter().enumerate().all(|(i, &w)| w == 1 - i % 2), "two classes: the other one");
}

fn dense_spec(rule: LearningRule) -> Spec {
    let mut spec = Spec::default();
    spec.data.dataset = layerlab_spec::data::Dataset::Circle;
    spec.model = vec![Block::Dense(Dense { units: 4, activation: Activation::Tanh, bias: true }); 2];
    spec.training.batch_size = 5;
    spec.training.optimizer = Optimizer::Sgd { learning_rate: 0.1 };
    spec.training.rule = rule;
    spec
}

#[test]
fn fixed_matrices_stay_fixed_while_training() {
    for rule in [LearningRule::FeedbackAlignment, LearningRule::TargetProjection] {
        let mut trainer = Trainer::new(Cpu::<f32>::new(), &dense_spec(rule), None).expect("a dense stack");
        let matrices = |t: &mut Trainer<Cpu<f32>>| match t.rule() {
            Some(Local::Feedback(f)) => f.matrices().to_vec(),
            _ => panic!("{rule:?} keeps feedback matrices"),
        };
        let before = matrices(&mut trainer);
        let weights = trainer.model.params[0].value.clone();
        for _ in 0..20 {
            trainer.step().expect("finite");
        }
        assert_ne!(weights, trainer.model.params[0].value, "{rule:?}: the weights moved");
        assert_eq!(before, matrices(&mut trainer), "{rule:?}: the matrices did not");
    }
}

#[test]
fn memory_is_counted_from_what_each_rule_holds() {
    // Circle: 2 inputs; dense 4, dense 4, output 1 (binary cross-entropy); batch 5; SGD keeps no
    // state; f32. Parameters: 2·4+4 + 4·4+4 + 4·1+1 = 37. A dense node's activations are its
    // output, their gradient and the pre-activations: 3·5·4 = 60 (the output node's 3·5 = 15).
    let floats = |m: Memory| [m.parameters, m.gradients, m.optimizer, m.activations, m.rule].map(|b| b / 4);
    let cases = [
        // Backprop: the inputs (5·2) and every node's activations.
        (LearningRule::Backprop, [37, 37, 0, 10 + 60 + 60 + 15, 0]),
        // Feedback alignment: the same activations, and a 1×4 matrix per hidden layer (with a
        // zero row of 4 each, unused).
        (LearningRule::FeedbackAlignment, [37, 37, 0, 145, 16]),
        // Target projection: one layer at a time — the second hidden layer and its input,
        // 60 + 20 — and two classes × 4 per hidden layer.
        (LearningRule::TargetProjection, [37, 37, 0, 80, 24]),
        // Mono-Forward: a 4×1 projection per hidden layer, trained; one layer at a time, and the
        // scores and their gradient (5 + 5).
        (LearningRule::MonoForward, [45, 45, 0, 90, 0]),
        // Forward-Forward: label weights 2×4; the output layer is not trained. Positive and
        // negative data, 10 rows: the second layer (pre-activations, outputs, normalised
        // outputs: 3·4, and 1/RMS) with its input (4): 10·(4 + 12 + 1) = 170; squares and spread
        // gradient (2·4), goodness, logit, its gradient, targets (4), label rows (2): 10·14.
        // Its own: 1/units, 2/units and ones per layer (3·4 + 3·4) and θ.
        (LearningRule::ForwardForward { threshold: 0.5 }, [45, 40, 0, 170 + 140, 25]),
    ];
    for (rule, want) in cases {
        let trainer = Trainer::new(Cpu::<f32>::new(), &dense_spec(rule), None).expect("a dense stack");
        assert_eq!((trainer.model.inputs, trainer.model.outputs), (2, 1), "circle's shape");
        let memory = trainer.memory();
        assert_eq!(floats(memory), want, "{rule:?}: {memory:?}");
        assert_eq!(memory.peak(), want.iter().sum::<usize>() * 4, "{rule:?}");
    }
    // With Adam, two moments per trained number.
    let mut adam = dense_spec(LearningRule::Backprop);
    adam.training.optimizer = Optimizer::default();
    let trainer = Trainer::new(Cpu::<f32>::new(), &adam, None).expect("a dense stack");
    assert!(matches!(adam.training.optimizer, Optimizer::Adam { .. }), "the default is Adam");
    assert_eq!(trainer.memory().optimizer, 2 * 37 * 4);
}
