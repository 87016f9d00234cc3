//! Optimizer updates on the CPU, with PyTorch's exact formulas (the parity fixtures hold them to it).

use crate::backend::{Update, UpdateRule};
use crate::real::{Real, flush};

pub fn update<R: Real>(u: Update, p: &mut [R], g: &[R], m: &mut [R], v: &mut [R]) {
    let lr = u.learning_rate;
    match u.rule {
        UpdateRule::Sgd => {
            let lr = R::of(lr);
            for (pv, &gv) in p.iter_mut().zip(g) {
                *pv = *pv - lr * gv;
            }
        }
        UpdateRule::Momentum { momentum } => {
            let (lr, mu) = (R::of(lr), R::of(momentum));
            for ((pv, &gv), mv) in p.iter_mut().zip(g).zip(m.iter_mut()) {
                *mv = flush(mu * *mv + gv);
                *pv = *pv - lr * *mv;
            }
        }
        UpdateRule::Adam { beta1, beta2, epsilon, weight_decay } => {
            let (bc1, bc2_sqrt) = u.bias;
            let step_size = R::of(lr / bc1);
            let (b1, b2, eps) = (R::of(beta1), R::of(beta2), R::of(epsilon));
            let (one, bc2_sqrt) = (R::one(), R::of(bc2_sqrt));
            let decay = R::of(1.0 - lr * weight_decay);
            for (((pv, &gv), mv), vv) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                if weight_decay != 0.0 {
                    *pv *= decay;
                }
                *mv = flush(b1 * *mv + (one - b1) * gv);
                *vv = flush(b2 * *vv + (one - b2) * squarable(gv) * squarable(gv));
                let denom = vv.sqrt() / bc2_sqrt + eps;
                *pv = *pv - step_size * *mv / denom;
            }
        }
    }
}

/// `g`, or zero where it is too small to square (|g| < 1e-15): squared, such a gradient is a
/// subnormal number or underflows through one, which x86 CPUs compute about 100 times slower. A
/// mixture of experts whose router all but rules out some experts gives them gradients near
/// 1e-22, and its steps ran a third slower late in training (186–200 against 268 steps a second
/// natively on the benchmark's MoE over 3,000 steps; 237–243 with this). The term it drops,
/// (1 − β₂)·g², is under `real::TINY`, so it changes v only where √v is far under ε.
/// `optim.wgsl` does the same.
#[inline(always)]
fn squarable<R: Real>(g: R) -> R {
    if g.abs() < R::of(1e-15) { R::zero() } else { g }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moments of a gradient that stops decay to zero without holding a subnormal number, and
    /// the update is PyTorch's while they are normal.
    #[test]
    fn stopped_gradients_decay_to_zero_past_the_subnormals() {
        let adam = UpdateRule::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.0 };
        for rule in [adam, UpdateRule::Momentum { momentum: 0.9 }] {
            let (mut p, mut m, mut v) = ([0.5f32], [0.0f32], [0.0f32]);
            for step in 1..=200_000u64 {
                let g = if step == 1 { [0.25f32] } else { [0.0] };
                update(Update::new(rule, 0.01, step), &mut p, &g, &mut m, &mut v);
                assert!(
                    !m[0].is_subnormal() && !v[0].is_subnormal(),
                    "{rule:?} step {step}: m {:e}, v {:e}",
                    m[0],
                    v[0]
                );
            }
            assert_eq!((m[0], v[0]), (0.0, 0.0), "{rule:?}: the moments reach zero");
            assert!(p[0].is_finite());
        }
        // While the moments are normal numbers the update is PyTorch's: its first Adam step moves a
        // weight by lr.
        let (mut p, mut m, mut v) = ([0.5f32], [0.0f32], [0.0f32]);
        update(Update::new(adam, 0.01, 1), &mut p, &[0.25], &mut m, &mut v);
        assert!((p[0] - 0.49).abs() < 1e-6, "{}", p[0]);
    }

    /// Adam's second-moment term, (1 − β₂)·g², is never a subnormal number, whatever the
    /// gradient's size and β₂ (up to the largest f32 below 1, the spec's bound), and gradients
    /// from 1e-15 up are squared as they are.
    #[test]
    fn the_second_moment_term_is_never_subnormal() {
        let betas = [0.0f32, 0.9, 0.999, 0.99999, 1.0 - f32::EPSILON / 2.0];
        for b2 in betas {
            for e in -45..=0 {
                for g in [10f32.powi(e), -3.0 * 10f32.powi(e), f32::MIN_POSITIVE] {
                    let term = (1.0 - b2) * squarable(g) * squarable(g);
                    assert!(!term.is_subnormal(), "β₂ {b2}, g {g:e}: {term:e}");
                    if g.abs() >= 1e-15 {
                        assert_eq!(squarable(g), g);
                    }
                }
            }
        }
    }
}
