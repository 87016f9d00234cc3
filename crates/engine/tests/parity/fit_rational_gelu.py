"""Fits the starting point of LayerLab's group-rational KAN functions to GELU.

F(x) = P(x) / (1 + |Q(x)|), P of degree 5, Q of degree 4 without constant term ("Kolmogorov-Arnold
Transformer"'s safe Padé form). Linear least squares of P(x) - GELU(x)·Q(x) = GELU(x) on 601 points of
[-3, 3] (where Q stays positive, so |Q| = Q). Prints the ten coefficients a0..a5, b1..b4 that
crates/engine/src/model.rs holds as RATIONAL_GELU; a unit test there checks max |F - GELU| < 1e-3.

Run: .tools/venv/bin/python crates/engine/tests/parity/fit_rational_gelu.py
"""

from math import erf, sqrt

import numpy as np

x = np.linspace(-3.0, 3.0, 601)
gelu = 0.5 * x * (1.0 + np.array([erf(v / sqrt(2.0)) for v in x]))
design = np.concatenate(
    [np.stack([x**n for n in range(6)], 1), np.stack([-gelu * x**n for n in range(1, 5)], 1)], 1
)
coeffs, *_ = np.linalg.lstsq(design, gelu, rcond=None)
p = sum(coeffs[n] * x**n for n in range(6))
q = sum(coeffs[5 + n] * x**n for n in range(1, 5))
assert q.min() >= 0.0, "Q must stay positive on the fitting range"
print("max error", np.abs(p / (1.0 + np.abs(q)) - gelu).max())
print("[" + ", ".join(repr(float(v)) for v in coeffs) + "]")
