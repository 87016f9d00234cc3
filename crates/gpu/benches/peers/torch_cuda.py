#!/usr/bin/env python3
"""The GPU benchmark's peer on a machine with an NVIDIA GPU: PyTorch on CUDA, the same figures
as benches/gpu.rs measures for LayerLab through Vulkan — sgemm GFLOP/s at 256³ to 2048³ (cuBLAS,
TF32 off, so f32 against f32) and ms per training step of the benchmark MLPs (forward, loss,
backward, Adam; no read-back). Run it beside `cargo bench -p layerlab-gpu --bench gpu` on the same
machine and compare the ratios; it prints one line per figure."""

import statistics
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.manual_seed(1)

MLPS = [
    ("mlp_2-8-8-1_tanh_b10", 2, [8, 8], torch.nn.Tanh, 1, 10),
    ("mlp_2-64-64-64-2_relu_b256", 2, [64, 64, 64], torch.nn.ReLU, 2, 256),
    ("mlp_784-256-256-10_relu_b128", 784, [256, 256], torch.nn.ReLU, 10, 128),
]


def seconds_each(fn, total=0.05):
    """Median seconds per call over rounds of about `total` seconds, after a warm-up."""
    for _ in range(10):
        fn()
    torch.cuda.synchronize()
    t = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    reps = max(1, min(1000, int(total / max(time.perf_counter() - t, 1e-6))))
    rounds = []
    for _ in range(5):
        torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        torch.cuda.synchronize()
        rounds.append((time.perf_counter() - t) / reps)
    return statistics.median(rounds)


def main():
    device = torch.device("cuda")
    props = torch.cuda.get_device_properties(0)
    print(f"torch {torch.__version__} on {props.name}, {props.multi_processor_count} multiprocessors")
    for n in [256, 512, 1024, 2048]:
        a = torch.rand(n, n, device=device)
        b = torch.rand(n, n, device=device)
        s = seconds_each(lambda: a @ b)
        print(f"torch sgemm {n}³: {2 * n**3 / s / 1e9:.1f} GFLOP/s ({s * 1e3:.3f} ms)")
    for name, inputs, hidden, act, outputs, batch in MLPS:
        layers, width = [], inputs
        for h in hidden:
            layers += [torch.nn.Linear(width, h), act()]
            width = h
        layers.append(torch.nn.Linear(width, outputs))
        model = torch.nn.Sequential(*layers).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        x = torch.rand(batch, inputs, device=device) * 2 - 1
        if outputs == 1:
            y = torch.randint(0, 2, (batch, 1), device=device).float()
            loss_fn = torch.nn.BCEWithLogitsLoss()
        else:
            y = torch.randint(0, outputs, (batch,), device=device)
            loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=False)
            loss_fn(model(x), y).backward()
            opt.step()

        print(f"torch {name}: {seconds_each(step) * 1e3:.3f} ms per step on CUDA")


if __name__ == "__main__":
    main()
