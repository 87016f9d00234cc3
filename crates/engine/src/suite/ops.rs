//! The op cases of the backend suite: each backend op on shapes that are and are not multiples
//! of a GPU tile, and of size 1, with inputs drawn from a seed so every backend sees the same.

use layerlab_spec::model::Activation;
use layerlab_spec::train::Loss;
use rand::Rng;

use crate::backend::{Backend, CopyCols, Dims, DropoutOp, Gemm, Update, UpdateRule};
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
    /// Three buffers of these lengths, summed together.
    SumSquaresTotal {
        lens: [usize; 3],
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
    /// `steps` updates in a row, so optimizer state and bias corrections are exercised.
    Update {
        len: usize,
        rule: UpdateRule,
        learning_rate: f64,
        steps: u64,
    },
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
    ];
    for act in [Relu, LeakyRelu, Gelu, Silu, Tanh, Sigmoid, Sine, Identity] {
        cases.push(case("bias and activation", Op::BiasAct { dims: dims(37, 19), act, bias: true }, 1e-5));
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
        case("sum of squares of three", Op::SumSquaresTotal { lens: [1, 300, 70_000] }, 1e-5),
        case("L1 and L2 penalties", Op::Penalty { len: 600, l1: 0.01, l2: 0.1 }, 1e-6),
        case("gradient noise", Op::Noise { len: 4096, std: 0.3, key: 5 }, 1e-4),
        case("SGD", Op::Update { len: 300, rule: UpdateRule::Sgd, learning_rate: 0.1, steps: 3 }, 1e-5),
        case(
            "momentum",
            Op::Update { len: 300, rule: UpdateRule::Momentum { momentum: 0.9 }, learning_rate: 0.05, steps: 3 },
            1e-5,
        ),
        case(
            "Adam",
            Op::Update {
                len: 1000,
                rule: UpdateRule::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.0 },
                learning_rate: 0.01,
                steps: 4,
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
            },
            1e-4,
        ),
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
            vec![("loss", vec![value]), ("gradient", read(b, &grad))]
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
        Op::SumSquaresTotal { lens } => {
            let xs: Vec<B::Buf> = lens.iter().map(|&len| buf(b, len, -1.0, 1.0)).collect();
            vec![("sum", vec![b.sum_squares_total(&xs)])]
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
        Op::Update { len, rule, learning_rate, steps } => {
            let mut p = buf(b, len, -1.0, 1.0);
            let (mut m, mut v) = (b.alloc(len), b.alloc(len));
            for step in 1..=steps {
                let g = buf(b, len, -1.0, 1.0);
                b.update(Update { rule, learning_rate, step }, &mut p, &g, &mut m, &mut v);
            }
            vec![("p", read(b, &p)), ("m", read(b, &m)), ("v", read(b, &v))]
        }
    }
}
