//! The blocks every model-level check runs: the gradient checks against finite differences and
//! the backend suite against the CPU reference share this one list.

use layerlab_spec::Shape;
use layerlab_spec::model::{
    Activation, Attention, Block, Dense, Dropout, Embed, Glu, GluKind, Hourglass, Kan, KanBasis, Merge, Mixer, Moe,
    Norm, NormKind, Parallel, Patchify, Pool, PoolMode, Positions, Residual,
};
use layerlab_spec::train::Loss;

/// A small model to check: its blocks, what it takes and answers, and its loss.
#[derive(Debug, Clone)]
pub struct BlockCase {
    pub name: &'static str,
    pub blocks: Vec<Block>,
    pub input: Shape,
    pub output: Shape,
    pub loss: Loss,
}

pub fn dense(units: u32, activation: Activation) -> Block {
    Block::Dense(Dense { units, activation, bias: true })
}
pub fn norm(kind: NormKind) -> Block {
    Block::Norm(Norm { kind })
}
pub fn residual(body: Vec<Block>, drop_path: f32) -> Block {
    Block::Residual(Residual { body, drop_path })
}
pub fn parallel(branches: Vec<Vec<Block>>, merge: Merge) -> Block {
    Block::Parallel(Parallel { branches, merge })
}

pub fn glu(units: u32, kind: GluKind) -> Block {
    Block::Glu(Glu { units, kind })
}
pub fn hourglass(frozen_lift: bool) -> Block {
    Block::Hourglass(Hourglass { wide: 6, narrow: 2, depth: 2, activation: Activation::Gelu, frozen_lift })
}

/// Every activation, loss, norm, container, sequence block, mixer, expert layer and KAN, alone
/// and nested: the cases of the gradient checks and of the backend suite.
pub fn block_cases() -> Vec<BlockCase> {
    use Activation::*;
    let case = |name, blocks, inputs: u32, outputs: u32, loss| BlockCase {
        name,
        blocks,
        input: Shape::Flat(inputs),
        output: Shape::Flat(outputs),
        loss,
    };
    // Sequences of 4 token ids below 5, answered at the last `answer` positions with 3 classes
    // (or one vector, after a pool).
    let tokens = |name, blocks, output| BlockCase {
        name,
        blocks,
        input: Shape::Tokens { len: 4, vocab: 5 },
        output,
        loss: Loss::CrossEntropy,
    };
    let answer = |len| Shape::Seq { len, dim: 3 };
    let attn = |heads, causal, skip, mlp_hidden| Block::Attention(Attention { heads, causal, skip, mlp_hidden });
    let embed = || Block::Embed(Embed { dim: 4, ..Embed::default() });
    let pool = |mode| Block::Pool(Pool { mode });
    let mut cases = Vec::new();
    for act in [Relu, LeakyRelu, Gelu, Silu, Tanh, Sigmoid, Sine, Identity] {
        cases.push(case("activation", vec![dense(5, act), dense(4, act)], 3, 2, Loss::Mse));
    }
    cases.extend([
        case(
            "dense without bias",
            vec![Block::Dense(Dense { units: 4, activation: Tanh, bias: false })],
            3,
            1,
            Loss::Mse,
        ),
        case("binary cross-entropy", vec![dense(4, Tanh)], 2, 1, Loss::BinaryCrossEntropy),
        case("cross-entropy", vec![dense(4, Relu)], 3, 4, Loss::CrossEntropy),
        case("layer norm", vec![dense(5, Tanh), norm(NormKind::Layer)], 3, 2, Loss::Mse),
        case("rms norm", vec![dense(5, Tanh), norm(NormKind::Rms)], 3, 2, Loss::Mse),
        case("batch norm", vec![dense(5, Tanh), norm(NormKind::Batch)], 3, 2, Loss::Mse),
        case("norm first", vec![norm(NormKind::Layer), dense(4, Silu)], 3, 2, Loss::CrossEntropy),
        case("dropout", vec![dense(8, Tanh), Block::Dropout(Dropout { rate: 0.3 })], 3, 2, Loss::Mse),
        case(
            "residual",
            vec![dense(4, Tanh), residual(vec![dense(6, Gelu), dense(4, Identity)], 0.0)],
            3,
            2,
            Loss::Mse,
        ),
        case("empty residual", vec![dense(4, Tanh), residual(vec![], 0.0)], 3, 2, Loss::Mse),
        case("residual with stochastic depth", vec![residual(vec![dense(3, Sine)], 0.4)], 3, 1, Loss::Mse),
        case("glu", vec![glu(5, GluKind::Glu)], 3, 2, Loss::Mse),
        case("swiglu", vec![dense(4, Tanh), glu(5, GluKind::Swiglu)], 3, 3, Loss::CrossEntropy),
        case("bilinear", vec![glu(4, GluKind::Bilinear), dense(3, Tanh)], 3, 1, Loss::BinaryCrossEntropy),
        case("hourglass with a trained lift", vec![hourglass(false)], 3, 2, Loss::Mse),
        case("hourglass with a frozen lift", vec![dense(4, Tanh), hourglass(true)], 3, 2, Loss::Mse),
        case(
            "parallel sum",
            vec![parallel(vec![vec![dense(4, Tanh)], vec![dense(4, Relu), dense(4, Sigmoid)]], Merge::Sum)],
            3,
            2,
            Loss::Mse,
        ),
        case(
            "parallel concat with an identity branch",
            vec![parallel(vec![vec![], vec![dense(4, Silu)], vec![dense(2, Tanh)]], Merge::Concat), dense(3, Tanh)],
            3,
            3,
            Loss::CrossEntropy,
        ),
        case(
            "residual inside a parallel branch",
            vec![
                dense(4, Tanh),
                parallel(
                    vec![vec![residual(vec![dense(4, Gelu), norm(NormKind::Rms), dense(4, Identity)], 0.0)], vec![]],
                    Merge::Sum,
                ),
                norm(NormKind::Batch),
            ],
            3,
            1,
            Loss::BinaryCrossEntropy,
        ),
    ]);
    cases.extend([
        tokens("embed, answering at every position", vec![embed(), dense(4, Tanh)], answer(4)),
        tokens("embed, answering at the last two positions", vec![embed(), dense(4, Tanh)], answer(2)),
        tokens(
            "sinusoidal positions",
            vec![Block::Embed(Embed { dim: 4, positions: Positions::Sinusoidal }), attn(2, true, true, 0)],
            answer(2),
        ),
        tokens("mean pool", vec![embed(), pool(PoolMode::Mean), dense(3, Tanh)], Shape::Flat(3)),
        tokens("last-token pool", vec![embed(), pool(PoolMode::Last)], Shape::Flat(3)),
        tokens("pure attention, two heads", vec![embed(), attn(2, false, false, 0)], answer(4)),
        tokens("causal attention", vec![embed(), attn(1, true, false, 0), attn(2, true, false, 0)], answer(3)),
        tokens("attention with skip and MLP", vec![embed(), attn(2, false, true, 5), norm(NormKind::Layer)], answer(2)),
        tokens(
            "attention, MLP without skip, then pool",
            vec![embed(), attn(4, false, false, 3), pool(PoolMode::Mean)],
            Shape::Flat(3),
        ),
    ]);
    let patchify = || Block::Patchify(Patchify { patch: 2, dim: 3 });
    let mixer = || Block::Mixer(Mixer { token_hidden: 3, channel_hidden: 5 });
    cases.extend([
        case("patchify, then pool", vec![patchify(), pool(PoolMode::Mean)], 16, 2, Loss::Mse),
        case("mixer on patches", vec![patchify(), mixer(), pool(PoolMode::Mean)], 16, 3, Loss::CrossEntropy),
        tokens("mixer on tokens", vec![embed(), mixer(), mixer()], answer(4)),
    ]);
    let moe = |experts, top_k, balance| Block::Moe(Moe { experts, top_k, hidden: 4, units: 3, balance });
    cases.extend([
        case("mixture of experts, top-1, balanced", vec![moe(3, 1, 0.5)], 3, 2, Loss::Mse),
        case("mixture of experts, top-2 of 4", vec![dense(4, Tanh), moe(4, 2, 0.1)], 3, 3, Loss::CrossEntropy),
        tokens("mixture of experts on tokens", vec![embed(), moe(2, 2, 0.0)], answer(4)),
    ]);
    let kan = |units, basis, grid, order, groups| Block::Kan(Kan { units, basis, grid, order, groups, refine: None });
    cases.extend([
        case(
            "kan, cubic splines",
            vec![kan(4, KanBasis::BSpline, 5, 3, 1), kan(2, KanBasis::BSpline, 3, 2, 1)],
            3,
            2,
            Loss::Mse,
        ),
        case(
            "kan, linear splines after tanh",
            vec![dense(4, Tanh), kan(3, KanBasis::BSpline, 4, 1, 1)],
            3,
            3,
            Loss::CrossEntropy,
        ),
        case(
            "kan, group rationals",
            vec![dense(6, Identity), kan(4, KanBasis::GroupRational, 0, 0, 3)],
            3,
            2,
            Loss::Mse,
        ),
    ]);
    cases
}
