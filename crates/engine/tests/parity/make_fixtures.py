#!/usr/bin/env python3
"""Generates the PyTorch parity fixtures for the LayerLab engine.

Each scenario builds a small LayerLab network (blocks plus the implied dense output head) in
PyTorch, in float64 on one thread, from initial parameters that this script draws from a fixed
numpy seed, trains it for a few steps with one optimizer, and writes one JSON file beside this
script: the network and recipe as LayerLab JSON, the batches, the initial parameters (canonical
order), the loss of every step and the final parameters and BatchNorm buffers.

Every number that goes into a run (inputs, targets, initial parameters, hyperparameters) is
exactly representable in float32, so an engine that reads the fixture in f32 starts from the very
same values as this float64 reference (inputs and regression targets lie on a 1/256 grid; token
ids are small integers).

Besides flat vectors, a scenario may take token ids (`vocab`: embed, attention, mixer, pool) or a
flat square image (patchify), and may answer with the last `answer` tokens of a sequence (a
sequence task: cross-entropy over every answer token).

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


def embed(dim):
    return {"embed": {"dim": dim}}


def pool(mode):
    return {"pool": {"mode": mode}}


def attention(heads, causal, skip, mlp_hidden):
    return {"attention": {"heads": heads, "causal": causal, "skip": skip, "mlp_hidden": mlp_hidden}}


def mixer(token_hidden, channel_hidden):
    return {"mixer": {"token_hidden": token_hidden, "channel_hidden": channel_hidden}}


def patchify(patch, dim):
    return {"patchify": {"patch": patch, "dim": dim}}


def kan_spline(units, grid, order):
    return {"kan": {"units": units, "basis": "b_spline", "grid": grid, "order": order}}


def kan_rational(units, groups):
    return {"kan": {"units": units, "basis": "group_rational", "groups": groups}}


def answer(keep):
    """Internal only (never written to a fixture): a sequence task keeps its last `keep` tokens
    before the output head."""
    return {"answer": {"keep": keep}}


def kind_of(block):
    (kind,) = block.keys()
    return kind, block[kind]


# ---------------------------------------------------------------------------------------------
# Shapes of one example: ("flat", n), ("seq", len, dim) or ("tokens", len, vocab).


def width_of(shape):
    assert shape[0] in ("flat", "seq"), f"{shape}: token ids need an embed block first"
    return shape[-1]


def with_width(shape, width):
    """The same shape with another per-token width (per-token blocks on a sequence)."""
    return ("flat", width) if shape[0] == "flat" else ("seq", shape[1], width)


def knots(grid, order):
    """The uniform B-spline knots t_m = -1 + (m - K)·(2/G), m = 0..G+2K: the grid on [-1, 1]
    extended by K knots on each side."""
    return -1.0 + (np.arange(grid + 2 * order + 1) - order) * (2.0 / grid)


# ---------------------------------------------------------------------------------------------
# Independent shape/parameter count, straight from the block list.


def count(blocks, shape):
    """(output shape, parameter count, buffer count) of a block sequence on `shape`."""
    params = buffers = 0
    for block in blocks:
        kind, b = kind_of(block)
        if shape[0] == "tokens":
            assert kind == "embed", "token ids go into an embed block"
        if kind == "embed":
            _, length, vocab = shape
            params += vocab * b["dim"] + length * b["dim"]
            shape = ("seq", length, b["dim"])
        elif kind == "pool":
            assert shape[0] == "seq"
            shape = ("flat", shape[2])
        elif kind == "answer":
            assert shape[0] == "seq" and shape[1] >= b["keep"], "the answer must fit in the sequence"
            shape = ("seq", b["keep"], shape[2])
        elif kind == "attention":
            assert shape[0] == "seq"
            d, m = shape[2], b["mlp_hidden"]
            assert d % b["heads"] == 0
            params += d * 3 * d + 3 * d + d * d + d  # Wqkv, bqkv, Wo, bo
            if m > 0:
                params += d * m + m + m * d + d
        elif kind == "mixer":
            assert shape[0] == "seq"
            _, length, d = shape
            t, c = b["token_hidden"], b["channel_hidden"]
            params += 2 * d + (length * t + t) + (t * length + length)  # LN1, token MLP
            params += 2 * d + (d * c + c) + (c * d + d)  # LN2, channel MLP
        elif kind == "patchify":
            assert shape[0] == "flat"
            side, p = math.isqrt(shape[1]), b["patch"]
            assert side * side == shape[1] and side % p == 0
            params += p * p * b["dim"] + b["dim"]
            shape = ("seq", (side // p) ** 2, b["dim"])
        elif kind == "kan":
            width = width_of(shape)
            if b["basis"] == "b_spline":
                params += width * (b["grid"] + b["order"] + 1) * b["units"]
            else:
                assert width % b["groups"] == 0
                params += 10 * b["groups"] + width * b["units"] + b["units"]
            shape = with_width(shape, b["units"])
        elif kind == "dense":
            width = width_of(shape)
            params += width * b["units"] + (b["units"] if b["bias"] else 0)
            shape = with_width(shape, b["units"])
        elif kind == "norm":
            width = width_of(shape)
            params += width if b["kind"] == "rms" else 2 * width
            assert b["kind"] != "batch" or shape[0] == "flat", "BatchNorm here takes flat vectors"
            buffers += 2 * width if b["kind"] == "batch" else 0
        elif kind == "residual":
            out, p, q = count(b["body"], shape)
            assert out == shape, "a residual body must keep the shape"
            params, buffers = params + p, buffers + q
        elif kind == "parallel":
            outs = []
            for branch in b["branches"]:
                out, p, q = count(branch, shape)
                assert out[:-1] == shape[:-1], "branches keep the number of tokens"
                outs.append(width_of(out))
                params, buffers = params + p, buffers + q
            if b["merge"] == "sum":
                assert len(set(outs)) == 1, "summed branches must agree in width"
                shape = with_width(shape, outs[0])
            else:
                shape = with_width(shape, sum(outs))
        else:
            raise ValueError(kind)
    return shape, params, buffers


# ---------------------------------------------------------------------------------------------
# Parameters in canonical order: depth-first through the blocks, then the head.


class Entry:
    """One parameter tensor: its role and initial value (numpy). The roles: "W" (a weight matrix,
    embedding tables included: the L1/L2 penalty applies to these), "b", "gamma", "beta" and
    "coeffs" (the group-rational coefficients)."""

    def __init__(self, role, value):
        self.role, self.value = role, value


def rational_gelu():
    """a0..a5, b1..b4 of P/(1+|Q|) fitted to GELU on [-3, 3] (fit_rational_gelu.py's least
    squares): the centre the group-rational coefficients are drawn around."""
    x = np.linspace(-3.0, 3.0, 601)
    gelu = 0.5 * x * (1.0 + np.array([math.erf(v / math.sqrt(2.0)) for v in x]))
    design = np.concatenate(
        [np.stack([x**n for n in range(6)], 1), np.stack([-gelu * x**n for n in range(1, 5)], 1)], 1
    )
    return np.linalg.lstsq(design, gelu, rcond=None)[0]


def init_linear(fan_in, units, rng, params, bias=True):
    """A dense map's W (fan_in × units) and b, uniform ±1/√fan_in."""
    bound = 1.0 / math.sqrt(fan_in)
    params.append(Entry("W", rng.uniform(-bound, bound, (fan_in, units))))
    if bias:
        params.append(Entry("b", rng.uniform(-bound, bound, (units,))))


def init_norm(width, rng, params, with_beta=True):
    params.append(Entry("gamma", 1.0 + rng.uniform(-0.2, 0.2, (width,))))
    if with_beta:
        params.append(Entry("beta", rng.uniform(-0.2, 0.2, (width,))))


def init_params(blocks, shape, rng, params, buffers):
    """Appends each block's parameters (and BatchNorm buffers) in canonical order; returns the
    output shape."""
    for block in blocks:
        kind, b = kind_of(block)
        if kind == "dense":
            init_linear(width_of(shape), b["units"], rng, params, b["bias"])
            shape = with_width(shape, b["units"])
        elif kind == "norm":
            width = width_of(shape)
            init_norm(width, rng, params, b["kind"] != "rms")
            if b["kind"] == "batch":
                buffers.append(np.zeros(width))  # running mean
                buffers.append(np.ones(width))  # running variance
        elif kind == "residual":
            init_params(b["body"], shape, rng, params, buffers)
        elif kind == "parallel":
            outs = [width_of(init_params(branch, shape, rng, params, buffers)) for branch in b["branches"]]
            shape = with_width(shape, outs[0] if b["merge"] == "sum" else sum(outs))
        elif kind == "embed":
            _, length, vocab = shape
            params.append(Entry("W", rng.uniform(-1.0, 1.0, (vocab, b["dim"]))))  # table
            params.append(Entry("W", rng.uniform(-0.5, 0.5, (length, b["dim"]))))  # positions
            shape = ("seq", length, b["dim"])
        elif kind == "pool":
            shape = ("flat", shape[2])
        elif kind == "answer":
            shape = ("seq", b["keep"], shape[2])
        elif kind == "attention":
            d, m = shape[2], b["mlp_hidden"]
            init_linear(d, 3 * d, rng, params)  # Wqkv: columns [q | k | v], and bqkv
            init_linear(d, d, rng, params)  # Wo, bo
            if m > 0:
                init_linear(d, m, rng, params)
                init_linear(m, d, rng, params)
        elif kind == "mixer":
            _, length, d = shape
            t, c = b["token_hidden"], b["channel_hidden"]
            init_norm(d, rng, params)
            init_linear(length, t, rng, params)
            init_linear(t, length, rng, params)
            init_norm(d, rng, params)
            init_linear(d, c, rng, params)
            init_linear(c, d, rng, params)
        elif kind == "patchify":
            side, p = math.isqrt(shape[1]), b["patch"]
            init_linear(p * p, b["dim"], rng, params)
            shape = ("seq", (side // p) ** 2, b["dim"])
        elif kind == "kan":
            width = width_of(shape)
            if b["basis"] == "b_spline":
                features = b["grid"] + b["order"] + 1
                bound = 1.0 / math.sqrt(width)
                params.append(Entry("W", rng.uniform(-bound, bound, (width * features, b["units"]))))
            else:
                # GELU's fit, each coefficient moved by up to ±0.03 (so b1 is no longer ~0 and Q
                # changes sign near the origin: the |Q| branch is exercised).
                params.append(Entry("coeffs", rational_gelu() + rng.uniform(-0.03, 0.03, (b["groups"], 10))))
                init_linear(width, b["units"], rng, params)
            shape = with_width(shape, b["units"])
        else:
            raise ValueError(kind)
    return shape


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


def torch_gelu(z):
    return F.gelu(z, approximate="none")


def torch_bsplines(x, grid, order):
    """B_0..B_{G+K-1} of every entry of `x` (shape (..., I) -> (..., I, G+K)): pykan's B_batch,
    Cox-de Boor from the half-open degree-0 indicators, on the extended uniform knots."""
    t = torch.tensor(knots(grid, order))
    xx = x.unsqueeze(-1)
    basis = ((xx >= t[:-1]) & (xx < t[1:])).to(x.dtype)
    for k in range(1, order + 1):
        basis = (xx - t[: -(k + 1)]) / (t[k:-1] - t[: -(k + 1)]) * basis[..., :-1] + (t[k + 1 :] - xx) / (
            t[k + 1 :] - t[1:-k]
        ) * basis[..., 1:]
    return basis


def torch_forward(blocks, x, params, buffers):
    """`params` and `buffers` are iterators in canonical order; BatchNorm runs in training mode and
    updates its buffers in place. A flat batch is (rows, width), a sequence (rows, len, dim), token
    ids (rows, len) integers."""
    for block in blocks:
        kind, b = kind_of(block)
        if kind == "dense":
            w = next(params)
            z = x @ w
            if b["bias"]:
                z = z + next(params)
            x = TORCH_ACT[b["activation"]](z)
        elif kind == "norm":
            d = x.shape[-1]
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
                x = torch.cat(outs, dim=-1)
        elif kind == "embed":
            table, pos = next(params), next(params)
            x = F.embedding(x, table) + pos
        elif kind == "pool":
            x = x.mean(dim=1) if b["mode"] == "mean" else x[:, -1, :]
        elif kind == "answer":
            x = x[:, -b["keep"] :, :]
        elif kind == "attention":
            n, length, d = x.shape
            heads = b["heads"]
            wqkv, bqkv, wo, bo = next(params), next(params), next(params), next(params)
            q, k, v = (x @ wqkv + bqkv).split(d, dim=-1)

            def split_heads(z):
                return z.reshape(n, length, heads, d // heads).transpose(1, 2)

            o = F.scaled_dot_product_attention(split_heads(q), split_heads(k), split_heads(v), is_causal=b["causal"])
            a = o.transpose(1, 2).reshape(n, length, d) @ wo + bo
            x = x + a if b["skip"] else a
            if b["mlp_hidden"] > 0:
                w1, b1, w2, b2 = next(params), next(params), next(params), next(params)
                m = torch_gelu(x @ w1 + b1) @ w2 + b2
                x = x + m if b["skip"] else m
        elif kind == "mixer":
            d = x.shape[-1]
            g1, s1, wt1, bt1, wt2, bt2 = (next(params) for _ in range(6))
            g2, s2, wc1, bc1, wc2, bc2 = (next(params) for _ in range(6))
            u = F.layer_norm(x, (d,), g1, s1, eps=NORM_EPS).transpose(1, 2)  # rows: channels
            u = torch_gelu(u @ wt1 + bt1) @ wt2 + bt2
            x = x + u.transpose(1, 2)
            x = x + torch_gelu(F.layer_norm(x, (d,), g2, s2, eps=NORM_EPS) @ wc1 + bc1) @ wc2 + bc2
        elif kind == "patchify":
            n, pixels = x.shape
            side, p = math.isqrt(pixels), b["patch"]
            cut = x.reshape(n, side // p, p, side // p, p).permute(0, 1, 3, 2, 4).reshape(n, (side // p) ** 2, p * p)
            w, bias = next(params), next(params)
            x = cut @ w + bias
        elif kind == "kan" and b["basis"] == "b_spline":
            w = next(params)
            features = torch.cat([F.silu(x).unsqueeze(-1), torch_bsplines(x, b["grid"], b["order"])], dim=-1)
            x = features.reshape(*x.shape[:-1], -1) @ w
        elif kind == "kan":
            coeffs = next(params)
            width = x.shape[-1]
            c = coeffs[torch.arange(width) // (width // b["groups"])]  # (width, 10): each column's group
            num, den, power = torch.zeros_like(x), torch.zeros_like(x), torch.ones_like(x)
            for n in range(6):
                num = num + c[:, n] * power
                if n >= 1 and n <= 4:
                    den = den + c[:, 5 + n] * power
                power = power * x
            x = num / (1.0 + torch.abs(den))
            w, bias = next(params), next(params)
            x = x @ w + bias
        else:
            raise ValueError(kind)
    return x


def torch_loss(loss, out, y):
    if loss == "mse":
        return F.mse_loss(out, y, reduction="mean")
    if loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(out[:, 0], y, reduction="mean")
    if loss == "cross_entropy":
        # A sequence task: every answer token is one example.
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), reduction="mean")
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


# Distances below which the engine, in f32, could land on the other side of a kink that matters: the
# knots of a linear (order 1) B-spline, and the real roots of a rational's Q (where |Q| bends).
KINK_MARGIN = 1e-4


def np_layer_norm(x, gamma, beta):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + NORM_EPS) * gamma + beta


def np_bsplines(x, grid, order):
    """B_j(x) = N_K((x − t_j)/h) with h = 2/G and the cardinal B-spline written as truncated powers,
    N_K(u) = Σ_i (−1)^i C(K+1, i) (u − i)_+^K / K! on [0, K+1) and 0 elsewhere: another formula than
    the torch side's recursion. Shape (..., I) -> (..., I, G+K)."""
    assert order >= 1, "the truncated powers below need order >= 1"
    t, h = knots(grid, order), 2.0 / grid
    u = (x[..., None] - t[: grid + order]) / h
    total = np.zeros_like(u)
    for i in range(order + 2):
        total += (-1) ** i * math.comb(order + 1, i) * np.maximum(u - i, 0.0) ** order
    return np.where((u >= 0.0) & (u < order + 1), total / math.factorial(order), 0.0)


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
                x = np_layer_norm(x, gamma, beta)
            elif b["kind"] == "rms":
                gamma = next(params)
                x = x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + NORM_EPS) * gamma
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
            x = sum(outs[1:], outs[0]) if b["merge"] == "sum" else np.concatenate(outs, axis=-1)
        elif kind == "embed":
            table, pos = next(params), next(params)
            x = np.stack([[table[i] + pos[t] for t, i in enumerate(row)] for row in x])
        elif kind == "pool":
            x = x.sum(axis=1) / x.shape[1] if b["mode"] == "mean" else x[:, x.shape[1] - 1, :]
        elif kind == "answer":
            x = x[:, x.shape[1] - b["keep"] :, :]
        elif kind == "attention":
            n, length, d = x.shape
            heads, dh = b["heads"], d // b["heads"]
            wqkv, bqkv, wo, bo = next(params), next(params), next(params), next(params)
            qkv = x @ wqkv + bqkv
            o = np.zeros((n, length, d))
            for e in range(n):
                for h in range(heads):
                    q = qkv[e, :, h * dh : (h + 1) * dh]
                    k = qkv[e, :, d + h * dh : d + (h + 1) * dh]
                    v = qkv[e, :, 2 * d + h * dh : 2 * d + (h + 1) * dh]
                    for i in range(length):
                        seen = i + 1 if b["causal"] else length
                        scores = k[:seen] @ q[i] / math.sqrt(dh)
                        weights = np.exp(scores - scores.max())
                        o[e, i, h * dh : (h + 1) * dh] = (weights / weights.sum()) @ v[:seen]
            a = o @ wo + bo
            x = x + a if b["skip"] else a
            if b["mlp_hidden"] > 0:
                w1, b1, w2, b2 = next(params), next(params), next(params), next(params)
                m = NP_ACT["gelu"](x @ w1 + b1) @ w2 + b2
                x = x + m if b["skip"] else m
        elif kind == "mixer":
            g1, s1, wt1, bt1, wt2, bt2 = (next(params) for _ in range(6))
            g2, s2, wc1, bc1, wc2, bc2 = (next(params) for _ in range(6))
            u = np_layer_norm(x, g1, s1)
            mixed = np.stack([(NP_ACT["gelu"](ue.T @ wt1 + bt1) @ wt2 + bt2).T for ue in u])
            x = x + mixed
            x = x + NP_ACT["gelu"](np_layer_norm(x, g2, s2) @ wc1 + bc1) @ wc2 + bc2
        elif kind == "patchify":
            n, pixels = x.shape
            side, p = math.isqrt(pixels), b["patch"]
            across = side // p
            cut = np.zeros((n, across * across, p * p))
            for pr in range(across):
                for pc in range(across):
                    for i in range(p):
                        for j in range(p):
                            cut[:, pr * across + pc, i * p + j] = x[:, (pr * p + i) * side + pc * p + j]
            w, bias = next(params), next(params)
            x = cut @ w + bias
        elif kind == "kan" and b["basis"] == "b_spline":
            w = next(params)
            if b["order"] == 1:
                gap = np.abs(x[..., None] - knots(b["grid"], b["order"])).min()
                assert gap > KINK_MARGIN, f"a linear spline's input lies {gap:.1e} from a knot: pick another seed"
            silu = x / (1.0 + np.exp(-x))
            features = np.concatenate([silu[..., None], np_bsplines(x, b["grid"], b["order"])], axis=-1)
            out = np.zeros(x.shape[:-1] + (b["units"],))
            per = b["grid"] + b["order"] + 1
            for i in range(x.shape[-1]):
                out += features[..., i, :] @ w[i * per : (i + 1) * per]
            x = out
        elif kind == "kan":
            coeffs = next(params)
            width = x.shape[-1]
            per = width // b["groups"]
            y = np.zeros_like(x)
            for col in range(width):
                a_, b_ = coeffs[col // per, :6], coeffs[col // per, 6:]
                xc = x[..., col]
                num = np.polyval(a_[::-1], xc)
                den = xc * np.polyval(b_[::-1], xc)  # Q = b1 x + b2 x² + b3 x³ + b4 x⁴
                y[..., col] = num / (1.0 + np.abs(den))
                roots = np.roots(b_[::-1])  # the roots of Q besides 0
                kinks = np.concatenate([[0.0], roots[np.abs(roots.imag) < 1e-12].real])
                gap = np.abs(xc[..., None] - kinks).min()
                assert gap > KINK_MARGIN, f"a rational's input lies {gap:.1e} from a root of Q: pick another seed"
            w, bias = next(params), next(params)
            x = y @ w + bias
        else:
            raise ValueError(kind)
    return x


def np_loss(loss, out, y):
    if loss == "mse":
        return float(((out - y) ** 2).mean())
    if loss == "binary_cross_entropy":
        z = out[:, 0]
        return float((np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))).mean())
    out, y = out.reshape(-1, out.shape[-1]), np.asarray(y).reshape(-1)
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


def make_token_batches(rng, length, vocab, outputs, answer_len, steps, batch):
    """Token ids drawn uniformly from the vocabulary, a different batch per step. Pooled
    classification: a random teacher scores each (position, token), and the class is the argmax of
    the summed scores plus noise. A sequence task answers `answer_len` tokens: answer k is
    (token answer_len−1−k + the last token) mod `outputs`, the start reversed and shifted."""
    teacher = rng.normal(size=(length, vocab, outputs))
    batches = []
    for _ in range(steps):
        x = rng.integers(0, vocab, (batch, length)).astype(np.int64)
        if answer_len:
            y = (x[:, answer_len - 1 :: -1] + x[:, -1:]) % outputs
        else:
            z = teacher[np.arange(length), x].sum(axis=1)
            y = np.argmax(z + 0.3 * rng.normal(size=z.shape), axis=1)
        batches.append((x, np.ascontiguousarray(y, dtype=np.int64)))
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
    # Sequences, images and KANs. Token inputs give `vocab`; a sequence task gives `answer`. No
    # L1/L2 here. Attention runs with SGD or momentum only: the key bias bk has a gradient of
    # exactly 0 (q·bk is the same for every key, and softmax ignores it), so its computed gradient
    # is rounding noise, which Adam would scale up to steps of ±lr in f32.
    dict(
        name="embed_attention_mlp_pool_last_ce_momentum",
        description="5 token ids < 6, embed 4, attention (2 heads, not causal, skip, MLP 6), pool "
        "last, head 3; softmax cross-entropy, momentum 0.9, constant rate.",
        seed=909,
        inputs=5,
        vocab=6,
        outputs=3,
        loss="cross_entropy",
        blocks=[embed(4), attention(2, False, True, 6), pool("last")],
        optimizer={"momentum": {"learning_rate": 0.1, "momentum": 0.9}},
        schedule="constant",
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=8,
    ),
    dict(
        name="embed_attention_stack_sequence_answer_sgd_cosine",
        description="6 token ids < 5, embed 4, attention (2 heads, causal, skip, no MLP), residual "
        "[attention (1 head, not causal, no skip, no MLP)], attention (2 heads, causal, no skip, "
        "MLP 6); sequence task answering at the last 3 positions over 5 tokens (head per token, "
        "cross-entropy over all answer tokens); SGD, cosine with 1 warm-up step. (The no-skip "
        "attention sits in a residual: alone, it would make the tokens nearly equal.)",
        seed=1010,
        inputs=6,
        vocab=5,
        outputs=5,
        answer=3,
        loss="cross_entropy",
        blocks=[
            embed(4),
            attention(2, True, True, 0),
            residual(attention(1, False, False, 0)),
            attention(2, True, False, 6),
        ],
        optimizer={"sgd": {"learning_rate": 0.5}},
        schedule={"cosine": {"warmup": 1}},
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=6,
    ),
    dict(
        name="patchify_mixer_pool_mean_ce_adam_clip",
        description="4×4 image, patchify 2 -> 4 tokens × 6, mixer (token hidden 5, channel hidden 8), "
        "pool mean, head 3; softmax cross-entropy, Adam, gradient clipping (some steps).",
        seed=1111,
        inputs=16,
        outputs=3,
        loss="cross_entropy",
        blocks=[patchify(2, 6), mixer(5, 8), pool("mean")],
        optimizer={"adam": {"learning_rate": 0.01, **ADAM}},
        schedule="constant",
        l1=0.0,
        l2=0.0,
        clip_norm=1.0,
        steps=7,
        batch=8,
        clip="some",
    ),
    dict(
        name="kan_bspline_cubic_linear_mse_adam",
        description="3 inputs in [-2, 2], KAN 4 (B-splines, grid 5, order 3), KAN 3 (B-splines, grid "
        "4, order 1), head 2; MSE, Adam, constant rate.",
        seed=1212,
        inputs=3,
        outputs=2,
        loss="mse",
        blocks=[kan_spline(4, 5, 3), kan_spline(3, 4, 1)],
        optimizer={"adam": {"learning_rate": 0.02, **ADAM}},
        schedule="constant",
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=10,
    ),
    dict(
        name="dense_kan_rational_quadratic_bce_momentum_step",
        description="4-6 identity, group-rational KAN 4 (3 groups), KAN 3 (B-splines, grid 3, order "
        "2), head 1; binary cross-entropy, momentum 0.8, step schedule (x0.5 every 2 steps).",
        seed=1313,
        inputs=4,
        outputs=1,
        loss="binary_cross_entropy",
        blocks=[dense(6, "identity"), kan_rational(4, 3), kan_spline(3, 3, 2)],
        optimizer={"momentum": {"learning_rate": 0.2, "momentum": 0.8}},
        schedule={"step": {"every": 2, "factor": 0.5}},
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=10,
    ),
    dict(
        name="embed_mixer_kan_sequence_answer_adamw",
        description="4 token ids < 5, embed 4, mixer (token hidden 3, channel hidden 6), KAN 4 per "
        "token (B-splines, grid 4, order 3), group-rational KAN 4 per token (2 groups); sequence task "
        "answering at all 4 positions over 5 tokens; AdamW, exponential schedule.",
        seed=1414,
        inputs=4,
        vocab=5,
        outputs=5,
        answer=4,
        loss="cross_entropy",
        blocks=[embed(4), mixer(3, 6), kan_spline(4, 4, 3), kan_rational(4, 2)],
        optimizer={"adam_w": {"learning_rate": 0.01, **ADAM, "weight_decay": 0.05}},
        schedule={"exponential": {"gamma": 0.9}},
        l1=0.0,
        l2=0.0,
        clip_norm=None,
        steps=6,
        batch=6,
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

    vocab, answer_len = sc.get("vocab"), sc.get("answer")
    shape_in = ("tokens", sc["inputs"], vocab) if vocab else ("flat", sc["inputs"])
    # A sequence task keeps its last `answer` tokens, then applies the head to each.
    tail = ([answer(answer_len)] if answer_len else []) + [head(sc["outputs"])]
    assert not answer_len or loss == "cross_entropy", "a sequence task uses cross-entropy"

    # Parameters, canonical order; every value rounded to float32.
    entries, buffers0 = [], []
    shape = init_params(blocks, shape_in, rng, entries, buffers0)
    init_params(tail, shape, rng, entries, buffers0)
    for e in entries:
        e.value = np.vectorize(f32)(e.value)
        assert e.role != "W" or np.all(e.value != 0.0), "a weight of exactly 0 would test sign(0)"
    all_blocks = blocks + tail
    out_shape, n_params, n_buffers = count(all_blocks, shape_in)
    assert out_shape == (("seq", answer_len, sc["outputs"]) if answer_len else ("flat", sc["outputs"]))
    assert sum(e.value.size for e in entries) == n_params, "parameter count differs from the block list"
    assert sum(b.size for b in buffers0) == n_buffers
    if vocab:
        batches = make_token_batches(rng, sc["inputs"], vocab, sc["outputs"], answer_len, steps, batch)
    else:
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

        # Penalty on weight matrices only, then clipping of the global norm of all gradients.
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
    fixture = {"name": sc["name"], "description": sc["description"], "inputs": sc["inputs"]}
    if vocab:
        fixture["vocab"] = vocab
    fixture["outputs"] = sc["outputs"]
    if answer_len:
        fixture["answer"] = answer_len
    return fixture | {
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
    "vocab",  # only with token-id inputs
    "outputs",
    "answer",  # only for a sequence task
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
    optional = ("vocab", "answer")
    assert list(fixture) == [k for k in KEY_ORDER if k in fixture or k not in optional]

    def dump(v):
        return json.dumps(v, allow_nan=False, separators=(",", ":"))

    lines = []
    for key in fixture:
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
