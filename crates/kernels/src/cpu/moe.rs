//! Mixture-of-experts routing, forward and backward side by side ("A Review of Sparse Expert
//! Models in Deep Learning"; Switch Transformer's conventions): a softmax router picks each
//! row's top-k experts, an expert's output is weighted by its router probability, and the
//! load-balancing loss `balance · E · Σ_e f_e · P_e` (f_e: the share of the routing choices that
//! went to expert e, P_e: its mean router probability) pushes the router to spread the load.

use crate::backend::MoeOp;
use crate::real::Real;
use layerlab_spec::limits::MAX_EXPERTS;

const EXPERTS: usize = MAX_EXPERTS as usize;

/// Below this a router probability is 0. An expert's gradients are its gate times the layer's
/// output gradient, so a probability the router has all but ruled out (1e-25, say) makes them
/// subnormal numbers, which x86 CPUs compute slowly (see `real::TINY`): a mixture of experts'
/// steps ran about 2× slower late in training, in the matrix multiplies of its experts' backward.
/// An output weighted by less than this is lost beside the top choice's (≥ 1/experts) in any f32
/// sum, and the router's gradient for such an expert, p·(…), moves no weight past Adam's ε.
/// `moe.wgsl` flushes alike.
pub const RULED_OUT: f64 = 1e-20;

/// Router probabilities, gates (the probability for the chosen experts, 0 for the others),
/// and the balancing loss in `aux[0]`.
pub fn route<R: Real>(op: MoeOp, logits: &[R], probs: &mut [R], gates: &mut [R], aux: &mut [R]) {
    let MoeOp { rows, experts, top_k, balance } = op;
    let mut chosen = [0.0f64; EXPERTS];
    let mut mean_p = [0.0f64; EXPERTS];
    for r in 0..rows {
        let z = &logits[r * experts..][..experts];
        let p = &mut probs[r * experts..][..experts];
        let max = z.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.to64()));
        let sum: f64 = z.iter().map(|v| (v.to64() - max).exp()).sum();
        for (pe, ze) in p.iter_mut().zip(z) {
            let q = (ze.to64() - max).exp() / sum;
            *pe = if q < RULED_OUT { R::zero() } else { R::of(q) };
        }
        let g = &mut gates[r * experts..][..experts];
        g.iter_mut().for_each(|v| *v = R::zero());
        // Top-k by probability; ties go to the lower index, so the choice is reproducible.
        for _ in 0..top_k {
            let best = (0..experts)
                .filter(|&e| g[e] == R::zero())
                .fold(None, |best: Option<usize>, e| match best {
                    Some(b) if p[b] >= p[e] => Some(b),
                    _ => Some(e),
                })
                .expect("top_k ≤ experts");
            // A probability below RULED_OUT is 0; the gate marks the choice with RULED_OUT
            // then, so it is still counted as chosen.
            g[best] = if p[best] > R::zero() { p[best] } else { R::of(RULED_OUT) };
            chosen[best] += 1.0;
        }
        for (m, pe) in mean_p.iter_mut().zip(p.iter()) {
            *m += pe.to64();
        }
    }
    let n = rows.max(1) as f64;
    let loss: f64 = (0..experts).map(|e| (chosen[e] / (n * top_k as f64)) * (mean_p[e] / n)).sum();
    aux[0] = R::of(balance * experts as f64 * loss);
}

/// From the gates' gradient (and the balancing loss) to the router logits' gradient.
pub fn route_backward<R: Real>(op: MoeOp, probs: &[R], gates: &[R], d_gates: &[R], d_logits: &mut [R]) {
    let MoeOp { rows, experts, top_k, balance } = op;
    let n = rows.max(1) as f64;
    let mut share = [0.0f64; EXPERTS];
    for r in 0..rows {
        for e in 0..experts {
            share[e] += f64::from(u8::from(gates[r * experts + e] != R::zero()));
        }
    }
    for r in 0..rows {
        let p = &probs[r * experts..][..experts];
        let mut dp = [0.0f64; EXPERTS];
        for e in 0..experts {
            let chosen = gates[r * experts + e] != R::zero();
            // gate = p for a chosen expert; ∂aux/∂p = balance · E · f_e / rows.
            dp[e] = if chosen { d_gates[r * experts + e].to64() } else { 0.0 }
                + balance * experts as f64 * (share[e] / (n * top_k as f64)) / n;
        }
        let dot: f64 = (0..experts).map(|e| p[e].to64() * dp[e]).sum();
        for e in 0..experts {
            d_logits[r * experts + e] = R::of(p[e].to64() * (dp[e] - dot));
        }
    }
}

/// `y (+)= gates[:, e] ⊙ x` row by row: expert `e`'s output weighted by its gate.
pub fn gate_rows<R: Real>(op: MoeOp, e: usize, cols: usize, gates: &[R], x: &[R], y: &mut [R], accumulate: bool) {
    for r in 0..op.rows {
        let g = gates[r * op.experts + e];
        for (o, &v) in y[r * cols..][..cols].iter_mut().zip(&x[r * cols..][..cols]) {
            *o = if accumulate { *o + g * v } else { g * v };
        }
    }
}

/// `d_gates[:, e] = rowsum(g ⊙ x)`: the gradient of expert `e`'s gate.
pub fn gate_grad<R: Real>(op: MoeOp, e: usize, cols: usize, g: &[R], x: &[R], d_gates: &mut [R]) {
    for r in 0..op.rows {
        let dot: f64 = g[r * cols..][..cols].iter().zip(&x[r * cols..][..cols]).map(|(a, b)| a.to64() * b.to64()).sum();
        d_gates[r * op.experts + e] = R::of(dot);
    }
}
