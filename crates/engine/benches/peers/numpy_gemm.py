#!/usr/bin/env python3
"""numpy's single-precision matrix multiply (OpenBLAS sgemm) in GFLOP/s at 256³, 512³ and 1024³,
the peer of the engine's sgemm in `cargo xtask bench`. Run it with OPENBLAS_NUM_THREADS=1 (one
thread) and without OPENBLAS_CORETYPE (which would pin older kernels; see
../shared/TOOLCHAIN.md). Prints one JSON object:
{"numpy": version, "blas": name, "gemm_gflops": {id: GFLOP/s}}."""

import json
import statistics
import sys
import time

import numpy as np


def median_s(fn, seconds):
    for _ in range(5):
        fn()
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < 5:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    rng = np.random.default_rng(1)
    gemm = {}
    for n in (256, 512, 1024):
        a = rng.random((n, n), dtype=np.float32)
        b = rng.random((n, n), dtype=np.float32)
        c = np.empty((n, n), dtype=np.float32)
        s = median_s(lambda: np.matmul(a, b, out=c), seconds)
        gemm[f"sgemm_{n}"] = 2 * n**3 / s / 1e9
    config = np.show_config(mode="dicts") or {}
    blas = config.get("Build Dependencies", {}).get("blas", {}).get("name", "?")
    print(json.dumps({"numpy": np.__version__, "blas": blas, "gemm_gflops": gemm}))


if __name__ == "__main__":
    main()
