//! The CPU backend's guard against subnormal numbers (see `real::TINY`): each place that flushes,
//! fed numbers that would come out subnormal, or tiny enough that the layers after would make
//! them so, gives zeros there and leaves normal numbers alone.

use layerlab_spec::model::Activation;
use layerlab_spec::train::Loss;

use super::{elementwise, loss, moe};
use crate::backend::{Dims, MoeOp};
use crate::real::TINY;

/// Whether every number is zero or of a normal size, and which are zero.
fn zeros(xs: &[f32]) -> Vec<bool> {
    assert!(xs.iter().all(|x| !x.is_subnormal()), "subnormal numbers in {xs:?}");
    xs.iter().map(|&x| x == 0.0).collect()
}

#[test]
fn loss_gradients_below_tiny_are_zero() {
    // (loss, logits, targets, which gradients are zero): a confident right answer leaves a
    // gradient of about e^−100 for the wrong class (subnormal in f32), a less sure one does not.
    type Case = (Loss, &'static [f32], &'static [f32], &'static [bool]);
    let cases: [Case; 4] = [
        (Loss::CrossEntropy, &[0.0, 100.0], &[1.0], &[true, true]),
        (Loss::CrossEntropy, &[0.0, 10.0], &[1.0], &[false, false]),
        (Loss::BinaryCrossEntropy, &[100.0], &[1.0], &[true]),
        (Loss::Mse, &[0.5, 1e-36], &[0.5 + 1e-7, 0.0], &[false, true]),
    ];
    for (kind, out, targets, want) in cases {
        let dims = if kind == Loss::Mse { Dims { rows: 1, cols: 2 } } else { Dims { rows: 1, cols: out.len() } };
        let mut grad = vec![f32::NAN; out.len()];
        loss::loss(kind, dims, out, targets, &mut grad);
        assert_eq!(zeros(&grad), want, "{kind:?} on {out:?}: {grad:?}");
    }
}

#[test]
fn activation_backward_flushes_tiny_gradients() {
    let g = [1e-35f32, -1e-31, 1e-28, 0.25];
    for act in [Activation::Relu, Activation::Tanh, Activation::Sigmoid, Activation::Gelu, Activation::LeakyRelu] {
        let z = [0.5f32; 4];
        let y: Vec<f32> = z.iter().map(|&v| crate::activation::forward(act, v)).collect();
        let mut out = g;
        elementwise::act_backward(Dims { rows: 1, cols: 4 }, act, &z, &y, &mut out);
        assert_eq!(zeros(&out), [true, true, false, false], "{act:?}: {out:?}");
        assert!(f64::from(out[2]) >= TINY && out[3] > 0.0, "{act:?}: {out:?}");
    }
}

#[test]
fn ruled_out_experts_get_no_subnormal_gates() {
    // Expert 1 is 60 logits behind (probability e^−60 ≈ 9e-27): ruled out, yet the second
    // choice of top-2, so its gate marks it as chosen with RULED_OUT.
    let op = MoeOp { rows: 1, experts: 3, top_k: 2, balance: 0.0 };
    let logits = [0.0f32, -60.0, -200.0];
    let (mut probs, mut gates, mut aux) = ([f32::NAN; 3], [f32::NAN; 3], [0.0f32]);
    moe::route(op, &logits, &mut probs, &mut gates, &mut aux);
    assert_eq!(zeros(&probs), [false, true, true], "{probs:?}");
    assert_eq!(gates, [1.0, moe::RULED_OUT as f32, 0.0]);
}
