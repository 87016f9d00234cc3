//! The op cases of the backend suite: each backend op on shapes that are and are not multiples
//! of a GPU tile, and of size 1, with inputs drawn from a seed so every backend sees the same.

use layerlab_spec::model::Activation;
use layerlab_spec::train::Loss;
use rand::Rng;

use layerlab_spec::model::{NormKind, PoolMode};

use crate::backend::{
    AttentionOp, Backend, CopyCols, Dims, DropoutOp, EmbedOp, GateOp, Gemm, Guard, KanOp, MoeOp, NormOp, NormSaved,
    PoolOp, RationalOp, STAT_OK, STATS, SwapAxes, Update, UpdateRule,
};
use crate::model::{read, write};
use crate::rng::{Stream, rng};

/// One op with its shapes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Matmul(Gemm),
    BiasAct {
        dims: Dims,
        act: Activation,
        bias: bool,
    },
    ActBackward {
        dims: Dims,
        act: Activation,
    },
    ColSum {
        dims: Dims,
        accumulate: bool,
    },
    Axpby {
        len: usize,
        a: f64,
        b: f64,
    },
    CopyCols(CopyCols),
    Dropout(DropoutOp),
    Mul {
        len: usize,
    },
    Loss {
        loss: Loss,
        dims: Dims,
    },
    Scale {
        len: usize,
        s: f64,
    },
    SumSquares {
        len: usize,
    },
    /// Three buffers of these lengths, summed together into a step's stats.
    SumSquaresTo {
        lens: [usize; 3],
    },
    /// The step's guard on a loss and a sum of squares.
    Guard {
        loss: f64,
        sum_squares: f64,
        guard: Guard,
    },
    /// Clipping by the norm whose square is `sum_squares`.
    Clip {
        len: usize,
        clip: f64,
        sum_squares: f64,
    },
    Penalty {
        len: usize,
        l1: f64,
        l2: f64,
    },
    Noise {
        len: usize,
        std: f64,
        key: u32,
    },
    /// `steps` updates in a row (optimizer state, bias corrections), when `allowed` by the stats (else none).
    Update {
        len: usize,
        rule: UpdateRule,
        learning_rate: f64,
        steps: u64,
        allowed: bool,
    },
    /// A normalisation forward (with a shift) and backward, input gradient included.
    Norm(NormOp),
    /// The embedding forward and backward, with learned positions.
    Embed(EmbedOp),
    Pool(PoolOp),
    SwapAxes(SwapAxes),
    Attention(AttentionOp),
    /// Routing forward and backward.
    Route(MoeOp),
    /// One expert's gate forward and backward.
    Gate(GateOp),
    Kan(KanOp),
    Rational(RationalOp),
}

/// An op, and how far from the CPU reference (computing in f64) a backend in f32 may land:
/// see [`super::compare`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpCase {
    pub name: &'static str,
    pub op: Op,
    pub tolerance: f64,
}

fn gemm(m: usize, n: usize, k: usize, a_trans: bool, b_trans: bool, accumulate: bool) -> Op {
    Op::Matmul(Gemm { m, n, k, a_trans, b_trans, accumulate })
}

fn guard(ceiling: f64, reach_per_norm: f64, reach_fixed: f64) -> Guard {
    Guard { explosion: ceiling, reach_per_norm, reach_fixed, max_update: 1e30, sticky: false }
}

fn dims(rows: usize, cols: usize) -> Dims {
    Dims { rows, cols }
}

/// Every op the dense networks train with, on awkward shapes.
pub fn op_cases() -> Vec<OpCase> {
    use Activation::*;
    // Sums over k terms lose about √k·2⁻²⁴ relative in f32.
    let mm = 1e-4;
    let case = |name, op, tolerance| OpCase { name, op, tolerance };
    let mut cases = vec![
        case("matmul 1×1×1", gemm(1, 1, 1, false, false, false), mm),
        case("matmul 64×64×16, whole tiles", gemm(64, 64, 16, false, false, false), mm),
        case("matmul 65×67×3", gemm(65, 67, 3, false, false, false), mm),
        case("matmul 130×70×129 accumulating", gemm(130, 70, 129, false, false, true), mm),
        case("matmul A·Bᵀ 33×17×65", gemm(33, 17, 65, false, true, false), mm),
        case("matmul Aᵀ·B 17×129×33", gemm(17, 129, 33, true, false, true), mm),
        case("matmul Aᵀ·Bᵀ 5×7×300", gemm(5, 7, 300, true, true, false), mm),
        case("matmul k = 0 overwrites with zeros", gemm(3, 4, 0, false, false, false), 0.0),
        case("matmul one row, 784 deep", gemm(1, 256, 784, false, false, false), mm),
        // Large enough for the GPU's 128 × 128 tiles, and not a multiple of them.
        case("matmul 300×257×100, large tiles", gemm(300, 257, 100, false, false, true), mm),
        case("matmul Aᵀ·B 256×384×130, large tiles", gemm(256, 384, 130, true, false, false), mm),
        case("matmul A·Bᵀ 257×256×9, large tiles", gemm(257, 256, 9, false, true, false), mm),
    ];
    for act in [Relu, LeakyRelu, Gelu, Silu, Tanh, Sigmoid, Sine, Identity] {
        // Vulkan lets a GPU's sine be 2⁻¹¹ from the truth on [−π, π]; an H200's was 5e-7 off
        // at −0.014 (3.8e-5 relative) where the other activations held to 1e-5.
        let forward = if act == Sine { 1e-4 } else { 1e-5 };
        cases.push(case("bias and activation", Op::BiasAct { dims: dims(37, 19), act, bias: true }, forward));
        // 1 − y² and y(1 − y) cancel where tanh and the sigmoid saturate: an ulp of y becomes
        // ~1e-4 of the derivative (GPU tanh is a few ulps from correctly rounded).
        cases.push(case("activation backward", Op::ActBackward { dims: dims(37, 19), act }, 1e-4));
    }
    cases.extend([
        case("activation without bias", Op::BiasAct { dims: dims(300, 1), act: Tanh, bias: false }, 1e-5),
        case("column sums", Op::ColSum { dims: dims(257, 3), accumulate: false }, 1e-5),
        case("column sums accumulating", Op::ColSum { dims: dims(1, 300), accumulate: true }, 1e-5),
        case("axpby", Op::Axpby { len: 1000, a: 0.5, b: -2.0 }, 1e-6),
        case("axpby overwriting", Op::Axpby { len: 7, a: 3.0, b: 0.0 }, 1e-6),
        case(
            "copy columns",
            Op::CopyCols(CopyCols {
                rows: 9,
                width: 3,
                src_cols: 5,
                src_at: 1,
                dst_cols: 7,
                dst_at: 4,
                accumulate: false,
            }),
            0.0,
        ),
        case(
            "add columns",
            Op::CopyCols(CopyCols {
                rows: 300,
                width: 2,
                src_cols: 2,
                src_at: 0,
                dst_cols: 6,
                dst_at: 2,
                accumulate: true,
            }),
            1e-6,
        ),
        case("dropout", Op::Dropout(DropoutOp { len: 5000, rate: 0.3, key: 77 }), 1e-6),
        case("product", Op::Mul { len: 513 }, 1e-6),
        case("mean squared error", Op::Loss { loss: Loss::Mse, dims: dims(70, 3) }, 1e-5),
        case("binary cross-entropy", Op::Loss { loss: Loss::BinaryCrossEntropy, dims: dims(300, 1) }, 1e-5),
        case("cross-entropy", Op::Loss { loss: Loss::CrossEntropy, dims: dims(129, 10) }, 1e-5),
        case("cross-entropy, one row", Op::Loss { loss: Loss::CrossEntropy, dims: dims(1, 2) }, 1e-5),
        case("scale", Op::Scale { len: 999, s: -0.25 }, 1e-6),
        case("sum of squares", Op::SumSquares { len: 100_000 }, 1e-5),
        case("sum of squares of one", Op::SumSquares { len: 1 }, 1e-6),
        case("sum of squares of three, kept", Op::SumSquaresTo { lens: [1, 300, 70_000] }, 1e-5),
        case("guard: a sane step", Op::Guard { loss: 0.7, sum_squares: 4.0, guard: guard(1e3, 0.1, 0.0) }, 0.0),
        case("guard: NaN loss", Op::Guard { loss: f64::NAN, sum_squares: 4.0, guard: guard(1e3, 0.1, 0.0) }, 0.0),
        case(
            "guard: loss above the ceiling",
            Op::Guard { loss: 2e3, sum_squares: 4.0, guard: guard(1e3, 0.1, 0.0) },
            0.0,
        ),
        case(
            "guard: infinite gradient",
            Op::Guard { loss: 0.7, sum_squares: f64::INFINITY, guard: guard(f64::INFINITY, 0.0, 0.01) },
            0.0,
        ),
        case(
            "guard: an update past the limit",
            Op::Guard { loss: 0.7, sum_squares: 1e36, guard: guard(1e3, 1e13, 0.0) },
            0.0,
        ),
        case("clip a large gradient", Op::Clip { len: 500, clip: 1.0, sum_squares: 16.0 }, 1e-6),
        case("leave a small gradient", Op::Clip { len: 500, clip: 5.0, sum_squares: 16.0 }, 0.0),
        case("L1 and L2 penalties", Op::Penalty { len: 600, l1: 0.01, l2: 0.1 }, 1e-6),
        case("gradient noise", Op::Noise { len: 4096, std: 0.3, key: 5 }, 1e-4),
        case("SGD", Op::Update { len: 300, rule: UpdateRule::Sgd, learning_rate: 0.1, steps: 3, allowed: true }, 1e-5),
        case(
            "momentum",
            Op::Update {
                len: 300,
                rule: UpdateRule::Momentum { momentum: 0.9 },
                learning_rate: 0.05,
                steps: 3,
                allowed: true,
            },
            1e-5,
        ),
        case(
            "Adam",
            Op::Update {
                len: 1000,
                rule: UpdateRule::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.0 },
                learning_rate: 0.01,
                steps: 4,
                allowed: true,
            },
            1e-4,
        ),
        case(
            "AdamW",
            Op::Update {
                len: 17,
                rule: UpdateRule::Adam { beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weight_decay: 0.1 },
                learning_rate: 0.02,
                steps: 2,
                allowed: true,
            },
            1e-4,
        ),
        case(
            "Adam, refused by the guard",
            Op::Update {
                len: 40,
                rule: UpdateRule::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.0 },
                learning_rate: 0.01,
                steps: 2,
                allowed: false,
            },
            0.0,
        ),
    ]);
    let norm =
        |kind, rows, cols, train| Op::Norm(NormOp { kind, dims: dims(rows, cols), eps: 1e-5, train, momentum: 0.1 });
    let attention = |rows, len, dim, heads, causal| Op::Attention(AttentionOp { rows, len, dim, heads, causal });
    let moe = MoeOp { rows: 300, experts: 5, top_k: 2, balance: 0.1 };
    cases.extend([
        case("layer norm", norm(NormKind::Layer, 70, 33, true), 1e-4),
        case("RMS norm", norm(NormKind::Rms, 3, 300, true), 1e-4),
        case("batch norm, training", norm(NormKind::Batch, 257, 5, true), 1e-4),
        case("batch norm, evaluation", norm(NormKind::Batch, 9, 5, false), 1e-4),
        case("embedding", Op::Embed(EmbedOp { rows: 33, len: 7, vocab: 11, dim: 5 }), 1e-5),
        case("mean pool", Op::Pool(PoolOp { rows: 9, len: 7, dim: 5, mode: PoolMode::Mean }), 1e-5),
        case("last-token pool", Op::Pool(PoolOp { rows: 9, len: 7, dim: 5, mode: PoolMode::Last }), 0.0),
        case("swap axes", Op::SwapAxes(SwapAxes { examples: 3, outer: 2, a: 5, b: 7, inner: 3 }), 0.0),
        case("attention", attention(3, 9, 8, 2, false), 1e-4),
        case("causal attention, one head", attention(2, 17, 6, 1, true), 1e-4),
        case("attention, 64 tokens", attention(1, 64, 16, 4, false), 1e-4),
        case("routing", Op::Route(moe), 1e-4),
        case("gate", Op::Gate(GateOp { moe, expert: 3, cols: 7, accumulate: true }), 1e-5),
        case(
            "B-spline features, cubic",
            Op::Kan(KanOp { rows: 40, width: 3, grid: 5, order: 3, lo: -1.0, hi: 1.0 }),
            1e-4,
        ),
        case(
            "B-spline features, linear",
            Op::Kan(KanOp { rows: 7, width: 5, grid: 8, order: 1, lo: -2.0, hi: 1.5 }),
            1e-4,
        ),
        case("group rationals", Op::Rational(RationalOp { rows: 50, width: 6, groups: 3 }), 1e-4),
    ]);
    cases
}

/// Runs `op` on `b` with inputs drawn from `seed`, and reads back every output by name.
pub fn run_op<B: Backend>(b: &mut B, op: Op, seed: u64) -> Vec<(&'static str, Vec<f64>)> {
    let mut draw = rng(seed, Stream::Data);
    let mut buf = |b: &mut B, len: usize, lo: f64, hi: f64| {
        // Numbers that f32 holds exactly, so every backend starts from the same inputs.
        let values: Vec<f64> = (0..len).map(|_| f64::from(draw.random_range(lo..hi) as f32)).collect();
        let mut buf = b.alloc(len);
        write(b, &mut buf, &values);
        buf
    };
    match op {
        Op::Matmul(g) => {
            let a = buf(b, g.m * g.k, -1.0, 1.0);
            let bm = buf(b, g.k * g.n, -1.0, 1.0);
            let mut c = buf(b, g.m * g.n, -1.0, 1.0);
            b.matmul(g, &a, &bm, &mut c);
            vec![("c", read(b, &c))]
        }
        Op::BiasAct { dims, act, bias } => {
            let bias = bias.then(|| buf(b, dims.cols, -0.5, 0.5));
            let mut z = buf(b, dims.len(), -4.0, 4.0);
            let mut y = b.alloc(dims.len());
            b.bias_act(dims, bias.as_ref(), act, &mut z, &mut y);
            vec![("z", read(b, &z)), ("y", read(b, &y))]
        }
        Op::ActBackward { dims, act } => {
            let mut z = buf(b, dims.len(), -4.0, 4.0);
            let mut y = b.alloc(dims.len());
            b.bias_act(dims, None, act, &mut z, &mut y);
            let mut g = buf(b, dims.len(), -1.0, 1.0);
            b.act_backward(dims, act, &z, &y, &mut g);
            vec![("g", read(b, &g))]
        }
        Op::ColSum { dims, accumulate } => {
            let x = buf(b, dims.len(), -1.0, 1.0);
            let mut out = buf(b, dims.cols, -1.0, 1.0);
            b.col_sum(dims, &x, &mut out, accumulate);
            vec![("sums", read(b, &out))]
        }
        Op::Axpby { len, a, b: beta } => {
            let x = buf(b, len, -1.0, 1.0);
            let mut y = buf(b, len, -1.0, 1.0);
            b.axpby(len, a, &x, beta, &mut y);
            vec![("y", read(b, &y))]
        }
        Op::CopyCols(c) => {
            let src = buf(b, c.rows * c.src_cols, -1.0, 1.0);
            let mut dst = buf(b, c.rows * c.dst_cols, -1.0, 1.0);
            b.copy_cols(c, &src, &mut dst);
            vec![("dst", read(b, &dst))]
        }
        Op::Dropout(d) => {
            let x = buf(b, d.len, -1.0, 1.0);
            let (mut mask, mut y) = (b.alloc(d.len), b.alloc(d.len));
            b.dropout(d, &x, &mut mask, &mut y);
            vec![("mask", read(b, &mask)), ("y", read(b, &y))]
        }
        Op::Mul { len } => {
            let (x, m) = (buf(b, len, -1.0, 1.0), buf(b, len, -1.0, 1.0));
            let mut y = b.alloc(len);
            b.mul(len, &x, &m, &mut y);
            vec![("y", read(b, &y))]
        }
        Op::Loss { loss, dims } => {
            let out = buf(b, dims.len(), -6.0, 6.0);
            let targets: Vec<f64> = match loss {
                Loss::Mse => (0..dims.len()).map(|_| f64::from(draw.random_range(-1.0..1.0) as f32)).collect(),
                Loss::BinaryCrossEntropy => (0..dims.rows).map(|_| f64::from(draw.random_range(0..2u8))).collect(),
                Loss::CrossEntropy => (0..dims.rows).map(|_| draw.random_range(0..dims.cols) as f64).collect(),
            };
            let mut t = b.alloc(targets.len());
            write(b, &mut t, &targets);
            let mut grad = b.alloc(dims.len());
            let value = b.loss(loss, dims, &out, &t, &mut grad);
            let mut stats = b.alloc(STATS);
            b.loss_to(loss, dims, &out, &t, &mut grad, &mut stats);
            vec![("loss", vec![value]), ("gradient", read(b, &grad)), ("loss kept", vec![read(b, &stats)[0]])]
        }
        Op::Scale { len, s } => {
            let mut y = buf(b, len, -1.0, 1.0);
            b.scale(s, &mut y);
            vec![("y", read(b, &y))]
        }
        Op::SumSquares { len } => {
            let x = buf(b, len, -1.0, 1.0);
            vec![("sum", vec![b.sum_squares(&x)])]
        }
        Op::SumSquaresTo { lens } => {
            let xs: Vec<B::Buf> = lens.iter().map(|&len| buf(b, len, -1.0, 1.0)).collect();
            let mut stats = b.alloc(STATS);
            b.sum_squares_to(&mut xs.iter(), &mut stats);
            vec![("stats", read(b, &stats))]
        }
        Op::Guard { loss, sum_squares, guard } => {
            let mut stats = b.alloc(STATS);
            // A first loss of 1, so `explosion` is the ceiling.
            write(b, &mut stats, &[loss, sum_squares, 0.5, 1.0, 1.0]);
            let kept = read(b, &stats);
            b.guard(guard, &mut stats);
            let ok = read(b, &stats)[STAT_OK];
            assert_eq!(ok == 1.0, guard.allows(kept[0], kept[1], 1.0), "the guard says 1 exactly when it allows");
            vec![("allowed", vec![ok])]
        }
        Op::Clip { len, clip, sum_squares } => {
            let mut stats = b.alloc(STATS);
            write(b, &mut stats, &[0.0, sum_squares, 1.0, 1.0, -1.0]);
            let mut y = buf(b, len, -1.0, 1.0);
            b.clip(clip, &stats, &mut y);
            vec![("y", read(b, &y))]
        }
        Op::Penalty { len, l1, l2 } => {
            let p = buf(b, len, -1.0, 1.0);
            let mut g = buf(b, len, -1.0, 1.0);
            b.penalty(l1, l2, &p, &mut g);
            vec![("g", read(b, &g))]
        }
        Op::Noise { len, std, key } => {
            let mut g = buf(b, len, -1.0, 1.0);
            b.add_noise(std, key, &mut g);
            vec![("g", read(b, &g))]
        }
        Op::Update { len, rule, learning_rate, steps, allowed } => {
            let mut p = buf(b, len, -1.0, 1.0);
            let (mut m, mut v, mut stats) = (b.alloc(len), b.alloc(len), b.alloc(STATS));
            write(b, &mut stats, &[0.0, 0.0, if allowed { 1.0 } else { 0.0 }, 1.0, -1.0]);
            let before = read(b, &p);
            for step in 1..=steps {
                let g = buf(b, len, -1.0, 1.0);
                b.update(Update::new(rule, learning_rate, step), &mut p, &g, &mut m, &mut v, &stats);
            }
            assert_eq!(read(b, &p) == before, !allowed, "an update goes ahead exactly when allowed");
            vec![("p", read(b, &p)), ("m", read(b, &m)), ("v", read(b, &v))]
        }
        Op::Norm(op) => {
            let Dims { rows, cols } = op.dims;
            let x = buf(b, rows * cols, -2.0, 2.0);
            let (gain, shift) = (buf(b, cols, 0.5, 1.5), buf(b, cols, -0.5, 0.5));
            let (mut mean, mut var) = (buf(b, cols, -0.5, 0.5), buf(b, cols, 0.5, 1.5));
            let (mut xhat, mut inv, mut y) = (b.alloc(rows * cols), b.alloc(rows.max(cols)), b.alloc(rows * cols));
            let running = (op.kind == NormKind::Batch).then_some((&mut mean, &mut var));
            let saved = NormSaved { xhat: &mut xhat, inv_std: &mut inv };
            b.norm_forward(op, &x, &gain, Some(&shift), running, saved, &mut y);
            let g = buf(b, rows * cols, -1.0, 1.0);
            let (mut d_gain, mut d_shift, mut dx) = (b.alloc(cols), b.alloc(cols), b.alloc(rows * cols));
            b.norm_backward(op, &g, &gain, &xhat, &inv, &mut d_gain, Some(&mut d_shift), Some(&mut dx));
            vec![
                ("y", read(b, &y)),
                ("running mean", read(b, &mean)),
                ("running variance", read(b, &var)),
                ("gain gradient", read(b, &d_gain)),
                ("shift gradient", read(b, &d_shift)),
                ("input gradient", read(b, &dx)),
            ]
        }
        Op::Embed(op) => {
            let tokens = op.rows * op.len;
            // Ids as the data holds them are whole numbers; fractions are cut the same way everywhere.
            let id_buf = buf(b, tokens, 0.0, op.vocab as f64);
            let (table, pos) = (buf(b, op.vocab * op.dim, -1.0, 1.0), buf(b, op.len * op.dim, -1.0, 1.0));
            let mut y = b.alloc(tokens * op.dim);
            b.embed_forward(op, &id_buf, &table, &pos, &mut y);
            let g = buf(b, tokens * op.dim, -1.0, 1.0);
            let (mut d_table, mut d_pos) = (b.alloc(op.vocab * op.dim), b.alloc(op.len * op.dim));
            b.embed_backward(op, &id_buf, &g, &mut d_table, Some(&mut d_pos));
            vec![("y", read(b, &y)), ("table gradient", read(b, &d_table)), ("position gradient", read(b, &d_pos))]
        }
        Op::Pool(op) => {
            let x = buf(b, op.rows * op.len * op.dim, -1.0, 1.0);
            let mut y = b.alloc(op.rows * op.dim);
            b.pool_forward(op, &x, &mut y);
            let g = buf(b, op.rows * op.dim, -1.0, 1.0);
            let mut dx = buf(b, op.rows * op.len * op.dim, -1.0, 1.0);
            b.pool_backward(op, &g, &mut dx);
            vec![("y", read(b, &y)), ("dx", read(b, &dx))]
        }
        Op::SwapAxes(op) => {
            let n = op.examples * op.outer * op.a * op.b * op.inner;
            let x = buf(b, n, -1.0, 1.0);
            let (mut y, mut back) = (b.alloc(n), b.alloc(n));
            b.swap_axes(op, &x, &mut y);
            b.swap_axes(op.inverse(), &y, &mut back);
            vec![("y", read(b, &y)), ("back", read(b, &back))]
        }
        Op::Attention(op) => {
            let tokens = op.rows * op.len;
            let qkv = buf(b, tokens * 3 * op.dim, -1.5, 1.5);
            let (mut probs, mut o) = (b.alloc(op.rows * op.heads * op.len * op.len), b.alloc(tokens * op.dim));
            b.attention_forward(op, &qkv, &mut probs, &mut o);
            let d_o = buf(b, tokens * op.dim, -1.0, 1.0);
            let mut d_qkv = buf(b, tokens * 3 * op.dim, -1.0, 1.0);
            b.attention_backward(op, &qkv, &probs, &d_o, &mut d_qkv);
            vec![("probabilities", read(b, &probs)), ("o", read(b, &o)), ("qkv gradient", read(b, &d_qkv))]
        }
        Op::Route(op) => {
            let n = op.rows * op.experts;
            let logits = buf(b, n, -3.0, 3.0);
            let (mut probs, mut gates, mut aux) = (b.alloc(n), b.alloc(n), b.alloc(1));
            b.moe_route(op, &logits, &mut probs, &mut gates, &mut aux);
            let d_gates = buf(b, n, -1.0, 1.0);
            let mut d_logits = b.alloc(n);
            b.moe_route_backward(op, &probs, &gates, &d_gates, &mut d_logits);
            vec![
                ("probabilities", read(b, &probs)),
                ("gates", read(b, &gates)),
                ("balancing loss", read(b, &aux)),
                ("logits gradient", read(b, &d_logits)),
            ]
        }
        Op::Gate(op) => {
            let (rows, n) = (op.moe.rows, op.moe.rows * op.cols);
            let gates = buf(b, rows * op.moe.experts, 0.0, 1.0);
            let x = buf(b, n, -1.0, 1.0);
            let mut y = buf(b, n, -1.0, 1.0);
            b.gate_rows(op, &gates, &x, &mut y);
            let g = buf(b, n, -1.0, 1.0);
            let mut d_gates = buf(b, rows * op.moe.experts, -1.0, 1.0);
            b.gate_grad(op, &g, &x, &mut d_gates);
            vec![("y", read(b, &y)), ("gates gradient", read(b, &d_gates))]
        }
        Op::Kan(op) => {
            let n = op.rows * op.width;
            let features = n * (op.grid + op.order + 1);
            // Beyond the grid on both sides, where only silu is left.
            let x = buf(b, n, op.lo - 0.3, op.hi + 0.3);
            let mut f = b.alloc(features);
            b.kan_basis(op, &x, &mut f);
            let d_f = buf(b, features, -1.0, 1.0);
            let mut dx = b.alloc(n);
            b.kan_basis_backward(op, &x, &d_f, &mut dx);
            vec![("features", read(b, &f)), ("dx", read(b, &dx))]
        }
        Op::Rational(op) => {
            let n = op.rows * op.width;
            let (x, coeffs) = (buf(b, n, -2.0, 2.0), buf(b, op.groups * 10, -0.5, 0.5));
            let mut y = b.alloc(n);
            b.rational_forward(op, &x, &coeffs, &mut y);
            let g = buf(b, n, -1.0, 1.0);
            let (mut d_coeffs, mut dx) = (b.alloc(op.groups * 10), b.alloc(n));
            b.rational_backward(op, &x, &coeffs, &g, &mut d_coeffs, Some(&mut dx));
            vec![("y", read(b, &y)), ("coefficient gradients", read(b, &d_coeffs)), ("dx", read(b, &dx))]
        }
    }
}
