//! The metric functions on matrices with known answers, and against numpy on stored fixtures
//! (`tests/metrics/make_fixtures.py`).

use layerlab_engine::init;
use layerlab_engine::metrics::{Matrix, RankConfig, cka_matrix, linear_cka, ranks, singular_values, sparsity};
use layerlab_engine::rng::{Stream, rng};
use layerlab_spec::train::Init;

const RAW: RankConfig = RankConfig { centre: false, tolerance: 1e-3 };

/// rows × cols = U diag(s) Vᵀ with random orthonormal U (rows × k) and V (cols × k), k = s.len().
fn with_spectrum(rows: usize, cols: usize, s: &[f64], seed: u64) -> Vec<f32> {
    let k = s.len();
    let u = init::weights(Init::Orthogonal, rows, k, &mut rng(seed, Stream::Init));
    let v = init::weights(Init::Orthogonal, cols, k, &mut rng(seed + 1, Stream::Init));
    (0..rows * cols)
        .map(|i| {
            let (r, c) = (i / cols, i % cols);
            (0..k).map(|j| u[r * k + j] * s[j] * v[c * k + j]).sum::<f64>() as f32
        })
        .collect()
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol * want.abs().max(1.0), "{what}: {got}, want {want}");
}

#[test]
fn ranks_of_constructed_spectra() {
    // (what, rows, cols, singular values, effective (-1: from the entropy), stable, numerical)
    type Case = (&'static str, usize, usize, &'static [f64], f64, f64, usize);
    let cases: &[Case] = &[
        ("3·I_6", 6, 6, &[3.0; 6], 6.0, 6.0, 6),
        ("rank 3, equal", 20, 10, &[2.0, 2.0, 2.0], 3.0, 3.0, 3),
        ("rank 1", 8, 12, &[5.0], 1.0, 1.0, 1),
        ("decaying", 16, 16, &[4.0, 2.0, 1.0], -1.0, (16.0 + 4.0 + 1.0) / 16.0, 3),
        ("below tolerance", 10, 10, &[1.0, 1e-4], -1.0, 1.0 + 1e-8, 1),
    ];
    for &(what, rows, cols, s, effective, stable, numerical) in cases {
        let data = if what == "3·I_6" {
            (0..36).map(|i| if i % 7 == 0 { 3.0 } else { 0.0 }).collect()
        } else {
            with_spectrum(rows, cols, s, 9)
        };
        let r = ranks(Matrix { data: &data, rows, cols }, RAW);
        let total: f64 = s.iter().sum();
        let entropy: f64 = s.iter().map(|v| v / total).map(|p| -p * p.ln()).sum();
        let effective = if effective < 0.0 { entropy.exp() } else { effective };
        close(r.effective, effective, 1e-5, &format!("{what}: effective"));
        close(r.stable, stable, 1e-5, &format!("{what}: stable"));
        assert_eq!(r.numerical, numerical, "{what}: numerical");
        let sv = singular_values(Matrix { data: &data, rows, cols });
        for (got, want) in sv.iter().zip(s) {
            close(*got, *want, 1e-5, &format!("{what}: singular value"));
        }
    }
}

#[test]
fn centring_removes_a_constant_offset() {
    let data: Vec<f32> = (0..40).map(|i| 7.0 + (i % 4) as f32 * 0.0).collect();
    let m = Matrix { data: &data, rows: 10, cols: 4 };
    assert_eq!(ranks(m, RAW).numerical, 1, "a constant matrix has rank 1");
    assert_eq!(ranks(m, RankConfig::default()).numerical, 0, "centred, nothing is left");
    assert_eq!(ranks(Matrix { data: &[], rows: 0, cols: 3 }, RAW).numerical, 0);
    let nan = [f32::NAN, 1.0, 2.0, 3.0];
    assert!(ranks(Matrix { data: &nan, rows: 2, cols: 2 }, RAW).effective.is_nan());
}

#[test]
fn cka_is_one_on_itself_and_invariant_to_rotation_and_scale() {
    let (rows, cols) = (40, 6);
    let x = with_spectrum(rows, cols, &[3.0, 2.0, 1.5, 1.0, 0.5, 0.2], 3);
    let q = init::weights(Init::Orthogonal, cols, cols, &mut rng(5, Stream::Init));
    let rotated: Vec<f32> = (0..rows * cols)
        .map(|i| {
            let (r, c) = (i / cols, i % cols);
            (0..cols).map(|k| f64::from(x[r * cols + k]) * q[k * cols + c]).sum::<f64>() as f32 * 3.5
        })
        .collect();
    let unrelated = with_spectrum(rows, cols, &[1.0; 6], 77);
    let m = [
        Matrix { data: &x, rows, cols },
        Matrix { data: &rotated, rows, cols },
        Matrix { data: &unrelated, rows, cols },
    ];
    close(linear_cka(m[0], m[0]), 1.0, 1e-6, "self");
    close(linear_cka(m[0], m[1]), 1.0, 1e-5, "rotated and scaled");
    let other = linear_cka(m[0], m[2]);
    assert!(other < 0.9, "unrelated: {other}");
    let all = cka_matrix(&m);
    assert_eq!(all[0][2], all[2][0]);
    let first4 = Matrix { data: &x[..4 * cols], rows: 4, cols };
    assert_eq!(linear_cka(Matrix { data: &[1.0; 8], rows: 4, cols: 2 }, first4), 0.0, "a constant layer");
}

#[test]
fn sparsity_and_dead_units_on_hand_made_activations() {
    // 3 examples × 4 units: unit 1 never positive, unit 3 only negative.
    let data = [0.0, 0.0, 0.5, -1.0, 2.0, 0.0, 0.0005, -2.0, 1.0, -0.3, 0.0, -0.1];
    let s = sparsity(Matrix { data: &data, rows: 3, cols: 4 }, 1e-3);
    close(s.zeros, 4.0 / 12.0, 1e-12, "zeros");
    close(s.near_zero, 5.0 / 12.0, 1e-12, "near zero");
    assert_eq!(s.dead_units, 2);
}

#[test]
fn numpy_agrees() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/metrics/numpy.json");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
    };
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 4);
    for case in cases {
        let (rows, cols) =
            (case["rows"].as_u64().expect("rows") as usize, case["cols"].as_u64().expect("cols") as usize);
        let a: Vec<f32> = floats(&case["a"]).iter().map(|&v| v as f32).collect();
        let b: Vec<f32> = floats(&case["b"]).iter().map(|&v| v as f32).collect();
        let ma = Matrix { data: &a, rows, cols };
        let mb = Matrix { data: &b, rows, cols: case["b_cols"].as_u64().expect("b_cols") as usize };
        let what = format!("{rows}×{cols}");
        let r = ranks(ma, RankConfig::default());
        close(r.effective, case["effective"].as_f64().expect("effective"), 1e-6, &format!("{what} effective"));
        close(r.stable, case["stable"].as_f64().expect("stable"), 1e-6, &format!("{what} stable"));
        assert_eq!(r.numerical as u64, case["numerical"].as_u64().expect("numerical"), "{what} numerical");
        close(linear_cka(ma, mb), case["cka_ab"].as_f64().expect("cka"), 1e-6, &format!("{what} CKA"));
    }
}
