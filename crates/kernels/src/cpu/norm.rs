//! LayerNorm, RMSNorm and BatchNorm on the CPU, forward and backward side by side.
//!
//! All three normalise, then scale by a gain and (LayerNorm, BatchNorm) shift:
//! `y = x̂·γ + β`. With `g` the gradient of `y` and `ĝ = g·γ`, the input gradient is
//! `dx = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) / σ`, the means over the normalised axis (rows for
//! BatchNorm, columns otherwise); RMSNorm subtracts no mean, so it drops the `mean(ĝ)` term.

// Index loops mirror the formulas (rows and columns of one batch).
#![allow(clippy::needless_range_loop)]

use layerlab_spec::model::NormKind;

use crate::backend::NormOp;
use crate::real::Real;

pub struct Saved<'a, R> {
    pub xhat: &'a mut [R],
    pub inv_std: &'a mut [R],
}

pub fn forward<R: Real>(
    op: NormOp,
    x: &[R],
    gain: &[R],
    shift: Option<&[R]>,
    running: Option<(&mut [R], &mut [R])>,
    Saved { xhat, inv_std }: Saved<'_, R>,
    y: &mut [R],
) {
    let (rows, cols) = (op.dims.rows, op.dims.cols);
    let eps = op.eps;
    match op.kind {
        NormKind::Layer | NormKind::Rms => {
            let centre = op.kind == NormKind::Layer;
            for r in 0..rows {
                let xr = &x[r * cols..][..cols];
                let mean = if centre { xr.iter().map(|v| v.to64()).sum::<f64>() / cols as f64 } else { 0.0 };
                let var = xr.iter().map(|v| (v.to64() - mean).powi(2)).sum::<f64>() / cols as f64;
                let inv = 1.0 / (var + eps).sqrt();
                inv_std[r] = R::of(inv);
                for c in 0..cols {
                    let h = R::of((xr[c].to64() - mean) * inv);
                    xhat[r * cols + c] = h;
                    y[r * cols + c] = h * gain[c] + shift.map_or(R::zero(), |s| s[c]);
                }
            }
        }
        NormKind::Batch => {
            let mut running = running;
            for c in 0..cols {
                let (mean, inv) = if op.train {
                    let mean = (0..rows).map(|r| x[r * cols + c].to64()).sum::<f64>() / rows as f64;
                    let ss = (0..rows).map(|r| (x[r * cols + c].to64() - mean).powi(2)).sum::<f64>();
                    if let Some((rm, rv)) = running.as_mut() {
                        // The running variance is unbiased, as PyTorch keeps it.
                        let unbiased = if rows > 1 { ss / (rows - 1) as f64 } else { ss };
                        let m = op.momentum;
                        rm[c] = R::of((1.0 - m) * rm[c].to64() + m * mean);
                        rv[c] = R::of((1.0 - m) * rv[c].to64() + m * unbiased);
                    }
                    (mean, 1.0 / (ss / rows as f64 + eps).sqrt())
                } else {
                    let (rm, rv) = running.as_ref().expect("BatchNorm evaluation needs running statistics");
                    (rm[c].to64(), 1.0 / (rv[c].to64() + eps).sqrt())
                };
                inv_std[c] = R::of(inv);
                for r in 0..rows {
                    let h = R::of((x[r * cols + c].to64() - mean) * inv);
                    xhat[r * cols + c] = h;
                    y[r * cols + c] = h * gain[c] + shift.map_or(R::zero(), |s| s[c]);
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub fn backward<R: Real>(
    op: NormOp,
    g: &[R],
    gain: &[R],
    xhat: &[R],
    inv_std: &[R],
    d_gain: &mut [R],
    mut d_shift: Option<&mut [R]>,
    dx: Option<&mut [R]>,
) {
    let (rows, cols) = (op.dims.rows, op.dims.cols);
    d_gain[..cols].fill(R::zero());
    if let Some(ds) = d_shift.as_deref_mut() {
        ds[..cols].fill(R::zero());
    }
    for r in 0..rows {
        for c in 0..cols {
            let i = r * cols + c;
            d_gain[c] += g[i] * xhat[i];
            if let Some(ds) = d_shift.as_deref_mut() {
                ds[c] += g[i];
            }
        }
    }
    let Some(dx) = dx else { return };
    let centre = op.kind != NormKind::Rms;
    match op.kind {
        NormKind::Layer | NormKind::Rms => {
            for r in 0..rows {
                let (mut mean_g, mut mean_gx) = (0.0, 0.0);
                for c in 0..cols {
                    let gh = g[r * cols + c].to64() * gain[c].to64();
                    mean_g += gh;
                    mean_gx += gh * xhat[r * cols + c].to64();
                }
                let (mean_g, mean_gx) = (if centre { mean_g / cols as f64 } else { 0.0 }, mean_gx / cols as f64);
                let inv = inv_std[r].to64();
                for c in 0..cols {
                    let i = r * cols + c;
                    let gh = g[i].to64() * gain[c].to64();
                    dx[i] = R::of((gh - mean_g - xhat[i].to64() * mean_gx) * inv);
                }
            }
        }
        NormKind::Batch if op.train => {
            for c in 0..cols {
                let (mut mean_g, mut mean_gx) = (0.0, 0.0);
                for r in 0..rows {
                    let gh = g[r * cols + c].to64() * gain[c].to64();
                    mean_g += gh;
                    mean_gx += gh * xhat[r * cols + c].to64();
                }
                let (mean_g, mean_gx) = (mean_g / rows as f64, mean_gx / rows as f64);
                let inv = inv_std[c].to64();
                for r in 0..rows {
                    let i = r * cols + c;
                    let gh = g[i].to64() * gain[c].to64();
                    dx[i] = R::of((gh - mean_g - xhat[i].to64() * mean_gx) * inv);
                }
            }
        }
        // Evaluation mode: fixed statistics, so the map is affine.
        NormKind::Batch => {
            for r in 0..rows {
                for c in 0..cols {
                    let i = r * cols + c;
                    dx[i] = g[i] * gain[c] * inv_std[c];
                }
            }
        }
    }
}
