//! Row-wise and element-wise ops of the CPU backend: bias and activation, their backward,
//! column sums, axpby, column copies, dropout, penalties and noise.

use layerlab_spec::model::Activation;

use crate::activation;
use crate::backend::{CopyCols, Dims, DropoutOp};
use crate::real::{Real, flush};
use crate::rng;

pub fn bias_act<R: Real>(dims: Dims, bias: Option<&[R]>, act: Activation, z: &mut [R], y: &mut [R]) {
    let n = dims.len();
    let (z, y) = (&mut z[..n], &mut y[..n]);
    for (zrow, yrow) in z.chunks_exact_mut(dims.cols).zip(y.chunks_exact_mut(dims.cols)) {
        if let Some(bias) = bias {
            for (zv, &b) in zrow.iter_mut().zip(bias) {
                *zv += b;
            }
        }
        // Matching on the activation outside the loop lets each arm vectorise.
        match act {
            Activation::Identity => yrow.copy_from_slice(zrow),
            // A comparison, not `max`: in wasm, `f32::max` is a call to libm's `fmaxf` per
            // element (wasm's own `f32.max` treats NaN otherwise), which kept this loop scalar
            // and took a quarter of a medium MLP's step. NaN gives 0 either way.
            Activation::Relu => {
                for (yv, &zv) in yrow.iter_mut().zip(zrow.iter()) {
                    *yv = if zv > R::zero() { zv } else { R::zero() };
                }
            }
            Activation::Tanh => {
                for (yv, &zv) in yrow.iter_mut().zip(zrow.iter()) {
                    *yv = zv.fast_tanh();
                }
            }
            _ => {
                for (yv, &zv) in yrow.iter_mut().zip(zrow.iter()) {
                    *yv = activation::forward(act, zv);
                }
            }
        }
    }
}

pub fn act_backward<R: Real>(dims: Dims, act: Activation, z: &[R], y: &[R], g: &mut [R]) {
    let n = dims.len();
    if act == Activation::Identity {
        return;
    }
    let (g, z, y) = (&mut g[..n], &z[..n], &y[..n]);
    // Matching on the activation outside the loop lets the common arms vectorise (a match per
    // element kept ReLU's backward at a fifth of a medium MLP's step); each computes exactly
    // what `activation::derivative` does.
    let (zero, one) = (R::zero(), R::one());
    match act {
        Activation::Relu => {
            for (gv, &zv) in g.iter_mut().zip(z) {
                *gv = flush(*gv * if zv > zero { one } else { zero });
            }
        }
        Activation::Tanh => {
            for (gv, &yv) in g.iter_mut().zip(y) {
                *gv = flush(*gv * (one - yv * yv));
            }
        }
        Activation::Sigmoid => {
            for (gv, &yv) in g.iter_mut().zip(y) {
                *gv = flush(*gv * (yv * (one - yv)));
            }
        }
        _ => {
            for ((gv, &zv), &yv) in g.iter_mut().zip(z).zip(y) {
                *gv = flush(*gv * activation::derivative(act, zv, yv));
            }
        }
    }
}

pub fn col_sum<R: Real>(dims: Dims, x: &[R], out: &mut [R], accumulate: bool) {
    let out = &mut out[..dims.cols];
    if !accumulate {
        out.fill(R::zero());
    }
    for row in x[..dims.len()].chunks_exact(dims.cols) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

pub fn axpby<R: Real>(len: usize, a: f64, x: &[R], b: f64, y: &mut [R]) {
    let (a, b) = (R::of(a), R::of(b));
    let y = &mut y[..len];
    if b == R::zero() {
        for (yv, &xv) in y.iter_mut().zip(&x[..len]) {
            *yv = a * xv;
        }
    } else {
        for (yv, &xv) in y.iter_mut().zip(&x[..len]) {
            *yv = a * xv + b * *yv;
        }
    }
}

pub fn copy_cols<R: Real>(op: CopyCols, src: &[R], dst: &mut [R]) {
    for r in 0..op.rows {
        let s = &src[r * op.src_cols + op.src_at..][..op.width];
        let d = &mut dst[r * op.dst_cols + op.dst_at..][..op.width];
        if op.accumulate {
            for (dv, &sv) in d.iter_mut().zip(s) {
                *dv += sv;
            }
        } else {
            d.copy_from_slice(s);
        }
    }
}

pub fn dropout<R: Real>(op: DropoutOp, x: &[R], mask: &mut [R], y: &mut [R]) {
    let keep = R::of(1.0 / (1.0 - op.rate));
    let rate = op.rate as f32;
    for (i, m) in mask[..op.len].iter_mut().enumerate() {
        *m = if rng::uniform(op.key, i as u32) >= rate { keep } else { R::zero() };
    }
    mul(op.len, x, mask, y);
}

pub fn mul<R: Real>(len: usize, x: &[R], m: &[R], y: &mut [R]) {
    for ((yv, &xv), &mv) in y[..len].iter_mut().zip(&x[..len]).zip(&m[..len]) {
        *yv = xv * mv;
    }
}

/// Σ x², in `f64`, with eight partial sums: one running sum waits on each addition before the
/// next (float addition does not reassociate), and this runs over every gradient each step.
pub fn sum_squares<R: Real>(x: &[R]) -> f64 {
    const LANES: usize = 8;
    let mut partial = [0.0f64; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().map(|&v| v.to64() * v.to64()).sum();
    for chunk in chunks {
        for (s, &v) in partial.iter_mut().zip(chunk) {
            *s += v.to64() * v.to64();
        }
    }
    partial.iter().sum::<f64>() + tail
}

pub fn penalty<R: Real>(l1: f64, l2: f64, p: &[R], g: &mut [R]) {
    let (l1, l2) = (R::of(l1), R::of(l2));
    for (gv, &pv) in g.iter_mut().zip(p) {
        // sign(0) = 0, as torch.sign.
        let sign = if pv > R::zero() {
            R::one()
        } else if pv < R::zero() {
            -R::one()
        } else {
            R::zero()
        };
        *gv = *gv + l1 * sign + l2 * pv;
    }
}

pub fn add_noise<R: Real>(std: f64, key: u32, g: &mut [R]) {
    for (i, gv) in g.iter_mut().enumerate() {
        *gv += R::of(std * f64::from(rng::normal(key, i as u32)));
    }
}
