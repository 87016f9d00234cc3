//! Learning rules besides backprop, checked exactly where they can be: Direct Feedback Alignment
//! gives the output layer its true gradient, the hidden layers their own projected error, and
//! draws its feedback matrices once from the seed.

use layerlab_engine::backend::{Backend, Dims};
use layerlab_engine::cpu::Cpu;
use layerlab_engine::layers::Pass;
use layerlab_engine::model::{Model, Plan};
use layerlab_engine::rng::{Stream, rng};
use layerlab_engine::rules;
use layerlab_spec::Shape;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::{Init, LearningRule, Loss};
use rand::Rng;

const ROWS: usize = 8;

/// Every parameter's gradient after one backward pass of `rule` (seed `seed` for its matrices).
fn gradients(rule: LearningRule, seed: u64) -> Vec<Vec<f64>> {
    let mut b = Cpu::<f64>::new();
    let blocks = vec![Block::Dense(Dense { units: 6, activation: Activation::Tanh, bias: true }); 2];
    let plan =
        Plan { input: Shape::Flat(3), output: Shape::Flat(4), init: Init::Xavier, rng: &mut rng(1, Stream::Init) };
    let mut model = Model::build(&mut b, &blocks, plan).expect("a dense stack");
    let feedback = rules::prepare(&mut b, &model, &blocks, rule, Loss::CrossEntropy, seed)
        .expect("dense stacks take every rule built");
    let mut acts = model.activations(&mut b, ROWS);
    let mut data = rng(2, Stream::Data);
    let x: Vec<f64> = (0..ROWS * 3).map(|_| data.random_range(-1.0..1.0)).collect();
    let t: Vec<f64> = (0..ROWS).map(|_| data.random_range(0..4) as f64).collect();
    model.forward(&mut b, &mut acts, &x, ROWS, Pass { train: true, seed: 0, step: 0 });
    let out = model.output(&acts).clone();
    b.loss(Loss::CrossEntropy, Dims { rows: ROWS, cols: 4 }, &out, &t, model.output_grad(&mut acts));
    match &feedback {
        None => model.backward(&mut b, &mut acts, &x, None, ROWS),
        Some(f) => rules::local_backward(&mut b, &mut model, &mut acts, &x, &t, ROWS, f),
    }
    model.params.iter().map(|p| p.grad.clone()).collect()
}

#[test]
fn local_rules_keep_the_output_gradient_and_give_hidden_layers_their_own_signal() {
    let bp = gradients(LearningRule::Backprop, 5);
    for rule in [LearningRule::FeedbackAlignment, LearningRule::TargetProjection] {
        let local = gradients(rule, 5);
        // Parameters: W0 b0 W1 b1 (hidden), W2 b2 (output).
        assert_eq!(bp[4..], local[4..], "{rule:?}: the output layer learns from its true gradient");
        for i in 0..4 {
            assert!(local[i].iter().any(|&g| g != 0.0), "{rule:?}: hidden parameter {i} gets a signal");
            assert_ne!(bp[i], local[i], "{rule:?}: hidden parameter {i} is not backprop's");
        }
        assert_eq!(local, gradients(rule, 5), "{rule:?}: the matrices come from the seed");
        assert_ne!(local[..4], gradients(rule, 6)[..4], "{rule:?}: another seed, other matrices");
    }
}
