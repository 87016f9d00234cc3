//! The per-edge functions of Kolmogorov-Arnold layers, forward and backward side by side.
//!
//! - B-splines ("KAN: Kolmogorov-Arnold Networks"): each input `x` becomes the features
//!   `[silu(x), B₀(x), …, B_{G+k−1}(x)]` — the residual base function and the `G + k` B-splines
//!   of order `k` on a uniform grid of `G` intervals over [−1, 1] (wider after a refinement,
//!   see the engine's `kan_refine`), extended by `k` knots each side. A matrix multiply with the layer's weights then sums `w·silu(x) + Σ c·B(x)` over the
//!   edges into each output.
//! - Group rationals ("Kolmogorov-Arnold Transformer"): `F(x) = P(x) / (1 + |Q(x)|)` with `P` of
//!   degree 5 and `Q` of degree 4 without constant term (the "safe" Padé form), one function per
//!   group of consecutive inputs.

use crate::activation::sigmoid;
use crate::backend::{KanOp, RationalOp};
use crate::real::Real;
use layerlab_spec::limits::{MAX_KAN_GRID, MAX_KAN_ORDER};

/// Knots of the largest grid: a fixed-size table on the stack, so a step allocates nothing.
const KNOTS: usize = (MAX_KAN_GRID + 2 * MAX_KAN_ORDER + 1) as usize;
type Table = [[f64; KNOTS]; MAX_KAN_ORDER as usize + 1];

/// The knots of the grid: `t_m = lo + (m − k)·h` for `m = 0 ..= G + 2k`, `h = (hi − lo)/G`.
pub fn knot(op: KanOp, m: usize) -> f64 {
    op.lo + (m as f64 - op.order as f64) * op.step()
}

/// Every B-spline of order `0..=k` at `x` by the Cox–de Boor recursion, in `table[p][j]`
/// (B-spline `j` of order `p`); order `k` has `G + k` of them.
fn splines(op: KanOp, x: f64, table: &mut Table) {
    let knots = op.grid + 2 * op.order + 1;
    for (j, b) in table[0][..knots - 1].iter_mut().enumerate() {
        *b = if knot(op, j) <= x && x < knot(op, j + 1) { 1.0 } else { 0.0 };
    }
    let h = op.step();
    for p in 1..=op.order {
        for j in 0..knots - 1 - p {
            // Uniform knots: both denominators are p·h.
            let left = (x - knot(op, j)) / (p as f64 * h) * table[p - 1][j];
            let right = (knot(op, j + p + 1) - x) / (p as f64 * h) * table[p - 1][j + 1];
            table[p][j] = left + right;
        }
    }
}

/// `features[r, i·(G+k+1) ..]` = `[silu(x), B₀(x), …]` for input `i` of row `r`.
pub fn kan_basis<R: Real>(op: KanOp, x: &[R], features: &mut [R]) {
    let basis = op.grid + op.order;
    let mut table: Table = [[0.0; KNOTS]; MAX_KAN_ORDER as usize + 1];
    for (i, &v) in x[..op.rows * op.width].iter().enumerate() {
        let f = &mut features[i * (basis + 1)..][..basis + 1];
        f[0] = v * sigmoid(v);
        splines(op, v.to64(), &mut table);
        for (out, &b) in f[1..].iter_mut().zip(&table[op.order][..basis]) {
            *out = R::of(b);
        }
    }
}

/// `dx = Σ_k d_features_k · B_k'(x) + d_features_0 · silu'(x)`, with the uniform-grid
/// derivative `B'_{j,k} = (B_{j,k−1} − B_{j+1,k−1}) / h`.
pub fn kan_basis_backward<R: Real>(op: KanOp, x: &[R], d_features: &[R], dx: &mut [R]) {
    let basis = op.grid + op.order;
    let h = op.step();
    let mut table: Table = [[0.0; KNOTS]; MAX_KAN_ORDER as usize + 1];
    for (i, &v) in x[..op.rows * op.width].iter().enumerate() {
        let d = &d_features[i * (basis + 1)..][..basis + 1];
        let s = sigmoid(v).to64();
        let v64 = v.to64();
        let mut total = d[0].to64() * (s + v64 * s * (1.0 - s));
        splines(op, v64, &mut table);
        let lower = &table[op.order - 1];
        for (j, g) in d[1..].iter().enumerate() {
            total += g.to64() * (lower[j] - lower[j + 1]) / h;
        }
        dx[i] = R::of(total);
    }
}

/// `P(x) = a₀ + a₁x + … + a₅x⁵`, `Q(x) = b₁x + … + b₄x⁴`: a group's 10 coefficients, `a` then `b`.
fn rational(c: &[f64], x: f64) -> (f64, f64, f64) {
    let p = c[..6].iter().rev().fold(0.0, |acc, &a| acc * x + a);
    let q = c[6..10].iter().rev().fold(0.0, |acc, &b| acc * x + b) * x;
    (p, q, p / (1.0 + q.abs()))
}

/// `E[F(x)²]` for `x ~ N(0, 1)`, by the trapezoid rule on [−8, 8]: what a linear layer after
/// the rational must divide its weights' variance by to keep unit variance.
pub fn rational_second_moment(c: &[f64; 10]) -> f64 {
    let n = 4000;
    let h = 16.0 / n as f64;
    (0..=n)
        .map(|i| {
            let x = -8.0 + i as f64 * h;
            let weight = if i == 0 || i == n { 0.5 } else { 1.0 };
            weight * (-x * x / 2.0).exp() * rational(c, x).2.powi(2)
        })
        .sum::<f64>()
        * h
        / (2.0 * std::f64::consts::PI).sqrt()
}

/// `y = F_g(x)` with `g` the group of the input's column.
pub fn rational_forward<R: Real>(op: RationalOp, x: &[R], coeffs: &[R], y: &mut [R]) {
    let per = op.width / op.groups;
    for r in 0..op.rows {
        for c in 0..op.width {
            let g = c / per;
            let mut k = [0.0; 10];
            k.iter_mut().zip(&coeffs[g * 10..][..10]).for_each(|(k, v)| *k = v.to64());
            y[r * op.width + c] = R::of(rational(&k, x[r * op.width + c].to64()).2);
        }
    }
}

/// Writes the coefficients' gradients (summed over the rows and the group's columns) and `dx`.
pub fn rational_backward<R: Real>(
    op: RationalOp,
    x: &[R],
    coeffs: &[R],
    g: &[R],
    d_coeffs: &mut [R],
    mut dx: Option<&mut [R]>,
) {
    let per = op.width / op.groups;
    let acc = &mut d_coeffs[..op.groups * 10];
    acc.iter_mut().for_each(|a| *a = R::zero());
    for r in 0..op.rows {
        for c in 0..op.width {
            let group = c / per;
            let mut k = [0.0; 10];
            k.iter_mut().zip(&coeffs[group * 10..][..10]).for_each(|(k, v)| *k = v.to64());
            let (v, gy) = (x[r * op.width + c].to64(), g[r * op.width + c].to64());
            let (p, q, _) = rational(&k, v);
            let den = 1.0 + q.abs();
            let sign = if q > 0.0 {
                1.0
            } else if q < 0.0 {
                -1.0
            } else {
                0.0
            };
            // ∂F/∂a_n = xⁿ / den; ∂F/∂b_n = −p·sign(q)·xⁿ / den².
            let mut power = 1.0;
            for n in 0..6 {
                acc[group * 10 + n] += R::of(gy * power / den);
                if (1..=4).contains(&n) {
                    acc[group * 10 + 5 + n] += R::of(-gy * p * sign * power / (den * den));
                }
                power *= v;
            }
            let dp = (1..6).rev().fold(0.0, |s, n| s * v + n as f64 * k[n]);
            let dq = (1..5).rev().fold(0.0, |s, n| s * v + n as f64 * k[5 + n]);
            if let Some(dx) = dx.as_deref_mut() {
                dx[r * op.width + c] = R::of(gy * (dp / den - p * sign * dq / (den * den)));
            }
        }
    }
}

/// The starting point of every group-rational function: GELU, as "Kolmogorov-Arnold
/// Transformer" initialises its rationals to a known activation; `a₀..a₅` then `b₁..b₄`. Fitted by
/// least squares of `P − GELU·Q = GELU` on [−3, 3] by `tests/parity/fit_rational_gelu.py`; within
/// 1e-3 of GELU there (checked by a unit test of the CPU backend).
pub const RATIONAL_GELU: [f64; 10] = [
    -0.0005348572638036031,
    0.49999999999999983,
    0.4032177975711518,
    0.07582950749944983,
    -0.011625828497988289,
    -0.0035173577448795687,
    6.267832635036009e-14,
    0.15165901499884787,
    1.402627039719301e-14,
    -0.007034715489760545,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rationals_start_as_gelu() {
        let op = RationalOp { rows: 1, width: 601, groups: 1 };
        let x: Vec<f64> = (0..601).map(|i| -3.0 + 6.0 * i as f64 / 600.0).collect();
        let mut y = vec![0.0; 601];
        rational_forward(op, &x, &RATIONAL_GELU, &mut y);
        let gelu = |v: f64| 0.5 * v * (1.0 + libm::erf(v / 2f64.sqrt()));
        let worst = x.iter().zip(&y).map(|(&v, &f)| (f - gelu(v)).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-3, "{worst}");
    }

    #[test]
    fn the_second_moment_is_that_of_gelu() {
        // E[GELU(x)²] for x ~ N(0, 1) is 0.4252 (numerically); the fit is within 1e-3 of GELU.
        let m2 = rational_second_moment(&RATIONAL_GELU);
        assert!((m2 - 0.4252).abs() < 2e-3, "{m2}");
    }

    #[test]
    fn b_splines_form_a_partition_of_unity_inside_the_grid() {
        for (grid, order) in [(5, 3), (3, 1), (8, 2), (64, 5)] {
            let op = KanOp { rows: 1, width: 1, grid, order, lo: -1.0, hi: 1.0 };
            let mut f = vec![0.0; grid + order + 1];
            for i in 0..50 {
                let x = -0.999 + 1.998 * i as f64 / 49.0;
                kan_basis(op, &[x], &mut f);
                let sum: f64 = f[1..].iter().sum();
                assert!((sum - 1.0).abs() < 1e-12, "grid {grid} order {order} at {x}: {sum}");
                assert!(f[1..].iter().all(|&b| b >= 0.0));
            }
        }
    }
}
