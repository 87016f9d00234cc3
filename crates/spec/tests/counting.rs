//! Shape inference and counting on hand-checked cases.

use layerlab_spec::data::{Dataset, Feature};
use layerlab_spec::model::*;
use layerlab_spec::train::LearningRule;
use layerlab_spec::{Shape, Spec, analyse};

fn dense(units: u32) -> Block {
    Block::Dense(Dense { units, ..Dense::default() })
}

fn spec(dataset: Dataset, model: Vec<Block>) -> Spec {
    let mut spec = Spec { model, ..Spec::default() };
    spec.data.dataset = dataset;
    spec
}

/// (what, spec, parameters, output shape of the last hidden block)
fn cases() -> Vec<(&'static str, Spec, u64, Shape)> {
    let residual = |body| Block::Residual(Residual { body, drop_path: 0.0 });
    let parallel = |branches, merge| Block::Parallel(Parallel { branches, merge });
    vec![
        // 2·8+8 + 8·8+8 + 8·1+1
        ("2-8-8-1 MLP", spec(Dataset::Circle, vec![dense(8), dense(8)]), 105, Shape::Flat(8)),
        // 2·3+3, then the output layer 3·1+1
        ("no hidden layer: logistic regression", spec(Dataset::Xor, vec![]), 3, Shape::Flat(2)),
        // 2·8+8 + (8·8+8) + 8·1+1: the skip adds no parameters
        ("residual", spec(Dataset::Circle, vec![dense(8), residual(vec![dense(8)])]), 105, Shape::Flat(8)),
        // branches 2·4+4 and 2·6+6 concatenated to 10, output 10·1+1
        (
            "parallel concat",
            spec(Dataset::Circle, vec![parallel(vec![vec![dense(4)], vec![dense(6)]], Merge::Concat)]),
            12 + 18 + 11,
            Shape::Flat(10),
        ),
        // branches 2·4+4 twice summed, output 4·1+1
        (
            "parallel sum",
            spec(Dataset::Circle, vec![parallel(vec![vec![dense(4)], vec![dense(4)]], Merge::Sum)]),
            12 + 12 + 5,
            Shape::Flat(4),
        ),
        // frozen lift 2→32 is not counted; 2 steps of 32·8+8 + 8·32+32; output 32·1+1
        (
            "hourglass",
            spec(Dataset::Spiral, vec![Block::Hourglass(Hourglass::default())]),
            2 * (264 + 288) + 33,
            Shape::Flat(32),
        ),
        // KAN 2→5 with grid 5, order 3: 2·5·(5+3+1); output 5·1+1
        ("kan", spec(Dataset::Circle, vec![Block::Kan(Kan { units: 5, ..Kan::default() })]), 90 + 6, Shape::Flat(5)),
        // Iris: 4 inputs, 3 classes. GLU 4→8: 2·(4·8+8); output 8·3+3
        ("glu on iris", spec(Dataset::Iris, vec![Block::Glu(Glu::default())]), 80 + 27, Shape::Flat(8)),
        // MoE on 2 inputs: router 2·4+4, 4 experts of 2·16+16 + 16·8+8; output 8·1+1
        ("moe", spec(Dataset::Circle, vec![Block::Moe(Moe::default())]), 12 + 4 * (48 + 136) + 9, Shape::Flat(8)),
        // Digits 8x8, patches 2x2 → 16 tokens of 16: 4·16+16; mixer: tokens 16·16+16+16·16+16,
        // channels 16·32+32+32·16+16, norms 4·16; pool; output 16·10+10
        (
            "mixer on digits",
            spec(
                Dataset::Digits,
                vec![
                    Block::Patchify(Patchify::default()),
                    Block::Mixer(Mixer::default()),
                    Block::Pool(Pool::default()),
                ],
            ),
            80 + (272 + 272) + (544 + 528) + 64 + 170,
            Shape::Flat(16),
        ),
        // Modular addition mod 7: 3 tokens from 8; embed (8+3)·32; attention 32·128+128;
        // pool; output 32·7+7
        (
            "attention on modular addition",
            spec(
                Dataset::ModularAddition { modulus: 7 },
                vec![
                    Block::Embed(Embed::default()),
                    Block::Attention(Attention::default()),
                    Block::Pool(Pool { mode: PoolMode::Last }),
                ],
            ),
            352 + 4224 + 231,
            Shape::Flat(32),
        ),
    ]
}

#[test]
fn parameters_and_shapes_match_hand_counts() {
    for (what, spec, parameters, last) in cases() {
        let analysis = analyse(&spec).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert_eq!(analysis.parameters, parameters, "{what}");
        assert_eq!(analysis.head.input, last, "{what}");
    }
}

#[test]
fn flops_and_memory_follow_the_batch_and_the_rule() {
    let mut spec = spec(Dataset::Circle, vec![dense(8), dense(8)]);
    spec.training.batch_size = 10;
    let a = analyse(&spec).unwrap();
    // Forward per example: 2·(2·8 + 8·8 + 8·1) = 176 FLOPs; backprop ×3, batch 10.
    assert_eq!(a.flops_per_step, 176 * 3 * 10);
    // Backprop keeps the input (2) and every output (8 + 8 + 1) of each example, in f32.
    assert_eq!(a.memory.backprop_bytes, (2 + 8 + 8 + 1) * 10 * 4);
    // A local rule holds one block at a time: the input and the largest block's output.
    assert_eq!(a.memory.local_bytes, (2 + 8) * 10 * 4);
    assert_eq!(a.memory.this_rule_bytes, a.memory.backprop_bytes);
    spec.training.rule = LearningRule::MonoForward;
    let local = analyse(&spec).unwrap();
    assert_eq!(local.memory.this_rule_bytes, local.memory.local_bytes);
    assert_eq!(local.flops_per_step, 176 * 2 * 10);
}

#[test]
fn the_blocks_shares_of_a_step_add_up_to_the_step() {
    for (what, mut spec, _, _) in cases() {
        spec.training.batch_size = 7;
        let a = analyse(&spec).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        assert_eq!(a.step_factor, 7 * 3, "{what}: batch times backprop's three passes");
        // Top-level blocks only: a container's cost includes its nested blocks.
        let top: u64 = a.blocks.iter().filter(|b| !b.path.contains('.')).map(|b| b.cost.flops).sum();
        assert_eq!((top + a.head.cost.flops) * a.step_factor, a.flops_per_step, "{what}");
    }
}

#[test]
fn features_set_the_input_width() {
    let mut spec = spec(Dataset::Spiral, vec![dense(8)]);
    spec.data.features = vec![Feature::X, Feature::Y, Feature::XSquared, Feature::SinX];
    assert_eq!(analyse(&spec).unwrap().input, Shape::Flat(4));
    spec.data.fourier = Some(layerlab_spec::data::FourierInput { count: 16, scale: 10.0 });
    assert_eq!(analyse(&spec).unwrap().input, Shape::Flat(36));
}
