//! The backend test suite, written once and run against every backend: each op of
//! [`Backend`] on awkward shapes ([`ops`]) and every block forward and backward ([`blocks`]),
//! compared with the CPU reference computing in f64, and whole runs trained with the step's
//! numbers read back at once and later ([`runs`]). The engine's own tests run it against the
//! CPU in f32; the GPU crate's against WebGPU/Vulkan.

pub mod blocks;
pub mod ops;
pub mod runs;

use layerlab_spec::Shape;
use layerlab_spec::train::{Init, Loss};
use rand::Rng;

use crate::backend::{Backend, Dims};
use crate::cpu::Cpu;
use crate::layers::Pass;
use crate::model::{Model, Plan, read, write};
use crate::rng::{Stream, rng};
use blocks::BlockCase;
use ops::{OpCase, run_op};

/// Named outputs of one run.
pub type Outputs = Vec<(&'static str, Vec<f64>)>;

/// The worst disagreement within one output, as a message, when it is beyond `tolerance`:
/// |got − want| ≤ tolerance · (|want| + floor), the floor being 1% of the largest |want| in the
/// output and at least 1e-3 (a gradient that is zero in exact arithmetic is f32 noise elsewhere).
pub fn compare(what: &str, got: &[f64], want: &[f64], tolerance: f64) -> Option<String> {
    if got.len() != want.len() {
        return Some(format!("{what}: {} numbers where the reference has {}", got.len(), want.len()));
    }
    let floor = (0.01 * want.iter().fold(0.0f64, |m, v| m.max(v.abs()))).max(1e-3);
    let mut worst: Option<(f64, usize)> = None;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let allowed = tolerance * (w.abs() + floor);
        let off = (g - w).abs();
        // NaN is never within bounds.
        let within = off <= allowed;
        if !within && worst.is_none_or(|(o, _)| off > o) {
            worst = Some((off, i));
        }
    }
    worst.map(|(off, i)| format!("{what}[{i}]: got {:e}, want {:e} (off by {off:e})", got[i], want[i]))
}

/// Runs every op case on `b` and on the reference; returns each disagreement as a message
/// naming the case (empty: the backend agrees everywhere).
pub fn check_ops<B: Backend>(b: &mut B, cases: &[OpCase]) -> Vec<String> {
    let mut reference = Cpu::<f64>::new();
    let mut problems = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let seed = 1000 + i as u64;
        let got = run_op(b, case.op, seed);
        if let Some(fault) = b.fault() {
            problems.push(format!("{}: the backend failed: {fault}", case.name));
            break;
        }
        let want = run_op(&mut reference, case.op, seed);
        for ((name, g), (_, w)) in got.iter().zip(&want) {
            if let Some(p) = compare(name, g, w, case.tolerance) {
                problems.push(format!("{} ({:?}): {p}", case.name, case.op));
            }
        }
    }
    problems
}

/// Rows of the batch each block case runs on.
const ROWS: usize = 6;
const PASS: Pass = Pass { train: true, seed: 3, step: 7 };

/// A block case's input batch and targets, drawn from fixed seeds as numbers f32 holds exactly.
pub fn batch(case: &BlockCase, inputs: usize, outputs: usize, output_rows: usize) -> (Vec<f64>, Vec<f64>) {
    let mut data = rng(12, Stream::Data);
    let x = match case.input {
        Shape::Tokens { len, vocab } => (0..ROWS * len as usize).map(|_| data.random_range(0..vocab) as f64).collect(),
        _ => (0..ROWS * inputs).map(|_| f64::from(data.random_range(-1.5..1.5) as f32)).collect(),
    };
    let t = match case.loss {
        Loss::Mse => (0..output_rows * outputs).map(|_| f64::from(data.random_range(-1.0..1.0) as f32)).collect(),
        Loss::BinaryCrossEntropy => (0..output_rows).map(|_| f64::from(data.random_range(0..2u8))).collect(),
        Loss::CrossEntropy => (0..output_rows).map(|_| data.random_range(0..outputs) as f64).collect(),
    };
    (x, t)
}

/// One forward pass, loss and backward pass of `case` on `b`, from weights drawn from a fixed
/// seed: the output, the loss, every parameter's gradient and the input's.
pub fn run_block<B: Backend>(b: &mut B, case: &BlockCase) -> Vec<(String, Vec<f64>)> {
    let mut init = rng(11, Stream::Init);
    let plan = Plan { input: case.input, output: case.output, init: Init::Xavier, rng: &mut init };
    let mut model = Model::build(b, &case.blocks, plan).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let mut acts = model.activations(b, ROWS);
    let rows = model.output_rows(ROWS);
    let (hx, ht) = batch(case, model.inputs, model.outputs, rows);
    let (mut x, mut t, mut dx) = (b.alloc(hx.len()), b.alloc(ht.len()), b.alloc(hx.len()));
    write(b, &mut x, &hx);
    write(b, &mut t, &ht);
    model.forward(b, &mut acts, &x, ROWS, PASS);
    let dims = Dims { rows, cols: model.outputs };
    let head = acts.last_mut().expect("a model has an output layer");
    let loss = b.loss(case.loss, dims, &head.y, &t, &mut head.grad) + model.aux_loss(b, &acts);
    model.backward(b, &mut acts, &x, Some(&mut dx), ROWS);
    let mut out = vec![("output".to_string(), read(b, model.output(&acts))), ("loss".to_string(), vec![loss])];
    for (i, p) in model.params.iter().enumerate() {
        out.push((format!("parameter {i} gradient"), read(b, &p.grad)));
    }
    out.push(("input gradient".to_string(), read(b, &dx)));
    out
}

/// Runs every block case on `b` and on the reference, within `tolerance` (see [`compare`]).
pub fn check_blocks<B: Backend>(b: &mut B, cases: &[BlockCase], tolerance: f64) -> Vec<String> {
    let mut reference = Cpu::<f64>::new();
    let mut problems = Vec::new();
    for case in cases {
        let got = run_block(b, case);
        if let Some(fault) = b.fault() {
            problems.push(format!("{}: the backend failed: {fault}", case.name));
            break;
        }
        let want = run_block(&mut reference, case);
        for ((name, g), (_, w)) in got.iter().zip(&want) {
            if let Some(p) = compare(name, g, w, tolerance) {
                problems.push(format!("{}: {p}", case.name));
            }
        }
    }
    problems
}
