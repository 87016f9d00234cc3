//! Optimizer updates on the CPU, with PyTorch's exact formulas (the parity fixtures hold them to it).

use crate::backend::{Update, UpdateRule};
use crate::real::Real;

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
                *mv = mu * *mv + gv;
                *pv = *pv - lr * *mv;
            }
        }
        UpdateRule::Adam { beta1, beta2, epsilon, weight_decay } => {
            let t = u.step.min(i32::MAX as u64) as i32;
            let bc1 = 1.0 - beta1.powi(t);
            let bc2_sqrt = (1.0 - beta2.powi(t)).sqrt();
            let step_size = R::of(lr / bc1);
            let (b1, b2, eps) = (R::of(beta1), R::of(beta2), R::of(epsilon));
            let (one, bc2_sqrt) = (R::one(), R::of(bc2_sqrt));
            let decay = R::of(1.0 - lr * weight_decay);
            for (((pv, &gv), mv), vv) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                if weight_decay != 0.0 {
                    *pv *= decay;
                }
                *mv = b1 * *mv + (one - b1) * gv;
                *vv = b2 * *vv + (one - b2) * gv * gv;
                let denom = vv.sqrt() / bc2_sqrt + eps;
                *pv = *pv - step_size * *mv / denom;
            }
        }
    }
}
