#!/usr/bin/env python3
"""Writes numpy's answers for the layer metrics on a few random matrices to numpy.json, which
crates/engine/tests/metrics_math.rs reproduces. Inputs are float32-exact, written in full.

    .tools/venv/bin/python crates/engine/tests/metrics/make_fixtures.py   # numpy 2.4.6
"""

import json
from pathlib import Path

import numpy as np

rng = np.random.default_rng(20261126)
TOL = 1e-3


def ranks(a):
    s = np.linalg.svd(a - a.mean(axis=0), compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]
    return {
        "singular_values_centred": s.tolist(),
        "effective": float(np.exp(-(p * np.log(p)).sum())),
        "stable": float((s**2).sum() / s[0] ** 2),
        "numerical": int((s > TOL * s[0]).sum()),
    }


def cka(x, y):
    x, y = x - x.mean(axis=0), y - y.mean(axis=0)
    return float(np.linalg.norm(y.T @ x) ** 2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))


cases = []
for rows, cols in [(12, 5), (8, 10), (30, 30), (64, 16)]:
    a = rng.standard_normal((rows, cols)).astype(np.float32).astype(np.float64)
    b = np.tanh(a @ rng.standard_normal((cols, 7))).astype(np.float32).astype(np.float64)
    cases.append({"rows": rows, "cols": cols, "a": a.ravel().tolist(), "b_cols": 7, "b": b.ravel().tolist(),
                  **ranks(a), "cka_ab": cka(a, b)})
Path(__file__).with_name("numpy.json").write_text(json.dumps({"numpy": np.__version__, "cases": cases}) + "\n")
