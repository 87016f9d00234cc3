"""LayerLab's layers in PyTorch, each computing what LayerLab's CPU backend computes.

Tensors flow as (batch, tokens, width): a vector example is one token; every layer acts on the
last axis unless it makes, pools or cuts tokens. LayerLab's dense weights are (inputs, units)
and multiply from the right; here they are nn.Linear's (units, inputs), transposed on export.
"""


import torch
import torch.nn.functional as F
from torch import nn

LEAKY_SLOPE = 0.01
NORM_EPS = 1e-5
BATCH_NORM_MOMENTUM = 0.1

ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, LEAKY_SLOPE),
    "gelu": F.gelu,  # the exact form, x * Phi(x)
    "silu": F.silu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "sine": torch.sin,
    "identity": lambda z: z,
}


class Dense(nn.Linear):
    """A fully connected layer and its activation."""

    def __init__(self, inputs, units, activation="identity", bias=True):
        super().__init__(inputs, units, bias=bias)
        self.activation = activation

    def forward(self, x):
        return ACTIVATIONS[self.activation](super().forward(x))


class Norm(nn.Module):
    """LayerNorm and RMSNorm over each row's width; BatchNorm over every row of the batch."""

    def __init__(self, kind, width):
        super().__init__()
        self.kind = kind
        self.weight = nn.Parameter(torch.ones(width))
        self.bias = nn.Parameter(torch.zeros(width)) if kind != "rms" else None
        if kind == "batch":
            self.register_buffer("running_mean", torch.zeros(width))
            self.register_buffer("running_var", torch.ones(width))

    def forward(self, x):
        if self.kind == "layer":
            return F.layer_norm(x, x.shape[-1:], self.weight, self.bias, NORM_EPS)
        if self.kind == "rms":
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + NORM_EPS) * self.weight
        rows = x.reshape(-1, x.shape[-1])
        y = F.batch_norm(
            rows,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training,
            BATCH_NORM_MOMENTUM,
            NORM_EPS,
        )
        return y.reshape(x.shape)


class Residual(nn.Module):
    """x + body(x); while training, drop_path skips the body for a whole batch at random
    ("Deep Networks with Stochastic Depth") and scales it by 1 / (1 - drop_path) when kept."""

    def __init__(self, body, drop_path=0.0):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.drop_path = drop_path

    def forward(self, x):
        if self.training and self.drop_path > 0:
            if torch.rand(()) < self.drop_path:
                return x
            return x + self.body(x) / (1 - self.drop_path)
        return x + self.body(x)


class Parallel(nn.Module):
    """Branches on the same input, summed or concatenated ("Make Deep Networks Shallow Again")."""

    def __init__(self, branches, merge="sum"):
        super().__init__()
        self.branches = nn.ModuleList(nn.Sequential(*branch) for branch in branches)
        self.merge = merge

    def forward(self, x):
        outs = [branch(x) for branch in self.branches]
        return sum(outs) if self.merge == "sum" else torch.cat(outs, -1)


class Glu(nn.Module):
    """(xW + b) * gate(xV + c): GLU (sigmoid), SwiGLU (silu) or the bilinear layer (identity)."""

    def __init__(self, inputs, units, gate):
        super().__init__()
        self.value = nn.Linear(inputs, units)
        self.gate = nn.Linear(inputs, units)
        self.activation = gate

    def forward(self, x):
        return self.value(x) * ACTIVATIONS[self.activation](self.gate(x))


class Moe(nn.Module):
    """A softmax router picks each row's top_k experts; the output is their outputs weighted by
    their router probabilities. After each call `aux` holds the load-balancing loss
    balance * E * sum_e f_e * P_e (Switch Transformer's), part of the training loss."""

    def __init__(self, router, experts, top_k, balance):
        super().__init__()
        self.router = router
        self.experts = nn.ModuleList(nn.Sequential(*expert) for expert in experts)
        self.top_k = top_k
        self.balance = balance
        self.aux = torch.zeros(())

    def forward(self, x):
        rows = x.reshape(-1, x.shape[-1])
        probs = torch.softmax(self.router(rows), -1)
        chosen = torch.zeros_like(probs).scatter(-1, probs.topk(self.top_k, -1).indices, 1.0)
        gates = probs * chosen
        out = sum(gates[:, e : e + 1] * expert(rows) for e, expert in enumerate(self.experts))
        share = chosen.sum(0) / (rows.shape[0] * self.top_k)
        self.aux = self.balance * len(self.experts) * (share * probs.mean(0)).sum()
        return out.reshape(*x.shape[:-1], -1)


class KanSpline(nn.Module):
    """A Kolmogorov-Arnold layer ("KAN: Kolmogorov-Arnold Networks"): each input x becomes
    [silu(x), B_0(x), ..., B_{G+k-1}(x)], the B-splines of order k on G uniform intervals over
    [lo, hi] extended by k knots each side; the features of all inputs times `weight`
    (inputs * (G+k+1) rows: per input, its base weights then its spline coefficients)."""

    def __init__(self, inputs, units, grid, order, lo=-1.0, hi=1.0):
        super().__init__()
        self.grid, self.order, self.lo, self.hi = grid, order, lo, hi
        self.weight = nn.Parameter(torch.zeros(inputs * (grid + order + 1), units))

    def forward(self, x):
        h = (self.hi - self.lo) / self.grid
        steps = torch.arange(self.grid + 2 * self.order + 1, dtype=torch.float64) - self.order
        knots = (self.lo + steps * h).to(x.dtype)
        xs = x.unsqueeze(-1)
        b = ((knots[:-1] <= xs) & (xs < knots[1:])).to(x.dtype)
        for p in range(1, self.order + 1):
            left = (xs - knots[: -(p + 1)]) / (p * h) * b[..., :-1]
            right = (knots[p + 1 :] - xs) / (p * h) * b[..., 1:]
            b = left + right
        features = torch.cat([F.silu(x).unsqueeze(-1), b], -1)
        return features.reshape(*x.shape[:-1], -1) @ self.weight


class Rational(nn.Module):
    """One rational function P(x) / (1 + |Q(x)|) per group of consecutive columns
    ("Kolmogorov-Arnold Transformer"): P of degree 5, Q of degree 4 without constant term;
    `weight` holds each group's a0..a5 then b1..b4."""

    def __init__(self, groups, width):
        super().__init__()
        self.per = width // groups
        self.weight = nn.Parameter(torch.zeros(groups, 10))

    def forward(self, x):
        c = self.weight.repeat_interleave(self.per, 0)
        p = sum(c[:, i] * x**i for i in range(6))
        q = sum(c[:, 6 + i] * x ** (i + 1) for i in range(4))
        return p / (1 + q.abs())


class Attention(nn.Module):
    """Multi-head scaled dot-product self-attention: qkv = x Wqkv + b, split into heads of
    dim / heads columns each, then out = o Wo + bo ("Attention Is All You Need")."""

    def __init__(self, dim, heads, causal=False):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):
        batch, tokens, dim = x.shape
        split = [t.reshape(batch, tokens, self.heads, -1).transpose(1, 2) for t in self.qkv(x).split(dim, -1)]
        o = F.scaled_dot_product_attention(*split, is_causal=self.causal)
        return self.out(o.transpose(1, 2).reshape(batch, tokens, dim))


class Embed(nn.Module):
    """Token ids to vectors: a learned table plus a vector per position (learned, or the fixed
    sines and cosines of "Attention Is All You Need")."""

    def __init__(self, vocab, length, dim, learned=True):
        super().__init__()
        self.table = nn.Embedding(vocab, dim)
        if learned:
            self.positions = nn.Parameter(torch.zeros(length, dim))
        else:
            self.register_buffer("positions", torch.zeros(length, dim))

    def forward(self, ids):
        return self.table(ids) + self.positions


class Pool(nn.Module):
    """A sequence to one vector: the mean of its tokens, or the last."""

    def __init__(self, mode="mean"):
        super().__init__()
        self.mode = mode

    def forward(self, x):
        return x.mean(1, keepdim=True) if self.mode == "mean" else x[:, -1:]


class Last(nn.Module):
    """The last `keep` tokens: the positions a sequence task answers at."""

    def __init__(self, keep):
        super().__init__()
        self.keep = keep

    def forward(self, x):
        return x[:, -self.keep :]


class Rearrange(nn.Module):
    """Each example's numbers as outer x a x b x inner with the middle axes swapped, regrouped
    into tokens of `width` (an image cut into patches; a Mixer turning tokens into channels)."""

    def __init__(self, outer, a, b, inner, width):
        super().__init__()
        self.shape, self.width = (outer, a, b, inner), width

    def forward(self, x):
        batch = x.shape[0]
        return x.reshape(batch, *self.shape).transpose(2, 3).reshape(batch, -1, self.width)


class Model(nn.Module):
    """LayerLab's blocks, then the output layer. Takes (batch, inputs) numbers, or token ids
    for a model that begins with an embedding; gives (batch, outputs), or for a sequence task
    (batch, answer positions, outputs). Logits for classification, values for regression."""

    def __init__(self, net, tokens=False, sequence=False):
        super().__init__()
        self.net = nn.Sequential(*net)
        self.tokens, self.sequence = tokens, sequence

    def forward(self, x):
        y = self.net(x.long() if self.tokens else x.unsqueeze(1))
        return y if self.sequence else y.squeeze(1)

    def aux_loss(self):
        """The experts' load-balancing losses of the last forward pass."""
        return sum((m.aux for m in self.modules() if isinstance(m, Moe)), torch.zeros(()))


class ForwardForward(nn.Module):
    """A Forward-Forward network ("The Forward-Forward Algorithm"): the label enters as a one-hot
    vector through `embed` (classes x the first layer's units) into the first layer; a layer's
    goodness is the mean square of its outputs, and its input is the layer below's output scaled
    to unit root mean square. It predicts by running once per label: the goodness summed over
    layers for each label (for two classes, label 1's minus label 0's)."""

    def __init__(self, layers, classes, binary=False):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.classes, self.binary = classes, binary
        self.embed = nn.Parameter(torch.zeros(classes, layers[0].out_features))

    def goodness(self, x, labels):
        """Each layer's goodness (a list) for inputs `x` with `labels`; each layer sees the one
        below through `detach`, so a sum of layer losses trains every layer by its own."""
        h, said = x, []
        for i, layer in enumerate(self.layers):
            z = F.linear(h, layer.weight, layer.bias)
            if i == 0:
                z = z + self.embed[labels]
            y = ACTIVATIONS[layer.activation](z)
            said.append(y.pow(2).mean(-1))
            h = (y * torch.rsqrt(y.pow(2).mean(-1, keepdim=True) + NORM_EPS)).detach()
        return said

    def forward(self, x):
        rows = torch.arange(len(x))
        totals = torch.stack(
            [sum(self.goodness(x, torch.full_like(rows, c))) for c in range(self.classes)], -1
        )
        return (totals[:, 1] - totals[:, 0]).unsqueeze(-1) if self.binary else totals

    def local_loss(self, x, labels, threshold):
        """Forward-Forward's training loss: for every layer, softplus(threshold - goodness) on
        positive data (the true label) and softplus(goodness - threshold) on negative data (a
        wrong label drawn at random), averaged over both."""
        wrong = (labels + torch.randint(1, self.classes, labels.shape)) % self.classes
        loss = torch.zeros(())
        for good, bad in zip(self.goodness(x, labels), self.goodness(x, wrong)):
            loss = loss + 0.5 * (F.softplus(threshold - good).mean() + F.softplus(bad - threshold).mean())
        return loss

    def aux_loss(self):
        return torch.zeros(())


def load(folder="."):
    """The exported model with its exported weights, in evaluation mode."""
    from safetensors.torch import load_file

    model = build()
    model.load_state_dict(load_file(f"{folder}/weights.safetensors"))
    return model.eval()


def check(folder=".", tolerance=1e-5):
    """Runs the sample inputs LayerLab exported and compares with LayerLab's outputs for them:
    every output within `tolerance` times max(1, |LayerLab's value|). Returns the largest gap."""
    from safetensors.torch import load_file

    sample = load_file(f"{folder}/sample.safetensors")
    with torch.no_grad():
        ours = load(folder)(sample["inputs"]).reshape(-1)
    theirs = sample["outputs"].reshape(-1)
    if ours.shape != theirs.shape:
        raise SystemExit(f"outputs differ in shape: {tuple(ours.shape)} here, {tuple(theirs.shape)} in LayerLab")
    gap = ((ours - theirs).abs() / theirs.abs().clamp(min=1.0)).max().item()
    print(f"{len(sample['inputs'])} examples, {theirs.numel()} outputs: largest gap to LayerLab {gap:.2e}")
    if not gap <= tolerance:
        raise SystemExit(f"PyTorch's outputs differ from LayerLab's by {gap:.2e}, more than {tolerance:.0e}")
    return gap
