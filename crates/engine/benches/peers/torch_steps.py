#!/usr/bin/env python3
"""PyTorch's time per training step (forward, loss, backward, Adam) and sgemm GFLOP/s, on
`--threads N` threads (1 by default), for the same models as benches/training.rs and
benches/gemm.rs (the engine's workloads). `cargo xtask bench` runs it in the project's
virtualenv (.tools/venv) and prints one JSON object:
{"torch": version, "flush_denormal": whether subnormals are flushed (see below), "threads": N,
"steps_us": {id: median µs}, "gemm_gflops": {id: GFLOP/s}}.
`--seconds S` is the time per figure (2 by default)."""

import argparse
import json
import statistics
import time

import torch

ARGS = argparse.ArgumentParser()
ARGS.add_argument("--threads", type=int, default=1)
ARGS.add_argument("--seconds", type=float, default=2.0)
ARGS = ARGS.parse_args()

torch.set_num_threads(ARGS.threads)
torch.manual_seed(1)
# LayerLab's engine computes no subnormal numbers (each place that could make one flushes it,
# and Adam squares no gradient under 1e-15), and these steps train on one batch over and over,
# which drives the gradients small enough for PyTorch's Adam to compute subnormals. On the Intel
# Xeon of bench/results that tripled PyTorch's large MLP step (9.7 against 3.2 ms), a cost of the
# benchmark's repeated batch rather than of PyTorch; so PyTorch flushes them too.
FLUSHED = torch.set_flush_denormal(True)

MLPS = [
    ("mlp_2-8-8-1_tanh_b10", 2, [8, 8], torch.nn.Tanh, 1, 10),
    ("mlp_2-64-64-64-2_relu_b256", 2, [64, 64, 64], torch.nn.ReLU, 2, 256),
    ("mlp_784-256-256-10_relu_b128", 784, [256, 256], torch.nn.ReLU, 10, 128),
]


def median_us(fn, seconds=None):
    seconds = ARGS.seconds if seconds is None else seconds
    for _ in range(20):
        fn()
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def mlp_step(inputs, hidden, act, outputs, batch):
    layers, width = [], inputs
    for h in hidden:
        layers += [torch.nn.Linear(width, h), act()]
        width = h
    layers.append(torch.nn.Linear(width, outputs))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    x = torch.rand(batch, inputs) * 2 - 1
    if outputs == 1:
        y = torch.randint(0, 2, (batch, 1)).float()
        loss_fn = torch.nn.BCEWithLogitsLoss()
    else:
        y = torch.randint(0, outputs, (batch,))
        loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def main():
    steps = {name: median_us(mlp_step(*rest)) for name, *rest in MLPS}
    gemm = {}
    for n in (256, 512, 1024):
        a, b, c = torch.rand(n, n), torch.rand(n, n), torch.empty(n, n)
        us = median_us(lambda: torch.mm(a, b, out=c), seconds=ARGS.seconds / 2)
        gemm[f"sgemm_{n}"] = 2 * n**3 / (us * 1e-6) / 1e9
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "flush_denormal": FLUSHED,
                "threads": ARGS.threads,
                "steps_us": steps,
                "gemm_gflops": gemm,
            }
        )
    )


if __name__ == "__main__":
    main()
