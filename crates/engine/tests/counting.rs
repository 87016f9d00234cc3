//! The engine builds exactly the parameters the spec crate counts (the page shows those counts
//! before anything is built), trainable and frozen, for every block the engine trains.

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::*;
use layerlab_spec::{Spec, analyse};

fn dense(units: u32) -> Block {
    Block::Dense(Dense { units, ..Dense::default() })
}

fn models() -> Vec<(&'static str, Dataset, Vec<Block>)> {
    let hourglass = |frozen_lift| Block::Hourglass(Hourglass { frozen_lift, ..Hourglass::default() });
    vec![
        ("mlp", Dataset::Circle, vec![dense(8), dense(8)]),
        ("no bias", Dataset::Spiral, vec![Block::Dense(Dense { units: 5, bias: false, ..Dense::default() })]),
        (
            "norms",
            Dataset::Plane,
            vec![
                dense(6),
                Block::Norm(Norm { kind: NormKind::Layer }),
                Block::Norm(Norm { kind: NormKind::Rms }),
                Block::Norm(Norm { kind: NormKind::Batch }),
            ],
        ),
        (
            "residual",
            Dataset::Xor,
            vec![dense(4), Block::Residual(Residual { body: vec![dense(7), dense(4)], drop_path: 0.1 })],
        ),
        (
            "parallel",
            Dataset::Digits,
            vec![Block::Parallel(Parallel {
                branches: vec![vec![dense(8)], vec![], vec![dense(3), dense(2)]],
                merge: Merge::Concat,
            })],
        ),
        ("frozen hourglass", Dataset::Circle, vec![hourglass(true)]),
        ("trained hourglass", Dataset::ArmSpiral { arms: 4 }, vec![dense(5), hourglass(false)]),
        (
            "glu kinds",
            Dataset::Wine,
            vec![
                Block::Glu(Glu { units: 6, kind: GluKind::Glu }),
                Block::Glu(Glu { units: 3, kind: GluKind::Bilinear }),
                Block::Glu(Glu { units: 4, kind: GluKind::Swiglu }),
            ],
        ),
        (
            "sequences",
            Dataset::Copy { length: 5, vocabulary: 7 },
            vec![
                Block::Embed(Embed { dim: 8, positions: Positions::Sinusoidal }),
                Block::Attention(Attention { heads: 2, causal: true, skip: true, mlp_hidden: 12 }),
            ],
        ),
        (
            "learned positions, pool",
            Dataset::Parity { bits: 6 },
            vec![
                Block::Embed(Embed { dim: 6, positions: Positions::Learned }),
                Block::Attention(Attention { heads: 3, causal: false, skip: false, mlp_hidden: 0 }),
                Block::Pool(Pool { mode: PoolMode::Mean }),
            ],
        ),
        (
            "mixture of experts",
            Dataset::Iris,
            vec![dense(5), Block::Moe(Moe { experts: 3, top_k: 2, hidden: 7, units: 4, balance: 0.1 })],
        ),
        (
            "kan kinds",
            Dataset::Circle,
            vec![
                Block::Kan(Kan { units: 6, grid: 7, order: 2, ..Kan::default() }),
                Block::Kan(Kan { units: 5, basis: KanBasis::GroupRational, groups: 3, ..Kan::default() }),
            ],
        ),
        (
            "patches, mixers, pool",
            Dataset::Digits,
            vec![
                Block::Patchify(Patchify { patch: 4, dim: 12 }),
                Block::Mixer(Mixer { token_hidden: 5, channel_hidden: 7 }),
                Block::Mixer(Mixer::default()),
                Block::Pool(Pool { mode: PoolMode::Last }),
                dense(6),
            ],
        ),
    ]
}

#[test]
fn built_parameters_match_the_spec_counts() {
    for (name, dataset, model) in models() {
        let mut spec = Spec::default();
        spec.data.dataset = dataset;
        spec.model = model;
        let analysis = analyse(&spec).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let params = &trainer.model.params;
        let trained: usize = params.iter().filter(|p| p.trainable).map(|p| p.len).sum();
        let frozen: usize = params.iter().filter(|p| !p.trainable).map(|p| p.len).sum();
        assert_eq!(trained as u64, analysis.parameters, "{name}: trainable parameters");
        assert_eq!(frozen as u64, analysis.frozen, "{name}: frozen parameters");
    }
}
