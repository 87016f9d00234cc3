//! Layer metrics on real training runs: gradients vanish with depth in a deep sigmoid MLP and
//! do not with residual connections; ReLU layers show sparsity; ranks stay within the width.

use layerlab_engine::cpu::Cpu;
use layerlab_engine::metrics::Snapshot;
use layerlab_engine::train::Trainer;
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{Activation, Attention, Block, Dense, Embed, Kan, KanBasis, Norm, NormKind, Residual};
use layerlab_spec::train::Optimizer;

fn dense(units: u32, activation: Activation) -> Block {
    Block::Dense(Dense { units, activation, bias: true })
}

/// The snapshot after one step: its gradients are those at initialisation.
fn first_snapshot(model: Vec<Block>) -> Snapshot {
    let mut spec = Spec { model, ..Spec::default() };
    spec.training.optimizer = Optimizer::Sgd { learning_rate: 1e-7 };
    spec.training.batch_size = 64;
    spec.metrics.every = layerlab_spec::Every::Steps(1);
    let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("valid");
    trainer.step().expect("finite");
    trainer.snapshot()
}

/// Gradient norm of the first hidden layer over that of the last.
fn first_over_last(s: &Snapshot, hidden: &[&str]) -> f64 {
    let grad = |name: &str| s.layers.iter().find(|l| l.name == name).and_then(|l| l.grad_norm).expect(name);
    grad(hidden[0]) / grad(hidden[hidden.len() - 1])
}

#[test]
fn gradients_vanish_with_depth_without_residuals_and_not_with_them() {
    let plain: Vec<Block> = (0..20).map(|_| dense(16, Activation::Sigmoid)).collect();
    let s = first_snapshot(plain);
    let names: Vec<String> = (0..20).map(|i| format!("model[{i}]")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let plain_ratio = first_over_last(&s, &names);
    assert!(plain_ratio < 1e-3, "20 sigmoid layers: first/last gradient norm {plain_ratio:e}");

    let mut residual = vec![dense(16, Activation::Sigmoid)];
    residual.extend(
        (0..19).map(|_| Block::Residual(Residual { body: vec![dense(16, Activation::Sigmoid)], drop_path: 0.0 })),
    );
    let s = first_snapshot(residual);
    let names: Vec<String> = (1..20).map(|i| format!("model[{i}].body[0]")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let residual_ratio = first_over_last(&s, &names);
    assert!(residual_ratio > 0.1, "with residuals: first/last gradient norm {residual_ratio:e}");
}

#[test]
fn every_layer_is_measured_within_its_width() {
    let s = first_snapshot(vec![dense(32, Activation::Relu), dense(8, Activation::Tanh)]);
    assert_eq!(s.layers.len(), 3);
    for l in &s.layers {
        let rank = l.effective_rank.expect("rank on by default");
        assert!(rank >= 1.0 && rank <= l.width as f64 + 1e-9, "{}: effective rank {rank} of width {}", l.name, l.width);
        assert!(l.numerical_rank.expect("rank") <= l.width);
        let stable = l.stable_rank.expect("rank");
        assert!(stable >= 1.0 - 1e-9 && stable <= l.width as f64 + 1e-9, "{}: stable rank {stable}", l.name);
    }
    let relu = &s.layers[0];
    assert!(relu.sparsity.expect("on") > 0.2, "a fresh ReLU layer is about half zeros: {relu:?}");
    assert_eq!(s.layers[1].sparsity, Some(0.0), "tanh outputs are never exactly 0");
    assert!(s.layers[0].update_ratio.expect("gradients on") > 0.0);
}

/// "Attention is Not All You Need: Pure Attention Loses Rank Doubly Exponentially with Depth":
/// at initialisation, 12 layers of pure self-attention (no skip, no MLP) drive every sequence's
/// tokens together, so the per-sequence effective rank of the representation falls towards 1
/// with depth; the same layers with skip connections keep it.
#[test]
fn pure_attention_loses_rank_with_depth_and_skips_keep_it() {
    let ranks = |skip: bool| -> Vec<f64> {
        let mut spec = Spec::default();
        spec.data.dataset = Dataset::Copy { length: 16, vocabulary: 20 };
        spec.data.samples = 200;
        spec.model = vec![Block::Embed(Embed { dim: 32, ..Embed::default() })];
        spec.model
            .extend((0..12).map(|_| Block::Attention(Attention { heads: 2, causal: false, skip, mlp_hidden: 0 })));
        let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("valid");
        let s = trainer.snapshot();
        (0..13)
            .map(|i| {
                let name = format!("model[{i}]");
                s.layers.iter().find(|l| l.name == name).and_then(|l| l.effective_rank).expect("measured")
            })
            .collect()
    };
    let pure = ranks(false);
    let skips = ranks(true);
    let show = |r: &[f64]| r.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(" ");
    eprintln!("effective rank by depth, pure attention: {}\nwith skips: {}", show(&pure), show(&skips));
    // The embedding: 32 tokens (16 and their blanks) of width 32, high rank either way.
    assert!(pure[0] > 10.0 && skips[0] > 10.0, "embedding ranks: {} / {}", pure[0], skips[0]);
    assert!(pure[12] < 1.5, "pure attention should collapse towards rank 1: {}", show(&pure));
    assert!(pure.windows(2).skip(1).all(|w| w[1] <= w[0] * 1.05), "falling with depth: {}", show(&pure));
    assert!(skips.iter().all(|&r| r > 8.0), "skips keep the rank far from 1: {}", show(&skips));
}

/// "Kolmogorov-Arnold Transformer"'s variance-preserving initialisation: a stack of
/// group-rational KAN layers keeps its outputs' scale at initialisation instead of letting it
/// shrink or grow layer after layer.
#[test]
fn group_rational_kan_layers_preserve_the_variance_at_initialisation() {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Digits;
    let kan = Block::Kan(Kan { units: 64, basis: KanBasis::GroupRational, groups: 8, ..Kan::default() });
    spec.model = vec![Block::Norm(Norm { kind: NormKind::Layer })];
    spec.model.extend(std::iter::repeat_n(kan, 6));
    spec.metrics.probe_size = 256;
    let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("valid");
    let s = trainer.snapshot();
    let scale = |name: &str| {
        let l = s.layers.iter().find(|l| l.name == name).unwrap_or_else(|| panic!("{name}"));
        l.output_rms.expect("measured")
    };
    let first = scale("model[1]");
    let last = scale("model[6]");
    eprintln!("output RMS after 1 layer: {first:.3}, after 6: {last:.3}");
    assert!((0.5..2.0).contains(&first) && (0.5..2.0).contains(&last), "{first} {last}");
}

/// `"auto"` picks a round interval from the model's estimated costs: it measures less often
/// where a measurement costs more and more often where steps cost more; a number of steps in the
/// spec is kept as it is.
#[test]
fn the_auto_interval_follows_the_cost_of_measuring_against_training() {
    use layerlab_engine::metrics::interval::AUTO_RANGE;
    use layerlab_spec::Every;
    use std::cmp::Ordering::{Greater, Less};
    let mut digits = Spec::default();
    digits.data.dataset = Dataset::Digits;
    digits.model = vec![dense(256, Activation::Relu); 2];
    digits.training.batch_size = 64;
    digits.training.length = layerlab_spec::train::Length::Steps(1_000_000);
    let every = |change: &dyn Fn(&mut Spec)| {
        let mut spec = digits.clone();
        change(&mut spec);
        Trainer::new(Cpu::<f32>::new(), &spec, None).expect("valid").metrics_every
    };
    let base = every(&|_| {});
    let round = (0..6).flat_map(|e| [1, 2, 5].map(|m| m * 10u64.pow(e)));
    assert!(round.into_iter().any(|r| r == base) && (AUTO_RANGE.0..=AUTO_RANGE.1).contains(&base), "{base}");
    // `cargo xtask bench` measured this model at 0.47 ms a step and 14 ms a measurement: below
    // 200 steps measuring would add more than 15 %.
    assert!(base >= 200, "the digits MLP is measured every {base} steps");
    type Change = fn(&mut Spec);
    let cases: [(&str, Change, std::cmp::Ordering); 7] = [
        (
            "a run of 400 steps, measured at least ten times",
            |s| s.training.length = layerlab_spec::train::Length::Steps(400),
            Less,
        ),
        ("a probe a quarter the size", |s| s.metrics.probe_size = 64, Less),
        ("batches a quarter the size", |s| s.training.batch_size = 16, Greater),
        ("no ranks", |s| s.metrics.rank = false, Less),
        ("batches four times larger", |s| s.training.batch_size = 256, Less),
        (
            "layers four times wider (the probe's 256 rows bound the spectra)",
            |s| {
                s.model = vec![dense(1024, Activation::Relu); 2];
            },
            Less,
        ),
        ("every 7 steps", |s| s.metrics.every = Every::Steps(7), Less),
    ];
    for (what, change, order) in cases {
        let n = every(&change);
        assert_eq!(n.cmp(&base), order, "{what}: every {n} steps against {base}");
    }
    assert_eq!(every(&|s| s.metrics.every = Every::Steps(7)), 7);
    assert_eq!(every(&|s| s.training.length = layerlab_spec::train::Length::Steps(400)), 20);
    assert_eq!(every(&|s| s.training.length = layerlab_spec::train::Length::Steps(30)), AUTO_RANGE.0);
}
