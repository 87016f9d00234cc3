//! The numbers behind the layer metrics, as plain functions over a host matrix (rows are probe
//! examples, columns features): singular values (from nalgebra's symmetric eigensolver on the
//! Gram matrix), the three ranks, sparsity and
//! dead units, and linear CKA.
//!
//! - Effective rank (Roy and Vetterli, "The effective rank: a measure of effective
//!   dimensionality"): `exp(H(p))` with `p_i = σ_i / Σσ`.
//! - Stable rank: `‖A‖_F² / ‖A‖_2² = Σσ² / σ_max²`.
//! - Numerical rank: the number of `σ_i > tol · σ_max`.
//! - Linear CKA (Kornblith et al., "Similarity of Neural Network Representations Revisited"):
//!   `‖YᵀX‖_F² / (‖XᵀX‖_F ‖YᵀY‖_F)` on column-centred X and Y.

use nalgebra::DMatrix;

/// A rows × cols row-major matrix borrowed from a layer's output.
#[derive(Debug, Clone, Copy)]
pub struct Matrix<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
}

/// How ranks are measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankConfig {
    /// Subtract each column's mean first: the rank of the representation, as the rank-collapse
    /// papers measure it (a constant offset would otherwise count as a direction).
    pub centre: bool,
    /// Singular values above this share of the largest count towards the numerical rank.
    pub tolerance: f64,
}

impl Default for RankConfig {
    fn default() -> Self {
        Self { centre: true, tolerance: 1e-3 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Ranks {
    pub effective: f64,
    pub stable: f64,
    pub numerical: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Sparsity {
    /// Share of entries exactly 0.
    pub zeros: f64,
    /// Share of entries with |a| below the tolerance.
    pub near_zero: f64,
    /// Columns never above 0 on the batch.
    pub dead_units: usize,
}

fn to_matrix(m: Matrix<'_>, centre: bool) -> DMatrix<f64> {
    let mut a = DMatrix::from_fn(m.rows, m.cols, |r, c| f64::from(m.data[r * m.cols + c]));
    if centre && m.rows > 0 {
        for mut col in a.column_iter_mut() {
            let mean = col.sum() / m.rows as f64;
            col.add_scalar_mut(-mean);
        }
    }
    a
}

/// Singular values, largest first. Empty for an empty matrix; NaN entries give NaN values.
pub fn singular_values(m: Matrix<'_>) -> Vec<f64> {
    sorted_singular_values(&to_matrix(m, false))
}

fn sorted_singular_values(a: &DMatrix<f64>) -> Vec<f64> {
    if a.is_empty() {
        return Vec::new();
    }
    if a.iter().any(|v| !v.is_finite()) {
        return vec![f64::NAN; a.nrows().min(a.ncols())];
    }
    // σ² are the eigenvalues of the smaller Gram matrix (AᵀA or AAᵀ): a symmetric
    // eigendecomposition, several times cheaper than an SVD, and in f64 precise enough for ranks
    // at the tolerances used here (the numpy fixtures hold it to 1e-6).
    let gram = if a.nrows() >= a.ncols() { a.transpose() * a } else { a * a.transpose() };
    let mut s: Vec<f64> = gram.symmetric_eigenvalues().iter().map(|&l| l.max(0.0).sqrt()).collect();
    s.sort_by(|x, y| y.total_cmp(x));
    s
}

/// The three ranks; all 0 for a matrix of zeros (or a constant one, when centring).
pub fn ranks(m: Matrix<'_>, cfg: RankConfig) -> Ranks {
    let s = sorted_singular_values(&to_matrix(m, cfg.centre));
    let max = s.first().copied().unwrap_or(0.0);
    if s.iter().any(|v| v.is_nan()) {
        return Ranks { effective: f64::NAN, stable: f64::NAN, numerical: 0 };
    }
    if max <= 0.0 {
        return Ranks { effective: 0.0, stable: 0.0, numerical: 0 };
    }
    let total: f64 = s.iter().sum();
    let entropy: f64 = s.iter().filter(|&&v| v > 0.0).map(|&v| v / total).map(|p| -p * p.ln()).sum();
    Ranks {
        effective: entropy.exp(),
        stable: s.iter().map(|v| v * v).sum::<f64>() / (max * max),
        numerical: s.iter().filter(|&&v| v > cfg.tolerance * max).count(),
    }
}

pub fn sparsity(m: Matrix<'_>, tol: f32) -> Sparsity {
    let n = (m.rows * m.cols).max(1) as f64;
    let data = &m.data[..m.rows * m.cols];
    let zeros = data.iter().filter(|&&v| v == 0.0).count() as f64 / n;
    let near_zero = data.iter().filter(|v| v.abs() < tol).count() as f64 / n;
    let dead_units = (0..m.cols).filter(|&c| (0..m.rows).all(|r| data[r * m.cols + c] <= 0.0)).count();
    Sparsity { zeros, near_zero, dead_units }
}

/// Linear CKA of two representations of the same rows; 0 when either is constant.
pub fn linear_cka(x: Matrix<'_>, y: Matrix<'_>) -> f64 {
    assert_eq!(x.rows, y.rows, "CKA compares representations of the same examples");
    let (x, y) = (to_matrix(x, true), to_matrix(y, true));
    let cross = (y.transpose() * &x).norm_squared();
    let (xx, yy) = ((x.transpose() * &x).norm(), (y.transpose() * &y).norm());
    if xx <= 0.0 || yy <= 0.0 { 0.0 } else { cross / (xx * yy) }
}

/// CKA between every pair of layers: symmetric, ones on the diagonal for non-constant layers.
pub fn cka_matrix(layers: &[Matrix<'_>]) -> Vec<Vec<f64>> {
    let n = layers.len();
    let mut out = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i..n {
            let v = linear_cka(layers[i], layers[j]);
            out[i][j] = v;
            out[j][i] = v;
        }
    }
    out
}
