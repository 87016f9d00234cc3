//! Grid refinement of B-spline KAN layers ("KAN: Kolmogorov-Arnold Networks", grid extension):
//! during training a layer's knots are halved in spacing and every edge's spline is refitted on
//! the finer grid, keeping the function it has learned. The new knots are the old ones with a
//! knot inserted between each pair, over the whole support the old splines cover (the extension
//! knots included), so the old splines are exact combinations of the new ones and the layer
//! computes the same function everywhere: `G` intervals over [lo, hi] become `2G + 2k` over
//! [lo − k·h/2, hi + k·h/2].

use nalgebra::DMatrix;

use crate::backend::{Backend, KanOp};
use crate::cpu::kan::{kan_basis, knot};
use crate::model::{self, Model, Node};
use crate::optim::Optimizer;

/// The finer grid [`refine`] moves a layer to: knot spacing halved over the same support.
pub fn finer(op: KanOp) -> KanOp {
    let half = op.step() / 2.0;
    let k = op.order as f64;
    KanOp { grid: 2 * op.grid + 2 * op.order, lo: op.lo - k * half, hi: op.hi + k * half, ..op }
}

/// The matrix taking one spline's coefficients on the `from` grid to the least-squares best
/// coefficients on the `to` grid (same order), fitted on `8·(to.grid + order)` points spread
/// evenly over the `from` grid's support: `(to.grid + order) × (from.grid + order)`.
pub fn refit_matrix(from: KanOp, to: KanOp) -> DMatrix<f64> {
    let (k_from, k_to) = (from.grid + from.order, to.grid + to.order);
    let samples = 8 * k_to;
    let (start, end) = (knot(from, 0), knot(from, from.grid + 2 * from.order));
    let basis = |op: KanOp, k: usize| {
        let mut m = DMatrix::zeros(samples, k);
        let mut f = vec![0.0; k + 1];
        for s in 0..samples {
            let x = start + (end - start) * (s as f64 + 0.5) / samples as f64;
            kan_basis(KanOp { rows: 1, width: 1, ..op }, &[x], &mut f);
            for j in 0..k {
                m[(s, j)] = f[j + 1];
            }
        }
        m
    };
    let (old, new) = (basis(from, k_from), basis(to, k_to));
    let pinv = new.pseudo_inverse(1e-12).expect("the pseudo-inverse of a finite matrix exists");
    pinv * old
}

/// The new weights of a KAN layer: base weights as they were, each edge's spline refitted.
/// `w` is `inputs·(grid+order+1) × units` row-major at `from`; the result is the same at `to`.
pub fn refit_weights(w: &[f64], inputs: usize, units: usize, from: KanOp, to: KanOp) -> Vec<f64> {
    let m = refit_matrix(from, to);
    let (k_from, k_to) = (from.grid + from.order, to.grid + to.order);
    let mut out = vec![0.0; inputs * (k_to + 1) * units];
    for i in 0..inputs {
        let (old, new) = (i * (k_from + 1) * units, i * (k_to + 1) * units);
        out[new..new + units].copy_from_slice(&w[old..old + units]);
        for u in 0..units {
            for r in 0..k_to {
                let value: f64 = (0..k_from).map(|c| m[(r, c)] * w[old + (1 + c) * units + u]).sum();
                out[new + (1 + r) * units + u] = value;
            }
        }
    }
    out
}

/// Refines every KAN layer whose schedule says so after `steps` steps (when the finer grid stays
/// within its maximum): the weights are refitted, the gradient and optimizer state made anew.
/// Returns whether anything changed (the caller must then reallocate the activations).
pub fn refine<B: Backend>(b: &mut B, model: &mut Model<B>, optimizer: &mut Optimizer<B>, steps: u64) -> bool {
    let mut changed = false;
    let Model { nodes, params, .. } = model;
    for_each_kan(nodes, &mut |node| {
        let Node::Kan { w, grid, order, inputs, units, lo, hi, refine: Some((every, max_grid)) } = node else {
            return;
        };
        let from = KanOp { rows: 1, width: 1, grid: *grid, order: *order, lo: *lo, hi: *hi };
        let to = finer(from);
        if steps == 0 || !steps.is_multiple_of(*every) || to.grid > *max_grid {
            return;
        }
        let old = model::read(b, &params[*w].value);
        let new = refit_weights(&old, *inputs, *units, from, to);
        let p = &mut params[*w];
        p.value = b.alloc(new.len());
        model::write(b, &mut p.value, &new);
        p.grad = b.alloc(new.len());
        p.len = new.len();
        optimizer.reset(b, *w, new.len());
        (*grid, *lo, *hi) = (to.grid, to.lo, to.hi);
        changed = true;
    });
    changed
}

fn for_each_kan(nodes: &mut [Node], f: &mut dyn FnMut(&mut Node)) {
    for node in nodes {
        match node {
            Node::Kan { .. } => f(node),
            Node::Residual { body, .. } => for_each_kan(body, f),
            Node::Parallel { branches, .. } => branches.iter_mut().for_each(|br| for_each_kan(br, f)),
            Node::Moe { experts, .. } => experts.iter_mut().for_each(|ex| for_each_kan(ex, f)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spline a row of coefficients makes, at `x`.
    fn spline(op: KanOp, c: &[f64], x: f64) -> f64 {
        let mut f = vec![0.0; op.grid + op.order + 1];
        kan_basis(KanOp { rows: 1, width: 1, ..op }, &[x], &mut f);
        f[1..].iter().zip(c).map(|(b, c)| b * c).sum()
    }

    #[test]
    fn a_finer_grid_keeps_the_function_everywhere() {
        for (grid, order) in [(5, 3), (3, 1), (4, 2), (7, 5)] {
            let from = KanOp { rows: 1, width: 1, grid, order, lo: -1.0, hi: 1.0 };
            let to = finer(from);
            assert_eq!(to.step(), from.step() / 2.0);
            assert_eq!(knot(to, 0), knot(from, 0), "the support starts where it did");
            let c: Vec<f64> = (0..grid + order).map(|j| ((j * 7 % 5) as f64 - 2.0) * 0.3).collect();
            let m = refit_matrix(from, to);
            let refit: Vec<f64> = (0..to.grid + order).map(|r| (0..c.len()).map(|j| m[(r, j)] * c[j]).sum()).collect();
            // Inside, around and beyond the old support.
            let worst = (0..401)
                .map(|s| -3.0 + 6.0 * s as f64 / 400.0)
                .map(|x| (spline(from, &c, x) - spline(to, &refit, x)).abs())
                .fold(0.0, f64::max);
            assert!(worst < 1e-9, "grid {grid} order {order}: worst {worst}");
        }
    }
}
