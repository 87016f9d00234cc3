#!/usr/bin/env python3
"""Generates the PyTorch parity fixtures for the LayerLab engine.

Each scenario builds a small LayerLab network (blocks plus the implied dense output head) in
PyTorch, in float64 on one thread, from initial parameters that this script draws from a fixed
numpy seed, trains it for a few steps with one optimizer, and writes one JSON file beside this
script: the network and recipe as LayerLab JSON, the batches, the initial parameters (canonical
order), the loss of every step and the final parameters and BatchNorm buffers.

Every number that goes into a run (inputs, targets, initial parameters, hyperparameters) is
exactly representable in float32, so an engine that reads the fixture in f32 starts from the very
same values as this float64 reference (inputs and regression targets lie on a 1/256 grid).

Besides writing, the script checks itself: the parameter count against an independent count from
the block list, every step's forward pass and loss against a plain-numpy re-implementation of the
semantics, and every update (penalty, clipping, optimizer) against a numpy shadow of it.

    .tools/venv/bin/python crates/engine/tests/parity/make_fixtures.py          # (re)write
    .tools/venv/bin/python crates/engine/tests/parity/make_fixtures.py --check  # compare only

See README.md beside this file.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = Path(__file__).resolve().parent

LEAKY_SLOPE = 0.01
NORM_EPS = 1e-5
BN_MOMENTUM = 0.1
CLIP_EPS = 1e-6


def f32(v):
    """The float64 value of `v` rounded to float32: what the engine's f32 spec fields hold."""
    return float(np.float32(v))


# ---------------------------------------------------------------------------------------------
# Blocks (LayerLab JSON) and helpers to write them.


def dense(units, activation, bias=True):
    return {"dense": {"units": units, "activation": activation, "bias": bias}}


def norm(kind):
    return {"norm": {"kind": kind}}


def residual(*body):
    return {"residual": {"body": list(body)}}


def parallel(merge, *branches):
    return {"parallel": {"branches": [list(b) for b in branches], "merge": merge}}


def kind_of(block):
    (kind,) = block.keys()
    return kind, block[kind]


# ---------------------------------------------------------------------------------------------
# Independent shape/parameter count, straight from the block list.


def count(blocks, width):
    """(output width, parameter count, buffer count) of a block sequence on `width` features."""
    params = buffers = 0
    for block in blocks:
        kind, b = kind_of(block)
        if kind == "dense":
            params += width * b["units"] + (b["units"] if b["bias"] else 0)
            width = b["units"]
        elif kind == "norm":
            params += width if b["kind"] == "rms" else 2 * width
            buffers += 2 * width if b["kind"] == "batch" else 0
        elif kind == "residual":
            out, p, q = count(b["body"], width)
            assert out == width, "a residual body must keep the width"
            params, buffers = params + p, buffers + q
        elif kind == "parallel":
            outs = []
            for branch in b["branches"]:
                out, p, q = count(branch, width)
                outs.append(out)
                params, buffers = params + p, buffers + q
            if b["merge"] == "sum":
                assert len(set(outs)) == 1, "summed branches must agree in width"
                width = outs[0]
            else:
                width = sum(outs)
        else:
            raise ValueError(kind)
    return width, params, buffers


# ---------------------------------------------------------------------------------------------
# Parameters in canonical order: depth-first through the blocks, then the head.


class Entry:
    """One parameter tensor: its role ("W", "b", "gamma", "beta") and initial value (numpy)."""

    def __init__(self, role, value):
        self.role, self.value = role, value


def init_params(blocks, width, rng, params, buffers):
    """Appends each block's parameters (and BatchNorm buffers) in canonical order; returns the
    output width."""
    for block in blocks:
        kind, b = kind_of(block)
        if kind == "dense":
            bound = 1.0 / math.sqrt(width)
            params.append(Entry("W", rng.uniform(-bound, bound, (width, b["units"]))))
            if b["bias"]:
                params.append(Entry("b", rng.uniform(-bound, bound, (b["units"],))))
            width = b["units"]
        elif kind == "norm":
            params.append(Entry("gamma", 1.0 + rng.uniform(-0.2, 0.2, (width,))))
            if b["kind"] != "rms":
                params.append(Entry("beta", rng.uniform(-0.2, 0.2, (width,))))
            if b["kind"] == "batch":
                buffers.append(np.zeros(width))  # running mean
                buffers.append(np.ones(width))  # running variance
        elif kind == "residual":
            init_params(b["body"], width, rng, params, buffers)
        elif kind == "parallel":
            outs = [init_params(branch, width, rng, params, buffers) for branch in b["branches"]]
            width = outs[0] if b["merge"] == "sum" else sum(outs)
    return width


def head(outputs):
    return dense(outputs, "identity")


# ---------------------------------------------------------------------------------------------
# The torch forward pass (autograd gives the gradients), consuming parameters in canonical order.

TORCH_ACT = {
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),
    "gelu": lambda z: F.gelu(z, approximate="none"),
    "silu": F.silu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "sine": torch.sin,
    "identity": lambda z: z,
}


def torch_forward(blocks, x, params, buffers):
    """`params` and `buffers` are iterators in canonical order; BatchNorm runs in training mode and
    updates its buffers in place."""
    for block in blocks:
        kind, b = kind_of(block)
        if kind == "dense":
            w = next(params)
            z = x @ w
            if b["bias"]:
                z = z + next(params)
            x = TORCH_ACT[b["activation"]](z)
        elif kind == "norm":
            d = x.shape[1]
            if b["kind"] == "layer":
                gamma, beta = next(params), next(params)
                x = F.layer_norm(x, (d,), gamma, beta, eps=NORM_EPS)
            elif b["kind"] == "rms":
                x = F.rms_norm(x, (d,), next(params), eps=NORM_EPS)
            else:
                gamma, beta = next(params), next(params)
                mean, var = next(buffers), next(buffers)
                x = F.batch_norm(x, mean, var, gamma, beta, training=True, momentum=BN_MOMENTUM, eps=NORM_EPS)
        elif kind == "residual":
            x = x + torch_forward(b["body"], x, params, buffers)
        elif kind == "parallel":
            outs = [torch_forward(branch, x, params, buffers) for branch in b["branches"]]
            if b["merge"] == "sum":
                y = outs[0]
                for o in outs[1:]:
                    y = y + o
                x = y
            else:
                x = torch.cat(outs, dim=1)
    return x


def torch_loss(loss, out, y):
    if loss == "mse":
        return F.mse_loss(out, y, reduction="mean")
    if loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(out[:, 0], y, reduction="mean")
    if loss == "cross_entropy":
        return F.cross_entropy(out, y, reduction="mean")
    raise ValueError(loss)


# ---------------------------------------------------------------------------------------------
# The same semantics in plain numpy, written from the LayerLab description, to check the torch
# configuration (slopes, epsilons, biased/unbiased variances, merge order, loss reductions).

NP_ERF = np.vectorize(math.erf)

NP_ACT = {
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
    "gelu": lambda z: 0.5 * z * (1.0 + NP_ERF(z / math.sqrt(2.0))),
    "silu": lambda z: z / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "sine": np.sin,
    "identity": lambda z: z,
}


def np_forward(blocks, x, params, buffers):
    for block in blocks:
        kind, b = kind_of(block)
        if kind == "dense":
            z = x @ next(params)
            if b["bias"]:
                z = z + next(params)
            x = NP_ACT[b["activation"]](z)
        elif kind == "norm":
            if b["kind"] == "layer":
                gamma, beta = next(params), next(params)
                mu = x.mean(axis=1, keepdims=True)
                var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
                x = (x - mu) / np.sqrt(var + NORM_EPS) * gamma + beta
            elif b["kind"] == "rms":
                gamma = next(params)
                x = x / np.sqrt((x**2).mean(axis=1, keepdims=True) + NORM_EPS) * gamma
            else:
                gamma, beta = next(params), next(params)
                rm, rv = next(buffers), next(buffers)
                n = x.shape[0]
                mu = x.mean(axis=0)
                ss = ((x - mu) ** 2).sum(axis=0)
                rm *= 1.0 - BN_MOMENTUM
                rm += BN_MOMENTUM * mu
                rv *= 1.0 - BN_MOMENTUM
                rv += BN_MOMENTUM * ss / (n - 1)
                x = (x - mu) / np.sqrt(ss / n + NORM_EPS) * gamma + beta
        elif kind == "residual":
            x = x + np_forward(b["body"], x, params, buffers)
        elif kind == "parallel":
            outs = [np_forward(branch, x, params, buffers) for branch in b["branches"]]
            x = sum(outs[1:], outs[0]) if b["merge"] == "sum" else np.concatenate(outs, axis=1)
    return x


def np_loss(loss, out, y):
    if loss == "mse":
        return float(((out - y) ** 2).mean())
    if loss == "binary_cross_entropy":
        z = out[:, 0]
        return float((np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean())
    m = out.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(out - m).sum(axis=1))
    return float((lse - out[np.arange(len(y)), y]).mean())


# ---------------------------------------------------------------------------------------------
# Schedules and optimizers.


def schedule_lr(lr, schedule, s, total):
    if schedule == "constant":
        return lr
    (kind, p), = schedule.items()
    if kind == "step":
        return lr * p["factor"] ** (s // p["every"])
    if kind == "cosine":
        w = p["warmup"]
        if s < w:
            return lr * (s + 1) / w
        return lr * 0.5 * (1.0 + math.cos(math.pi * (s - w) / max(1, total - 1 - w)))
    if kind == "exponential":
        return lr * p["gamma"] ** s
    raise ValueError(kind)


def make_optimizer(spec, tensors):
    (kind, p), = spec.items()
    if kind == "sgd":
        return torch.optim.SGD(tensors, lr=p["learning_rate"], momentum=0.0, foreach=False)
    if kind == "momentum":
        return torch.optim.SGD(
            tensors, lr=p["learning_rate"], momentum=p["momentum"], dampening=0.0, nesterov=False, foreach=False
        )
    if kind == "adam":
        return torch.optim.Adam(
            tensors,
            lr=p["learning_rate"],
            betas=(p["beta1"], p["beta2"]),
            eps=p["epsilon"],
            weight_decay=0.0,
            amsgrad=False,
            foreach=False,
        )
    if kind == "adam_w":
        return torch.optim.AdamW(
            tensors,
            lr=p["learning_rate"],
            betas=(p["beta1"], p["beta2"]),
            eps=p["epsilon"],
            weight_decay=p["weight_decay"],
            amsgrad=False,
            foreach=False,
        )
    raise ValueError(kind)


class ShadowOptimizer:
    """The optimizer update in numpy, from the formulas (torch's documented algorithms)."""

    def __init__(self, spec, params):
        (self.kind, self.p), = spec.items()
        self.m = [np.zeros_like(v) for v in params]
        self.v = [np.zeros_like(v) for v in params]
        self.t = 0

    def step(self, params, grads, lr):
        p, self.t = self.p, self.t + 1
        for i, (w, g) in enumerate(zip(params, grads)):
            if self.kind == "sgd":
                w -= lr * g
            elif self.kind == "momentum":
                self.m[i] = p["momentum"] * self.m[i] + g
                w -= lr * self.m[i]
            else:
                if self.kind == "adam_w":
                    w *= 1.0 - lr * p["weight_decay"]
                b1, b2 = p["beta1"], p["beta2"]
                self.m[i] = b1 * self.m[i] + (1 - b1) * g
                self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
                mhat = self.m[i] / (1 - b1**self.t)
                vhat = self.v[i] / (1 - b2**self.t)
                w -= lr * mhat / (np.sqrt(vhat) + p["epsilon"])


# ---------------------------------------------------------------------------------------------
# Data.


def grid(a):
    """Rounds to multiples of 1/256: exact in float32, and short in JSON."""
    return np.round(np.asarray(a) * 256.0) / 256.0 + 0.0  # + 0.0: no -0.0


def make_batches(rng, loss, inputs, outputs, steps, batch):
    """A different batch per step. Targets come from a fixed random teacher so the loss can fall."""
    teacher = rng.normal(size=(inputs, outputs))
    batches = []
    for _ in range(steps):
        x = grid(rng.uniform(-2.0, 2.0, (batch, inputs)))
        z = x @ teacher
        if loss == "mse":
            y = grid(np.tanh(z) + 0.1 * rng.normal(size=z.shape))
            batches.append((x, y))
        elif loss == "binary_cross_entropy":
            y = (z[:, 0] + 0.3 * rng.normal(size=batch) > 0).astype(np.int64)
            batches.append((x, y))
        else:
            y = np.argmax(z + 0.3 * rng.normal(size=z.shape), axis=1).astype(np.int64)
            batches.append((x, y))
    return batches


# ---------------------------------------------------------------------------------------------
# The scenarios.

ADAM = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}

SCENARIOS = [
    dict(
        name="tanh_bce_sgd",
        description="2-8-8-1 tanh MLP, binary cross-entropy, plain SGD, constant rate.",
        seed=101,
        inputs=2,
        outputs=1,
        loss="binary_cross_entropy",
        blocks=[dense(8, "tanh"), dense(8, "tanh")],
        optimizer={"sgd": {"learning_rate": 0.5}},
        schedule="constant",
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=8,
    ),
    dict(
        name="relu_leaky_ce_momentum_l2_step",
        description="2-12 relu-12 leaky_relu-3, softmax cross-entropy, momentum 0.9, L2 penalty, "
        "step schedule (halve every 2 steps).",
        seed=202,
        inputs=2,
        outputs=3,
        loss="cross_entropy",
        blocks=[dense(12, "relu"), dense(12, "leaky_relu")],
        optimizer={"momentum": {"learning_rate": 0.1, "momentum": 0.9}},
        schedule={"step": {"every": 2, "factor": 0.5}},
        l1=0.0,
        l2=0.01,
        clip_norm=None,
        steps=7,
        batch=12,
    ),
    dict(
        name="gelu_layernorm_silu_mse_adam_clip_cosine",
        description="4-12 gelu-layer norm-10 silu-2, MSE, Adam, gradient clipping (clips on some "
        "steps, not all), cosine schedule with 2 warm-up steps (rate 0 at the last step).",
        seed=303,
        inputs=4,
        outputs=2,
        loss="mse",
        blocks=[dense(12, "gelu"), norm("layer"), dense(10, "silu")],
        optimizer={"adam": {"learning_rate": 0.05, **ADAM}},
        schedule={"cosine": {"warmup": 2}},
        l1=0.0,
        l2=0.0,
        clip_norm=0.9,
        steps=8,
        batch=10,
        clip="some",
    ),
    dict(
        name="sigmoid_batchnorm_sine_bce_adamw_exponential",
        description="3-12 sigmoid-batch norm-8 sine-1, binary cross-entropy, AdamW (decoupled "
        "decay on all parameters), exponential schedule; checks the running mean/variance.",
        seed=404,
        inputs=3,
        outputs=1,
        loss="binary_cross_entropy",
        blocks=[dense(12, "sigmoid"), norm("batch"), dense(8, "sine")],
        optimizer={"adam_w": {"learning_rate": 0.02, **ADAM, "weight_decay": 0.1}},
        schedule={"exponential": {"gamma": 0.9}},
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=10,
    ),
    dict(
        name="residual_concat_rms_mse_adam_l1",
        description="3-8 tanh, residual [rms norm, 8 relu], parallel concat [[6 silu], [rms norm, "
        "4 gelu]] -> 10, head 2; MSE, Adam, L1 penalty, constant rate.",
        seed=505,
        inputs=3,
        outputs=2,
        loss="mse",
        blocks=[
            dense(8, "tanh"),
            residual(norm("rms"), dense(8, "relu")),
            parallel("concat", [dense(6, "silu")], [norm("rms"), dense(4, "gelu")]),
        ],
        optimizer={"adam": {"learning_rate": 0.01, **ADAM}},
        schedule="constant",
        l1=0.001,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=12,
    ),
    dict(
        name="parallel_sum_residual_identity_ce_sgd_cosine",
        description="4-8 identity, parallel sum [[residual [8 tanh, 8 identity]], [8 leaky_relu]], "
        "head 3; softmax cross-entropy, SGD, cosine schedule without warm-up.",
        seed=606,
        inputs=4,
        outputs=3,
        loss="cross_entropy",
        blocks=[
            dense(8, "identity"),
            parallel(
                "sum",
                [residual(dense(8, "tanh"), dense(8, "identity"))],
                [dense(8, "leaky_relu")],
            ),
        ],
        optimizer={"sgd": {"learning_rate": 0.3}},
        schedule={"cosine": {"warmup": 0}},
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=12,
    ),
    dict(
        name="nested_concat_batchnorm_momentum_l1_l2_clip",
        description="5 inputs; parallel concat [[residual [batch norm, 5 sigmoid]], [6 relu, "
        "parallel sum [[4 tanh], [4 identity, residual [4 sine]]]]] -> 9, layer norm, head 3; "
        "softmax cross-entropy, momentum 0.8, L1 and L2 together, clipping on every step, "
        "exponential schedule.",
        seed=707,
        inputs=5,
        outputs=3,
        loss="cross_entropy",
        blocks=[
            parallel(
                "concat",
                [residual(norm("batch"), dense(5, "sigmoid"))],
                [
                    dense(6, "relu"),
                    parallel("sum", [dense(4, "tanh")], [dense(4, "identity"), residual(dense(4, "sine"))]),
                ],
            ),
            norm("layer"),
        ],
        optimizer={"momentum": {"learning_rate": 0.2, "momentum": 0.8}},
        schedule={"exponential": {"gamma": 0.8}},
        l1=0.002,
        l2=0.02,
        clip_norm=0.25,
        steps=6,
        batch=10,
        clip="all",
    ),
    dict(
        name="sine_rms_residual_layernorm_mse_adamw_l2_clip_step",
        description="2-8 sine, rms norm, residual [8 gelu, layer norm], 6 silu, head 3; MSE, "
        "AdamW, L2 penalty as well as decay, gradient clipping (some steps), step schedule "
        "(x0.7 every 3 steps).",
        seed=808,
        inputs=2,
        outputs=3,
        loss="mse",
        blocks=[
            dense(8, "sine"),
            norm("rms"),
            residual(dense(8, "gelu"), norm("layer")),
            dense(6, "silu"),
        ],
        optimizer={"adam_w": {"learning_rate": 0.03, **ADAM, "weight_decay": 0.05}},
        schedule={"step": {"every": 3, "factor": 0.7}},
        l1=0.0,
        l2=0.005,
        clip_norm=0.9,
        steps=7,
        batch=8,
        clip="some",
    ),
]


# ---------------------------------------------------------------------------------------------
# Running one scenario.


def round_hyper(obj):
    """Rounds every real hyperparameter to float32 (the spec's fields are f32); integers stay."""
    if isinstance(obj, dict):
        return {k: round_hyper(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return f32(obj)
    return obj


def close(a, b, what, rtol=1e-10, atol=1e-12):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: torch and the numpy reference disagree\n{a}\n{b}")


def run(sc):
    rng = np.random.default_rng(sc["seed"])
    blocks, loss = sc["blocks"], sc["loss"]
    optimizer = round_hyper(sc["optimizer"])
    schedule = round_hyper(sc["schedule"])
    l1, l2 = f32(sc["l1"]), f32(sc["l2"])
    clip = None if sc["clip_norm"] is None else f32(sc["clip_norm"])
    steps, batch = sc["steps"], sc["batch"]

    # Parameters, canonical order; every value rounded to float32.
    entries, buffers0 = [], []
    width = init_params(blocks, sc["inputs"], rng, entries, buffers0)
    init_params([head(sc["outputs"])], width, rng, entries, buffers0)
    for e in entries:
        e.value = np.vectorize(f32)(e.value)
        assert e.role != "W" or np.all(e.value != 0.0), "a weight of exactly 0 would test sign(0)"
    all_blocks = blocks + [head(sc["outputs"])]
    out_width, n_params, n_buffers = count(all_blocks, sc["inputs"])
    assert out_width == sc["outputs"]
    assert sum(e.value.size for e in entries) == n_params, "parameter count differs from the block list"
    assert sum(b.size for b in buffers0) == n_buffers
    batches = make_batches(rng, loss, sc["inputs"], sc["outputs"], steps, batch)

    tensors = [torch.tensor(e.value, requires_grad=True) for e in entries]
    tbuffers = [torch.tensor(b) for b in buffers0]
    opt = make_optimizer(optimizer, tensors)

    shadow = [e.value.copy() for e in entries]
    shadow_buffers = [b.copy() for b in buffers0]
    shadow_opt = ShadowOptimizer(optimizer, shadow)

    losses, norms, clipped = [], [], []
    for s, (x, y) in enumerate(batches):
        lr = schedule_lr(optimizer[next(iter(optimizer))]["learning_rate"], schedule, s, steps)
        for group in opt.param_groups:
            group["lr"] = lr

        opt.zero_grad(set_to_none=True)
        tx = torch.tensor(x)
        ty = torch.tensor(y) if loss != "binary_cross_entropy" else torch.tensor(y, dtype=torch.float64)
        params_it, buffers_it = iter(tensors), iter(tbuffers)
        out = torch_forward(all_blocks, tx, params_it, buffers_it)
        assert next(params_it, None) is None and next(buffers_it, None) is None, "parameters left over"
        value = torch_loss(loss, out, ty)
        value.backward()
        losses.append(value.item())

        # Independent forward + loss on the shadow parameters (which track torch's).
        sp, sb = iter(shadow), iter(shadow_buffers)
        np_out = np_forward(all_blocks, x, sp, sb)
        close(np_out, out.detach().numpy(), f"{sc['name']} step {s} outputs")
        close(np_loss(loss, np_out, y), value.item(), f"{sc['name']} step {s} loss")
        for i, (a, b) in enumerate(zip(shadow_buffers, tbuffers)):
            close(a, b.numpy(), f"{sc['name']} step {s} buffer {i}")

        # Penalty on dense weights only, then clipping of the global norm of all gradients.
        raw = [t.grad.detach().numpy().copy() for t in tensors]
        with torch.no_grad():
            for e, t in zip(entries, tensors):
                if e.role == "W" and (l1 != 0.0 or l2 != 0.0):
                    t.grad.add_(l1 * torch.sign(t) + l2 * t)
        total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(t.grad) for t in tensors])).item()
        norms.append(total)
        if clip is not None:
            # Stay clear of torch's edge (clip - 1e-6, clip], where it would scale by a hair.
            assert abs(total - clip) > 0.02 * clip, f"{sc['name']} step {s}: norm {total} too close to clip {clip}"
            torch.nn.utils.clip_grad_norm_(tensors, max_norm=clip, norm_type=2.0, foreach=False)
            clipped.append(total > clip)
        opt.step()

        grads = []
        for e, g, w in zip(entries, raw, shadow):
            if e.role == "W":
                g = g + (l1 * np.sign(w) + l2 * w)
            grads.append(g)
        shadow_norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
        close(shadow_norm, total, f"{sc['name']} step {s} gradient norm")
        if clip is not None and shadow_norm > clip:
            grads = [g * (clip / (shadow_norm + CLIP_EPS)) for g in grads]
        shadow_opt.step(shadow, grads, lr)
        for i, (a, t) in enumerate(zip(shadow, tensors)):
            close(a, t.detach().numpy(), f"{sc['name']} step {s} parameter {i}")

    for v in losses + norms:
        assert math.isfinite(v)
    if sc.get("clip") == "some":
        assert any(clipped) and not all(clipped), f"{sc['name']}: clipped {clipped}, want some but not all"
    elif sc.get("clip") == "all":
        assert all(clipped), f"{sc['name']}: clipped {clipped}, want all"

    def listed(a):
        return a.tolist()

    training = {
        "optimizer": optimizer,
        "schedule": schedule,
        "batch_size": batch,
        "l1": l1,
        "l2": l2,
        "clip_norm": clip,
        "length": {"steps": steps},
    }
    return {
        "name": sc["name"],
        "description": sc["description"],
        "inputs": sc["inputs"],
        "outputs": sc["outputs"],
        "loss": loss,
        "blocks": blocks,
        "training": training,
        "batches": [{"x": listed(x), "y": listed(y)} for x, y in batches],
        "param_shapes": [list(e.value.shape) for e in entries],
        "params": [listed(e.value.reshape(-1)) for e in entries],
        "buffers": [listed(b) for b in buffers0],
        "losses": losses,
        "grad_norms": norms,
        "clipped": clipped,
        "final_params": [listed(t.detach().numpy().reshape(-1)) for t in tensors],
        "final_buffers": [listed(b.numpy()) for b in tbuffers],
    }


KEY_ORDER = [
    "name",
    "description",
    "inputs",
    "outputs",
    "loss",
    "blocks",
    "training",
    "batches",
    "param_shapes",
    "params",
    "buffers",
    "losses",
    "grad_norms",
    "clipped",
    "final_params",
    "final_buffers",
]


def render(fixture):
    """One top-level key per line (batches and parameter arrays one per line), numbers as Python's
    shortest round-trip repr: full float64 precision, same bytes on every run."""
    assert list(fixture) == KEY_ORDER

    def dump(v):
        return json.dumps(v, allow_nan=False, separators=(",", ":"))

    lines = []
    for key in KEY_ORDER:
        value = fixture[key]
        if key in ("batches", "params", "final_params", "buffers", "final_buffers") and value:
            inner = ",\n    ".join(dump(v) for v in value)
            lines.append(f'  {dump(key)}: [\n    {inner}\n  ]')
        else:
            lines.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files on disk; write nothing")
    args = parser.parse_args()

    names = [sc["name"] for sc in SCENARIOS]
    assert len(set(names)) == len(names)
    stale = []
    for sc in SCENARIOS:
        text = render(run(sc))
        json.loads(text)  # well-formed
        path = HERE / f"{sc['name']}.json"
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
        print(f"{'checked' if args.check else 'wrote'} {path.name} ({len(text)} bytes)")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
