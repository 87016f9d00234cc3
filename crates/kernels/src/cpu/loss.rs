//! Losses on the CPU: the mean loss of a batch and its gradient with respect to the outputs,
//! computed together. Cross-entropies work on logits and are stable for any magnitude.

use layerlab_spec::train::Loss;

use crate::activation::sigmoid;
use crate::backend::Dims;
use crate::real::{Real, flush};

pub fn loss<R: Real>(loss: Loss, dims: Dims, out: &[R], targets: &[R], grad: &mut [R]) -> f64 {
    let Dims { rows, cols } = dims;
    let mut total = 0.0;
    match loss {
        Loss::Mse => {
            let n = dims.len() as f64;
            for i in 0..dims.len() {
                let d = out[i].to64() - targets[i].to64();
                total += d * d;
                grad[i] = flush(R::of(2.0 * d / n));
            }
            total / n
        }
        Loss::BinaryCrossEntropy => {
            for r in 0..rows {
                let (z, t) = (out[r * cols], targets[r]);
                let (z64, t64) = (z.to64(), t.to64());
                // max(z, 0) − z·t + log(1 + e^−|z|)
                total += z64.max(0.0) - z64 * t64 + (-z64.abs()).exp().ln_1p();
                grad[r * cols] = flush((sigmoid(z) - t) / R::of(rows as f64));
            }
            total / rows as f64
        }
        Loss::CrossEntropy => {
            for r in 0..rows {
                let z = &out[r * cols..][..cols];
                let class = targets[r].to64() as usize;
                let max = z.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.to64()));
                let sum: f64 = z.iter().map(|v| (v.to64() - max).exp()).sum();
                let log_sum = max + sum.ln();
                total += log_sum - z[class].to64();
                for (c, g) in grad[r * cols..][..cols].iter_mut().enumerate() {
                    let p = (z[c].to64() - log_sum).exp();
                    let onehot = if c == class { 1.0 } else { 0.0 };
                    *g = flush(R::of((p - onehot) / rows as f64));
                }
            }
            total / rows as f64
        }
    }
}
