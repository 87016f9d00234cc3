//! Parity with PyTorch: the fixtures in `tests/parity/` were written by `make_fixtures.py`
//! (PyTorch, float64) from the same initial weights and batches; the engine reproduces every
//! step's loss and gradient norm and the final weights, in f64 and in f32.
//!
//! A fixture with `vocab` takes `inputs` token ids per example (`Shape::Tokens`); one with
//! `answer` is a sequence task whose output is the last `answer` tokens of `outputs` logits each
//! (`Shape::Seq`), with `answer` target ids per example.

use layerlab_spec::Shape;
use std::path::Path;

use layerlab_engine::backend::Backend;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::model::{self, Model, Plan};
use layerlab_engine::optim::Optimizer;
use layerlab_engine::real::Real;
use layerlab_engine::rng::{Stream, rng};
use layerlab_engine::train::{self, Batch};
use layerlab_spec::model::Block;
use layerlab_spec::train::{Init, Length, Loss, Training};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Fixture {
    name: String,
    inputs: usize,
    /// Token-id inputs: the vocabulary (the example's `inputs` numbers are ids below it).
    #[serde(default)]
    vocab: Option<usize>,
    outputs: usize,
    /// A sequence task: answer tokens per example (the head's `outputs` are the token logits).
    #[serde(default)]
    answer: Option<usize>,
    loss: Loss,
    blocks: Vec<Block>,
    training: Training,
    batches: Vec<FixtureBatch>,
    params: Vec<Vec<f64>>,
    buffers: Vec<Vec<f64>>,
    losses: Vec<f64>,
    grad_norms: Vec<f64>,
    final_params: Vec<Vec<f64>>,
    final_buffers: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct FixtureBatch {
    x: Vec<Vec<f64>>,
    y: Value,
}

/// Every number in `v` (nested arrays flattened, row-major).
fn flat_numbers(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(flat_numbers).collect(),
        other => vec![other.as_f64().expect("a number")],
    }
}

fn fixtures() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/parity exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable fixture");
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// What a run produced, in f64 whatever it computed in.
struct Run {
    losses: Vec<f64>,
    grad_norms: Vec<f64>,
    params: Vec<Vec<f64>>,
    buffers: Vec<Vec<f64>>,
}

/// (The CPU backend is implemented for `f32` and `f64`, not for any `Real`: hence the bound.)
fn run<R: Real>(f: &Fixture) -> Run
where
    Cpu<R>: Backend<R = R>,
{
    let mut b = Cpu::<R>::new();
    let input = match f.vocab {
        Some(vocab) => Shape::Tokens { len: f.inputs as u32, vocab: vocab as u32 },
        None => Shape::Flat(f.inputs as u32),
    };
    let output = match f.answer {
        Some(answer) => Shape::Seq { len: answer as u32, dim: f.outputs as u32 },
        None => Shape::Flat(f.outputs as u32),
    };
    let plan = Plan { input, output, init: Init::Xavier, rng: &mut rng(0, Stream::Init) };
    let mut model = Model::build(&mut b, &f.blocks, plan).unwrap_or_else(|e| panic!("{}: {e}", f.name));
    assert_eq!(model.params.len(), f.params.len(), "{}: parameter tensors", f.name);
    for (p, values) in model.params.iter_mut().zip(&f.params) {
        assert_eq!(p.len, values.len(), "{}: parameter sizes", f.name);
        model::write(&mut b, &mut p.value, values);
    }
    for (buf, values) in model.buffers.iter_mut().zip(&f.buffers) {
        model::write(&mut b, buf, values);
    }
    let Length::Steps(total) = f.training.length else { panic!("{}: fixtures give steps", f.name) };
    let mut opt = Optimizer::new(&mut b, &f.training, &model.params, total, 0);
    let rows = f.batches[0].x.len();
    let mut acts = model.activations(&mut b, rows);
    // Targets per example: `outputs` reals for MSE, else one class (or token id) per answer.
    let answers = f.answer.unwrap_or(1);
    let per_row = if f.loss == Loss::Mse { f.outputs * answers } else { answers };
    let (mut x, mut t) = (b.alloc(rows * f.inputs), b.alloc(rows * per_row));
    let mut out = Run { losses: vec![], grad_norms: vec![], params: vec![], buffers: vec![] };
    for batch in &f.batches {
        let xs: Vec<f64> = batch.x.iter().flatten().copied().collect();
        let ts = flat_numbers(&batch.y);
        assert_eq!(xs.len(), rows * f.inputs, "{}: inputs per batch", f.name);
        assert_eq!(ts.len(), rows * per_row, "{}: targets per batch", f.name);
        model::write(&mut b, &mut x, &xs);
        model::write(&mut b, &mut t, &ts);
        let batch = Batch { x: &x, t: &t, rows, loss: f.loss, seed: 0, rule: None };
        let (loss, info) = train::step(&mut b, &mut model, &mut acts, &mut opt, batch).expect("finite");
        out.losses.push(loss);
        out.grad_norms.push(info.grad_norm);
    }
    out.params = model.params.iter().map(|p| model::read(&mut b, &p.value)).collect();
    out.buffers = model.buffers.iter().map(|buf| model::read(&mut b, buf)).collect();
    out
}

/// The largest error of `got` against `want`, relative with an absolute floor of `floor`.
fn worst(got: &[f64], want: &[f64], floor: f64) -> f64 {
    assert_eq!(got.len(), want.len());
    got.iter().zip(want).map(|(g, w)| (g - w).abs() / w.abs().max(floor)).fold(0.0, f64::max)
}

fn check<R: Real>(tolerance: f64, floor: f64)
where
    Cpu<R>: Backend<R = R>,
{
    let all = fixtures();
    assert!(all.len() >= 14, "the fixtures are there");
    assert!(all.iter().any(|f| f.vocab.is_some() && f.answer.is_some()), "a sequence task is among them");
    for f in &all {
        let r = run::<R>(f);
        let errors = [
            ("losses", worst(&r.losses, &f.losses, floor)),
            ("gradient norms", worst(&r.grad_norms, &f.grad_norms, floor)),
            ("final parameters", worst(&r.params.concat(), &f.final_params.concat(), floor)),
            ("final buffers", worst(&r.buffers.concat(), &f.final_buffers.concat(), floor)),
        ];
        // Shown with `cargo test --test parity -- --nocapture`.
        eprintln!(
            "{:<55} {:<4} losses {:.1e}, gradient norms {:.1e}, final parameters {:.1e}, final buffers {:.1e}",
            f.name,
            std::any::type_name::<R>(),
            errors[0].1,
            errors[1].1,
            errors[2].1,
            errors[3].1
        );
        for (what, err) in errors {
            assert!(
                err <= tolerance,
                "{} in {}: {what} off by {err:e} (relative), more than {tolerance:e}",
                f.name,
                std::any::type_name::<R>()
            );
        }
    }
}

#[test]
fn f64_engine_matches_pytorch() {
    check::<f64>(1e-9, 1e-6);
}

#[test]
fn f32_engine_matches_pytorch_to_float_precision() {
    check::<f32>(1e-5, 1e-2);
}
