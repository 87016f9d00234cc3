"""Fits the polynomial of the engine's f32 tanh (`tanh_f32` in crates/kernels/src/real.rs).

Below |x| = 0.9 the engine computes tanh(x) = x + x·t·P(t) with t = x². This script fits the
degree-6 P near-minimax (iteratively reweighted least squares on Chebyshev nodes, weighted for
the relative error of tanh), rounds it to f32, evaluates it in f32 as the engine does (Horner),
and prints the coefficients with the worst error in ulps on 2 million random f32 points; the
engine's own test checks every 127th f32 up to 10.5 against f64's tanh.

    python3 crates/engine/tests/parity/fit_tanh.py
"""

import numpy as np

LIMIT = 0.9
DEGREE = 6


def fit():
    x = np.cos(np.linspace(0, np.pi, 4000)) * LIMIT / 2 + LIMIT / 2
    x = x[x > 1e-4]
    t = x * x
    target = (np.tanh(x) / x - 1) / t
    weights = np.ones_like(t)
    vander = np.vander(t, DEGREE + 1, increasing=True)
    for _ in range(60):
        w = weights * t
        coef, *_ = np.linalg.lstsq(vander * w[:, None], target * w, rcond=None)
        err = np.abs((vander @ coef - target) * t)
        weights = weights * np.sqrt(err / err.max()) + 1e-12
    return coef.astype(np.float32)


def worst_ulps(coef):
    rng = np.random.default_rng(1)
    xs = rng.uniform(0, LIMIT, 2_000_000).astype(np.float32)
    xs = np.concatenate([xs, (LIMIT * np.logspace(-8, 0, 100_000)).astype(np.float32)])
    ts = xs * xs
    p = np.full_like(xs, coef[-1])
    for c in coef[-2::-1]:
        p = p * ts + c
    y = xs + xs * (ts * p)
    exact = np.tanh(xs.astype(np.float64))
    ulp = np.spacing(exact.astype(np.float32)).astype(np.float64)
    return (np.abs(y.astype(np.float64) - exact) / ulp).max()


if __name__ == "__main__":
    coef = fit()
    print("P =", [float(c) for c in coef])
    print(f"worst error below |x| = {LIMIT}: {worst_ulps(coef):.3f} ulp")
