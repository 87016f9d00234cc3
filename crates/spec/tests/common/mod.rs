//! Generators of specs for the property tests: any spec (for codec round trips) and valid ones.
#![allow(dead_code)]

use layerlab_spec::Spec;
use layerlab_spec::data::*;
use layerlab_spec::model::*;
use layerlab_spec::spec::{Every, MetricsSpec};
use layerlab_spec::train::*;
use proptest::prelude::*;

pub fn finite() -> impl Strategy<Value = f32> {
    prop_oneof![any::<f32>().prop_filter("finite", |f| f.is_finite()), 0.0f32..1.0]
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Activation::Relu),
        Just(Activation::LeakyRelu),
        Just(Activation::Gelu),
        Just(Activation::Silu),
        Just(Activation::Tanh),
        Just(Activation::Sigmoid),
        Just(Activation::Sine),
        Just(Activation::Identity),
    ]
}

fn leaf_block() -> impl Strategy<Value = Block> {
    prop_oneof![
        (any::<u32>(), activation(), any::<bool>()).prop_map(|(units, activation, bias)| Block::Dense(Dense {
            units,
            activation,
            bias
        })),
        prop_oneof![Just(NormKind::Layer), Just(NormKind::Rms), Just(NormKind::Batch)]
            .prop_map(|kind| Block::Norm(Norm { kind })),
        finite().prop_map(|rate| Block::Dropout(Dropout { rate })),
        (any::<u32>(), any::<u32>(), any::<u32>(), activation(), any::<bool>()).prop_map(
            |(wide, narrow, depth, activation, frozen_lift)| Block::Hourglass(Hourglass {
                wide,
                narrow,
                depth,
                activation,
                frozen_lift
            })
        ),
        (
            any::<u32>(),
            any::<bool>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            proptest::option::of((any::<u32>(), any::<u32>()))
        )
            .prop_map(|(units, rational, grid, order, groups, refine)| {
                let basis = if rational { KanBasis::GroupRational } else { KanBasis::BSpline };
                let refine = refine.map(|(every, max_grid)| KanRefine { every, max_grid });
                Block::Kan(Kan { units, basis, grid, order, groups, refine })
            }),
        (any::<u32>(), prop_oneof![Just(GluKind::Glu), Just(GluKind::Bilinear), Just(GluKind::Swiglu)])
            .prop_map(|(units, kind)| Block::Glu(Glu { units, kind })),
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>(), finite()).prop_map(
            |(experts, top_k, hidden, units, balance)| Block::Moe(Moe { experts, top_k, hidden, units, balance })
        ),
        (any::<u32>(), any::<u32>())
            .prop_map(|(token_hidden, channel_hidden)| Block::Mixer(Mixer { token_hidden, channel_hidden })),
        (any::<u32>(), any::<bool>(), any::<bool>(), any::<u32>()).prop_map(|(heads, causal, skip, mlp_hidden)| {
            Block::Attention(Attention { heads, causal, skip, mlp_hidden })
        }),
        (any::<u32>(), any::<u32>()).prop_map(|(patch, dim)| Block::Patchify(Patchify { patch, dim })),
        (any::<u32>(), any::<bool>()).prop_map(|(dim, fixed)| Block::Embed(Embed {
            dim,
            positions: if fixed { Positions::Sinusoidal } else { Positions::Learned }
        })),
        prop_oneof![Just(PoolMode::Mean), Just(PoolMode::Last)].prop_map(|mode| Block::Pool(Pool { mode })),
    ]
}

pub fn block() -> impl Strategy<Value = Block> {
    leaf_block().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), finite())
                .prop_map(|(body, drop_path)| Block::Residual(Residual { body, drop_path })),
            (prop::collection::vec(prop::collection::vec(inner, 0..3), 0..3), any::<bool>()).prop_map(
                |(branches, concat)| {
                    Block::Parallel(Parallel { branches, merge: if concat { Merge::Concat } else { Merge::Sum } })
                }
            ),
        ]
    })
}

fn dataset() -> impl Strategy<Value = Dataset> {
    prop_oneof![
        Just(Dataset::Circle),
        Just(Dataset::Xor),
        Just(Dataset::Gaussian),
        Just(Dataset::Spiral),
        Just(Dataset::TwoMoons),
        any::<u32>().prop_map(|cells| Dataset::Checkerboard { cells }),
        any::<u32>().prop_map(|arms| Dataset::ArmSpiral { arms }),
        Just(Dataset::Plane),
        Just(Dataset::MultiGaussian),
        prop_oneof![
            Just(Formula::ExpSinSquare),
            Just(Formula::Product),
            Just(Formula::BesselRing),
            Just(Formula::SinCos)
        ]
        .prop_map(|formula| Dataset::Formula { formula }),
        Just(Dataset::Digits),
        Just(Dataset::Iris),
        Just(Dataset::Wine),
        Just(Dataset::BreastCancer),
        (any::<bool>(), any::<u32>()).prop_map(|(c, side)| Dataset::Image {
            image: if c { BundledImage::Scene } else { BundledImage::Checker },
            side
        }),
        any::<u32>().prop_map(|modulus| Dataset::ModularAddition { modulus }),
        any::<u32>().prop_map(|bits| Dataset::Parity { bits }),
        (any::<u32>(), any::<u32>()).prop_map(|(length, vocabulary)| Dataset::Copy { length, vocabulary }),
        (any::<u32>(), any::<u32>()).prop_map(|(length, vocabulary)| Dataset::Reverse { length, vocabulary }),
        (any::<u32>(), any::<bool>())
            .prop_map(|(digits, chain_of_thought)| Dataset::Arithmetic { digits, chain_of_thought }),
        (".{0,12}", any::<u32>(), ".{0,12}", prop::option::of(any::<u32>())).prop_map(
            |(name, inputs, target, classes)| {
                let task = classes.map_or(CsvTask::Regression, |classes| CsvTask::Classes { classes });
                Dataset::Csv(CsvRef { name, inputs, target, task })
            }
        ),
    ]
}

fn feature() -> impl Strategy<Value = Feature> {
    prop_oneof![
        Just(Feature::X),
        Just(Feature::Y),
        Just(Feature::XSquared),
        Just(Feature::YSquared),
        Just(Feature::XTimesY),
        Just(Feature::SinX),
        Just(Feature::SinY),
    ]
}

fn optimizer() -> impl Strategy<Value = Optimizer> {
    prop_oneof![
        finite().prop_map(|learning_rate| Optimizer::Sgd { learning_rate }),
        (finite(), finite()).prop_map(|(learning_rate, momentum)| Optimizer::Momentum { learning_rate, momentum }),
        (finite(), finite(), finite(), finite()).prop_map(|(learning_rate, beta1, beta2, epsilon)| Optimizer::Adam {
            learning_rate,
            beta1,
            beta2,
            epsilon
        }),
        (finite(), finite(), finite(), finite(), finite()).prop_map(
            |(learning_rate, beta1, beta2, epsilon, weight_decay)| {
                Optimizer::AdamW { learning_rate, beta1, beta2, epsilon, weight_decay }
            }
        ),
    ]
}

fn training() -> impl Strategy<Value = Training> {
    let schedule = prop_oneof![
        Just(Schedule::Constant),
        (any::<u64>(), finite()).prop_map(|(every, factor)| Schedule::Step { every, factor }),
        any::<u64>().prop_map(|warmup| Schedule::Cosine { warmup }),
        finite().prop_map(|gamma| Schedule::Exponential { gamma }),
    ];
    let rule = prop_oneof![
        Just(LearningRule::Backprop),
        finite().prop_map(|threshold| LearningRule::ForwardForward { threshold }),
        Just(LearningRule::MonoForward),
        Just(LearningRule::FeedbackAlignment),
        Just(LearningRule::TargetProjection),
    ];
    let loss = prop::option::of(prop_oneof![Just(Loss::Mse), Just(Loss::BinaryCrossEntropy), Just(Loss::CrossEntropy)]);
    let init = prop_oneof![Just(Init::Kaiming), Just(Init::Xavier), Just(Init::Orthogonal), Just(Init::Siren)];
    let stop =
        prop::option::of(prop_oneof![finite().prop_map(Stop::LossBelow), finite().prop_map(Stop::AccuracyAbove)]);
    let noise = prop::option::of((finite(), finite()).prop_map(|(eta, gamma)| GradientNoise { eta, gamma }));
    let length = prop_oneof![any::<u64>().prop_map(Length::Steps), any::<u32>().prop_map(Length::Epochs)];
    (
        optimizer(),
        schedule,
        any::<u32>(),
        finite(),
        finite(),
        prop::option::of(finite()),
        noise,
        rule,
        loss,
        init,
        length,
        stop,
    )
        .prop_map(
            |(optimizer, schedule, batch_size, l1, l2, clip_norm, gradient_noise, rule, loss, init, length, stop)| {
                Training {
                    optimizer,
                    schedule,
                    batch_size,
                    l1,
                    l2,
                    clip_norm,
                    gradient_noise,
                    rule,
                    loss,
                    init,
                    length,
                    stop,
                }
            },
        )
}

/// Any spec whose numbers are finite: valid or not, every codec must carry it unchanged.
pub fn any_spec() -> impl Strategy<Value = Spec> {
    let data = (
        dataset(),
        any::<u32>(),
        finite(),
        finite(),
        prop::collection::vec(feature(), 0..8),
        prop::option::of((any::<u32>(), finite())),
        any::<u32>(),
    )
        .prop_map(|(dataset, samples, noise, train_fraction, features, fourier, draw)| DataSpec {
            dataset,
            samples,
            noise,
            train_fraction,
            features,
            fourier: fourier.map(|(count, scale)| FourierInput { count, scale }),
            draw,
        });
    let every = prop_oneof![Just(Every::Auto), any::<u32>().prop_map(Every::Steps)];
    let metrics = (every, any::<u32>(), any::<[bool; 4]>()).prop_map(
        |(every, probe_size, [rank, sparsity, gradients, similarity])| MetricsSpec {
            every,
            probe_size,
            rank,
            sparsity,
            gradients,
            similarity,
        },
    );
    (data, prop::collection::vec(block(), 0..8), training(), any::<u64>(), metrics)
        .prop_map(|(data, model, training, seed, metrics)| Spec { data, model, training, seed, metrics })
}

/// Valid MLP experiments on the 2D datasets: the common case of a link.
pub fn valid_mlp() -> impl Strategy<Value = Spec> {
    let layer =
        (1u32..=64, activation()).prop_map(|(units, activation)| Block::Dense(Dense { units, activation, bias: true }));
    let planar = prop_oneof![
        Just(Dataset::Circle),
        Just(Dataset::Xor),
        Just(Dataset::Gaussian),
        Just(Dataset::Spiral),
        Just(Dataset::TwoMoons)
    ];
    (planar, prop::collection::vec(layer, 0..8), 0.0f32..0.5, 1u32..=256, 1e-4f32..1.0, any::<u64>()).prop_map(
        |(dataset, model, noise, batch_size, learning_rate, seed)| {
            let mut spec = Spec { model, seed, ..Spec::default() };
            spec.data.dataset = dataset;
            spec.data.noise = noise;
            spec.training.batch_size = batch_size;
            spec.training.optimizer = Optimizer::Sgd { learning_rate };
            spec
        },
    )
}
