//! Gradient checks: every layer, activation and loss, alone and inside residual and parallel
//! containers, against central finite differences in f64. One helper, the cases as data.

use layerlab_engine::backend::{Backend, Dims};
use layerlab_engine::cpu::Cpu;
use layerlab_engine::layers::Pass;
use layerlab_engine::model::{self, Model, Plan};
use layerlab_engine::rng::{Stream, rng};
use layerlab_engine::suite::blocks::{BlockCase as Case, block_cases as cases, dense, residual};
use layerlab_spec::Shape;
use layerlab_spec::model::{Activation, Attention, Block, Dropout, Embed, Patchify};
use layerlab_spec::train::{Init, Loss};
use rand::Rng;

const ROWS: usize = 6;
const STEP: f64 = 1e-6;

/// Everything one check needs: the model, its activations, a batch and its targets.
struct Setup {
    b: Cpu<f64>,
    model: Model<Cpu<f64>>,
    acts: Vec<model::Acts<Cpu<f64>>>,
    x: Vec<f64>,
    t: Vec<f64>,
    loss: Loss,
}

const PASS: Pass = Pass { train: true, seed: 3, step: 7 };

impl Setup {
    fn new(case: &Case) -> Self {
        let mut b = Cpu::<f64>::new();
        let mut init = rng(11, Stream::Init);
        let plan = Plan { input: case.input, output: case.output, init: Init::Xavier, rng: &mut init };
        let model = Model::build(&mut b, &case.blocks, plan).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let acts = model.activations(&mut b, ROWS);
        let mut data = rng(12, Stream::Data);
        let x = match case.input {
            Shape::Tokens { len, vocab } => {
                (0..ROWS * len as usize).map(|_| data.random_range(0..vocab) as f64).collect()
            }
            _ => (0..ROWS * model.inputs).map(|_| data.random_range(-1.5..1.5)).collect(),
        };
        let rows = model.output_rows(ROWS);
        let t = match case.loss {
            Loss::Mse => (0..rows * model.outputs).map(|_| data.random_range(-1.0..1.0)).collect(),
            Loss::BinaryCrossEntropy => (0..rows).map(|_| f64::from(data.random_range(0..2u8))).collect(),
            Loss::CrossEntropy => (0..rows).map(|_| data.random_range(0..model.outputs) as f64).collect(),
        };
        Setup { b, model, acts, x, t, loss: case.loss }
    }

    /// The loss, leaving the output gradient in place for a backward pass.
    fn loss(&mut self) -> f64 {
        self.model.forward(&mut self.b, &mut self.acts, &self.x, ROWS, PASS);
        let dims = Dims { rows: self.model.output_rows(ROWS), cols: self.model.outputs };
        let out = self.model.output(&self.acts).clone();
        let grad = self.model.output_grad(&mut self.acts);
        let task = self.b.loss(self.loss, dims, &out, &self.t, grad);
        task + self.model.aux_loss(&mut self.b, &self.acts)
    }
}

/// Compares analytic gradients of every parameter and of the input with central differences.
fn check(case: &Case) {
    let mut s = Setup::new(case);
    s.loss();
    let mut dx = vec![0.0; s.x.len()];
    let x = s.x.clone();
    s.model.backward(&mut s.b, &mut s.acts, &x, Some(&mut dx), ROWS);
    let analytic: Vec<Vec<f64>> = s.model.params.iter().map(|p| p.grad.clone()).collect();

    let mut worst = (0.0f64, String::new());
    let mut compare = |what: String, a: f64, n: f64| {
        // Relative, with a floor for gradients that are zero (a bias before a BatchNorm): the
        // central difference itself is only good to about 1e-10 there.
        let err = (a - n).abs() / (a.abs() + n.abs() + 1e-4);
        if err > worst.0 {
            worst = (err, format!("{what}: analytic {a:e}, numeric {n:e}"));
        }
    };
    for (p, grads) in analytic.iter().enumerate() {
        for (i, &a) in grads.iter().enumerate() {
            let numeric = central(&mut s, |s, d| s.model.params[p].value[i] += d);
            compare(format!("param {p}[{i}]"), a, numeric);
        }
    }
    // Token ids have no gradient (the model writes zeros); nudging an id would change the token.
    let ids = matches!(case.input, Shape::Tokens { .. });
    assert!(!ids || dx.iter().all(|&d| d == 0.0), "{}: token ids got a gradient", case.name);
    for (i, &a) in dx.iter().enumerate().filter(|_| !ids) {
        let numeric = central(&mut s, |s, d| s.x[i] += d);
        compare(format!("input[{i}]"), a, numeric);
    }
    assert!(worst.0 < 1e-5, "{}: worst relative error {:e} at {}", case.name, worst.0, worst.1);
}

fn central(s: &mut Setup, nudge: impl Fn(&mut Setup, f64)) -> f64 {
    nudge(s, STEP);
    let up = s.loss();
    nudge(s, -2.0 * STEP);
    let down = s.loss();
    nudge(s, STEP);
    (up - down) / (2.0 * STEP)
}

#[test]
fn gradients_match_finite_differences() {
    let all = cases();
    for case in &all {
        check(case);
    }
    assert!(all.len() >= 45, "every activation, loss, norm, container and sequence block is covered");
}

#[test]
fn dropout_drops_about_its_rate_and_keeps_the_expectation() {
    let case = Case {
        name: "dropout",
        blocks: vec![Block::Dropout(Dropout { rate: 0.25 })],
        input: Shape::Flat(400),
        output: Shape::Flat(1),
        loss: Loss::Mse,
    };
    let mut s = Setup::new(&case);
    s.x.fill(1.0);
    let x = s.x.clone();
    s.model.forward(&mut s.b, &mut s.acts, &x, ROWS, PASS);
    let y = &s.acts[0].y;
    let dropped = y.iter().filter(|&&v| v == 0.0).count() as f64 / y.len() as f64;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    assert!((dropped - 0.25).abs() < 0.03, "dropped {dropped}");
    assert!((mean - 1.0).abs() < 0.05, "mean {mean}");
    let eval = Pass { train: false, ..PASS };
    s.model.forward(&mut s.b, &mut s.acts, &x, ROWS, eval);
    assert!(s.acts[0].y.iter().all(|&v| v == 1.0), "no dropout when evaluating");
}

#[test]
fn misplaced_blocks_are_refused_with_their_path_and_shape() {
    let cases: &[(&str, Vec<Block>, Shape, &str)] = &[
        (
            "attention on a vector",
            vec![dense(4, Activation::Tanh), Block::Attention(Attention::default())],
            Shape::Flat(2),
            "(attention) needs a sequence of tokens but receives [4]",
        ),
        (
            "embed on numbers",
            vec![Block::Embed(Embed { dim: 4, ..Embed::default() })],
            Shape::Flat(3),
            "(embed) needs token ids but receives [3]",
        ),
        (
            "dense on token ids",
            vec![dense(4, Activation::Tanh)],
            Shape::Tokens { len: 3, vocab: 5 },
            "put an embed block first",
        ),
        (
            "patchify on a sequence",
            vec![Block::Embed(Embed { dim: 4, ..Embed::default() }), Block::Patchify(Patchify { patch: 2, dim: 3 })],
            Shape::Tokens { len: 4, vocab: 5 },
            "(patchify) needs a flat square image",
        ),
    ];
    for (name, blocks, input, words) in cases {
        let mut b = Cpu::<f32>::new();
        let plan = Plan { input: *input, output: Shape::Flat(1), init: Init::Xavier, rng: &mut rng(1, Stream::Init) };
        let err = Model::build(&mut b, blocks, plan).err().unwrap_or_else(|| panic!("{name} is refused"));
        assert_eq!(err.path, format!("model[{}]", blocks.len() - 1), "{name}");
        assert!(err.message.contains(words), "{name}: {}", err.message);
    }
}

#[test]
fn a_body_skipped_by_stochastic_depth_gets_no_gradient() {
    let case = Case {
        name: "always skipped",
        blocks: vec![residual(vec![dense(3, Activation::Tanh)], 0.999_999)],
        input: Shape::Flat(3),
        output: Shape::Flat(1),
        loss: Loss::Mse,
    };
    let mut s = Setup::new(&case);
    // A stale gradient from an earlier step must not survive.
    s.model.params[0].grad.fill(7.0);
    s.loss();
    let x = s.x.clone();
    s.model.backward(&mut s.b, &mut s.acts, &x, None, ROWS);
    assert!(s.model.params[0].grad.iter().all(|&g| g == 0.0), "{:?}", s.model.params[0].grad);
    assert!(s.model.params[2].grad.iter().any(|&g| g != 0.0), "the output layer still learns");
}
