//! JSON and links carry every spec unchanged; typical links are short; golden links decode to
//! the same spec forever.

mod common;

use layerlab_spec::data::Dataset;
use layerlab_spec::json;
use layerlab_spec::link;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::{Every, Spec, analyse};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn json_carries_any_spec_unchanged(spec in common::any_spec()) {
        let (back, warnings) = json::parse(&json::to_json(&spec)).unwrap();
        prop_assert_eq!(back, spec);
        prop_assert!(warnings.is_empty());
    }

    #[test]
    fn links_carry_any_spec_unchanged(spec in common::any_spec()) {
        let (back, warnings) = link::decode_unchecked(&link::encode(&spec)).unwrap();
        prop_assert_eq!(back, spec);
        prop_assert!(warnings.is_empty());
    }

    #[test]
    fn valid_specs_decode_valid(spec in common::valid_mlp()) {
        let encoded = link::encode(&spec);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "URL-safe: {}", encoded);
        let decoded = link::decode(&encoded).unwrap();
        prop_assert_eq!(&decoded.spec, &spec);
        prop_assert_eq!(decoded.analysis, analyse(&spec).unwrap());
        prop_assert_eq!(json::from_json(&json::to_json(&spec)).unwrap().spec, spec);
    }
}

fn six_block_mlp_on_spiral() -> Spec {
    let hidden = |units| Block::Dense(Dense { units, activation: Activation::Relu, bias: true });
    let mut spec = Spec {
        model: vec![hidden(16), hidden(16), hidden(12), hidden(12), hidden(8), hidden(8)],
        seed: 42,
        ..Spec::default()
    };
    spec.data.dataset = Dataset::Spiral;
    spec.data.noise = 0.1;
    spec
}

/// A link and a saved experiment write each real as the spec's f32 prints, not widened to f64
/// (`0.15`, not `0.15000000596046448`); the proptests above check that any f32 comes back.
#[test]
fn reals_are_written_as_short_as_they_print() {
    let mut spec = six_block_mlp_on_spiral();
    spec.data.noise = 0.15;
    spec.training.l2 = 0.003;
    spec.training.clip_norm = Some(1e-7);
    let cases = [(json::to_value(&spec), true), (json::compact(&spec), false)];
    for (value, whole) in cases {
        let text = value.to_string();
        for want in ["\"noise\":0.15", "\"l2\":0.003", "\"clip_norm\":1e-7"] {
            assert!(text.contains(want), "{want} in {text}");
        }
        let reals = text.split(|c: char| !(c.is_ascii_digit() || ".e-".contains(c))).filter(|t| t.contains('.'));
        assert!(reals.clone().all(|t| t.len() <= 6), "no widened digits: {:?}", reals.collect::<Vec<_>>());
        if whole {
            assert_eq!(serde_json::from_value::<Spec>(value).unwrap(), spec);
        }
    }
    assert_eq!(link::decode_unchecked(&link::encode(&spec)).unwrap().0, spec);
}

#[test]
fn a_six_block_mlp_on_spiral_fits_in_200_characters() {
    let encoded = link::encode(&six_block_mlp_on_spiral());
    assert!(encoded.len() <= 200, "{} characters: {encoded}", encoded.len());
    assert_eq!(link::decode(&encoded).unwrap().spec, six_block_mlp_on_spiral());
}

#[test]
fn unknown_fields_are_ignored_and_named() {
    let text = r#"{"data": {"dataset": "xor", "colour": "red"}, "future_option": 3}"#;
    let decoded = json::from_json(text).unwrap();
    assert_eq!(decoded.spec.data.dataset, Dataset::Xor);
    assert_eq!(decoded.spec.model, Spec::default().model, "missing fields take their defaults");
    assert_eq!(decoded.warnings.len(), 2, "{:?}", decoded.warnings);
    assert!(decoded.warnings.iter().any(|w| w.contains("data.colour")), "{:?}", decoded.warnings);
}

/// Unknown fields are found at any depth, in lists and within a block's kind; what the spec
/// knows is never one of them, whatever form it was given in (an alias, a `null` for an absent
/// option, a number for a float).
#[test]
fn unknown_fields_are_named_at_their_path_and_known_ones_never() {
    let cases: &[(&str, &[&str])] = &[
        (r#"{"model": [{"dense": {}}, {"kan": {"refine": null, "knots": 4}}]}"#, &["model[1].kan.knots"]),
        (
            r#"{"model": [{"kan": {"refine": {"every": 10, "max_grid": 20, "until": 9}}}]}"#,
            &["model[0].kan.refine.until"],
        ),
        (r#"{"data": {"dataset": {"image": {"image": "cameraman", "side": 32}}}}"#, &[]),
        (r#"{"training": {"l2": 1, "clip_norm": null}, "seed": 4, "colour": {"deep": 1}}"#, &["colour"]),
        (r#"{"model": [], "a": 1, "b": 2}"#, &["a", "b"]),
    ];
    for (text, unknown) in cases {
        let (_, warnings) = json::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let named: Vec<String> =
            unknown.iter().map(|f| format!("ignored the unknown field {f}: this version does not use it")).collect();
        assert_eq!(warnings, named, "{text}");
    }
    let many: String = (0..30).map(|i| format!(r#""x{i}": 1,"#)).collect();
    let (_, warnings) = json::parse(&format!("{{{many} \"seed\": 1}}")).unwrap();
    assert_eq!(warnings.len(), 20, "at most 20 are named");
}

/// A part decoded alone (the page's field editor decodes a block, a dataset) reads as it would
/// within a spec: defaults filled in, unknown fields named, mistakes with their path.
#[test]
fn a_part_decodes_alone_as_within_a_spec() {
    let value = serde_json::json!({"dense": {"units": 7, "colour": "red"}});
    let (block, warnings) = json::decode::<Block>(&value).unwrap();
    assert_eq!(block, Block::Dense(Dense { units: 7, ..Dense::default() }));
    assert_eq!(warnings.len(), 1);
    let within = json::from_json(r#"{"model": [{"dense": {"units": 7, "colour": "red"}}]}"#).unwrap();
    assert_eq!(within.warnings, ["ignored the unknown field model[0].dense.colour: this version does not use it"]);
    assert_eq!(warnings, ["ignored the unknown field dense.colour: this version does not use it"]);
    let error = json::decode::<Block>(&serde_json::json!({"dense": {"units": "wide"}})).unwrap_err();
    assert_eq!(error.path, "dense.units");
    assert!(error.message.contains("invalid type"), "{error}");
}

#[test]
fn unknown_kinds_are_errors_that_name_the_field_and_the_valid_kinds() {
    let text = r#"{"model": [{"dense": {}}, {"transformer": {"layers": 12}}]}"#;
    let errors = json::from_json(text).unwrap_err();
    assert_eq!(errors[0].path, "model[1]");
    assert!(errors[0].message.contains("unknown variant `transformer`"), "{}", errors[0]);
    assert!(errors[0].message.contains("dense") && errors[0].message.contains("attention"), "{}", errors[0]);
}

#[test]
fn bad_values_in_json_name_their_path() {
    let cases: &[(&str, &str, &str)] = &[
        (r#"{"training": {"batch_size": -3}}"#, "training.batch_size", "invalid value"),
        (r#"{"training": {"batch_size": 1e99}}"#, "training.batch_size", "invalid type"),
        (r#"{"data": {"noise": NaN}}"#, "data.noise", "expected value"),
        (r#"{"model": [{"dense": {"units": 100000}}]}"#, "model[0].units", "exceeds the limit of 4096"),
        (r#"{"seed": 1} trailing"#, "", "trailing characters"),
        (r#"{"metrics": {"every": "often"}}"#, "metrics.every", r#"expected a whole number of steps or "auto""#),
        (r#"{"metrics": {"every": -5}}"#, "metrics.every", r#"expected a whole number of steps or "auto""#),
        (r#"{"metrics": {"every": 0}}"#, "metrics.every", "too small: use at least 1"),
        (r#"{"metrics": {"every": 5000000}}"#, "metrics.every", "exceeds the limit of 1000000"),
        // Within a block's kind, and within a list.
        (
            r#"{"model": [{"dense": {}}, {"dense": {"units": 8, "activation": "swish2"}}]}"#,
            "model[1].dense.activation",
            "unknown variant",
        ),
        (
            r#"{"model": [{"residual": {"body": [{"dense": {"units": true}}]}}]}"#,
            "model[0].residual.body[0].dense.units",
            "invalid type",
        ),
        // A missing field: the part that lacks it.
        (r#"{"data": {"dataset": {"image": {"image": "scene"}}}}"#, "data.dataset", "missing field `side`"),
        // Two mistakes: the first is named, within the part holding both.
        (r#"{"training": {"batch_size": -3, "l2": "x"}}"#, "training", "invalid"),
    ];
    for (text, path, words) in cases {
        let errors = json::from_json(text).unwrap_err();
        assert_eq!(errors[0].path, *path, "{text}: {errors:?}");
        assert!(errors[0].message.contains(words), "{text}: {}", errors[0]);
    }
}

/// `v1` links measured every 50 steps where they did not say; `v2` ones measure at the interval
/// `"auto"` picks. JSON files take this version's defaults.
#[test]
fn a_v1_link_keeps_its_interval_of_50_steps_and_a_v2_link_measures_at_auto() {
    let pack = |version: &str, json: &str| {
        let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
        format!("{version}.{}", base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, packed))
    };
    let cases = [
        ("v1", "{}", Every::Steps(50), 256),
        ("v1", r#"{"metrics": {"probe_size": 64}}"#, Every::Steps(50), 64),
        ("v1", r#"{"metrics": {"every": 25}}"#, Every::Steps(25), 256),
        ("v2", "{}", Every::Auto, 256),
        ("v2", r#"{"metrics": {"every": 25}}"#, Every::Steps(25), 256),
        ("v2", r#"{"metrics": {"every": "auto"}}"#, Every::Auto, 256),
    ];
    for (version, json, every, probe) in cases {
        let decoded = link::decode(&pack(version, json)).unwrap_or_else(|e| panic!("{version} {json}: {e:?}"));
        assert_eq!((decoded.spec.metrics.every, decoded.spec.metrics.probe_size), (every, probe), "{version} {json}");
    }
    assert_eq!(json::from_json("{}").unwrap().spec.metrics.every, Every::Auto);
    // However a number arrives (JavaScript hands over integers as floats), it is a count of steps.
    let numbers = [
        (serde_json::json!(100), Some(100)),
        (serde_json::json!(100.0), Some(100)),
        (serde_json::json!(-1), None),
        (serde_json::json!(2.5), None),
        (serde_json::json!("50"), None),
    ];
    for (value, every) in numbers {
        let back = serde_json::from_value::<Every>(value.clone()).ok();
        assert_eq!(back, every.map(Every::Steps), "{value}");
    }
    assert_eq!(json::from_json(r#"{"metrics": {"every": "auto"}}"#).unwrap().spec, Spec::default());
    // The default spec's link carries nothing but its version; one measured every 50 steps says so.
    assert!(link::encode(&Spec::default()).starts_with("v2."));
    let mut fifty = Spec::default();
    fifty.metrics.every = Every::Steps(50);
    let (back, _) = link::decode_unchecked(&link::encode(&fifty)).unwrap();
    assert_eq!(back, fifty);
}

/// Links made by earlier versions: each must decode, forever, to the spec in the JSON file
/// beside it (every field written out). Never edit these; add new ones.
#[test]
fn golden_links_decode_to_their_specs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "link") {
            let encoded = std::fs::read_to_string(&path).unwrap();
            let expected = json::from_json(&std::fs::read_to_string(path.with_extension("json")).unwrap()).unwrap();
            let decoded = link::decode(encoded.trim()).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            assert_eq!(decoded.spec, expected.spec, "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 5, "golden links in {}", dir.display());
}

/// Writes a golden pair for each spec here. Run once when adding a case:
/// `cargo test -p layerlab-spec --test codecs -- --ignored write_golden_links`
#[test]
#[ignore = "writes fixtures; run by hand when adding a golden link"]
fn write_golden_links() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    use layerlab_spec::model::*;
    let flat_blocks = Spec {
        model: vec![
            Block::Dense(Dense::default()),
            Block::Norm(Norm { kind: NormKind::Rms }),
            Block::Dropout(Dropout::default()),
            Block::Residual(Residual {
                body: vec![Block::Dense(Dense { units: 8, activation: Activation::Gelu, bias: false })],
                drop_path: 0.1,
            }),
            Block::Parallel(Parallel {
                branches: vec![vec![Block::Kan(Kan::default())], vec![Block::Glu(Glu::default())]],
                merge: Merge::Concat,
            }),
            Block::Hourglass(Hourglass::default()),
            Block::Moe(Moe::default()),
        ],
        ..Spec::default()
    };
    let mut sequence = Spec::default();
    sequence.data.dataset = layerlab_spec::data::Dataset::ModularAddition { modulus: 97 };
    sequence.model = vec![
        Block::Embed(Embed::default()),
        Block::Attention(Attention { mlp_hidden: 64, ..Attention::default() }),
        Block::Pool(Pool { mode: PoolMode::Last }),
    ];
    sequence.training.rule = layerlab_spec::train::LearningRule::ForwardForward { threshold: 2.0 };
    let mut digits = Spec::default();
    digits.data.dataset = layerlab_spec::data::Dataset::Digits;
    digits.model =
        vec![Block::Patchify(Patchify::default()), Block::Mixer(Mixer::default()), Block::Pool(Pool::default())];
    digits.training.optimizer = layerlab_spec::train::Optimizer::AdamW {
        learning_rate: 0.001,
        beta1: 0.9,
        beta2: 0.99,
        epsilon: 1e-8,
        weight_decay: 0.05,
    };
    let cases = [
        ("default", Spec::default()),
        ("spiral-mlp", six_block_mlp_on_spiral()),
        ("flat-blocks", flat_blocks),
        ("modular-attention", sequence),
        ("digits-mixer", digits),
    ];
    let mut every_20 = six_block_mlp_on_spiral();
    every_20.metrics.every = Every::Steps(20);
    // Links of the version written now; the v1 pairs above were written by v1 and are kept.
    let current = [("default-v2", Spec::default()), ("spiral-mlp-every-20-v2", every_20)];
    for (name, spec) in cases.into_iter().chain(current) {
        let (link_file, json_file) = (dir.join(format!("{name}.link")), dir.join(format!("{name}.json")));
        if link_file.exists() {
            continue; // a golden link is never rewritten
        }
        std::fs::write(link_file, link::encode(&spec) + "\n").unwrap();
        std::fs::write(json_file, json::to_json(&spec) + "\n").unwrap();
    }
}

/// As large as a preset gets: an image model with every kind of block the spec has that fits
/// digits, nested containers, and a recipe with every option away from its default.
fn preset_sized() -> Spec {
    use layerlab_spec::model::*;
    use layerlab_spec::train::*;
    let dense = |units, activation| Block::Dense(Dense { units, activation, bias: true });
    let mut spec = Spec {
        model: vec![
            Block::Patchify(Patchify { patch: 4, dim: 24 }),
            Block::Mixer(Mixer { token_hidden: 16, channel_hidden: 48 }),
            Block::Mixer(Mixer { token_hidden: 16, channel_hidden: 48 }),
            Block::Attention(Attention { heads: 4, causal: false, skip: true, mlp_hidden: 48 }),
            Block::Pool(Pool { mode: PoolMode::Mean }),
            Block::Hourglass(Hourglass {
                wide: 64,
                narrow: 16,
                depth: 3,
                activation: Activation::Gelu,
                frozen_lift: true,
            }),
            Block::Parallel(Parallel {
                branches: vec![
                    vec![dense(32, Activation::Relu), Block::Dropout(Dropout { rate: 0.2 })],
                    vec![Block::Kan(Kan {
                        units: 32,
                        basis: KanBasis::BSpline,
                        grid: 8,
                        order: 3,
                        groups: 8,
                        refine: None,
                    })],
                    vec![Block::Glu(Glu { units: 32, kind: GluKind::Swiglu })],
                ],
                merge: Merge::Concat,
            }),
            Block::Norm(Norm { kind: NormKind::Layer }),
            Block::Moe(Moe { experts: 8, top_k: 2, hidden: 32, units: 32, balance: 0.01 }),
            Block::Residual(Residual {
                body: vec![
                    Block::Norm(Norm { kind: NormKind::Rms }),
                    dense(64, Activation::Silu),
                    dense(32, Activation::Identity),
                ],
                drop_path: 0.1,
            }),
            dense(32, Activation::Tanh),
        ],
        seed: 20_261_126,
        ..Spec::default()
    };
    spec.data.dataset = Dataset::Digits;
    spec.data.train_fraction = 0.8;
    spec.training = Training {
        optimizer: Optimizer::AdamW {
            learning_rate: 0.003,
            beta1: 0.85,
            beta2: 0.995,
            epsilon: 1e-7,
            weight_decay: 0.05,
        },
        schedule: Schedule::Cosine { warmup: 200 },
        batch_size: 64,
        l1: 1e-5,
        l2: 1e-4,
        clip_norm: Some(1.0),
        gradient_noise: Some(GradientNoise { eta: 0.003, gamma: 0.55 }),
        rule: LearningRule::Backprop,
        loss: Some(Loss::CrossEntropy),
        init: Init::Orthogonal,
        length: Length::Epochs(40),
        stop: Some(Stop::AccuracyAbove(0.99)),
    };
    spec.metrics.similarity = true;
    spec.metrics.every = Every::Steps(25);
    spec
}

#[test]
fn a_preset_sized_experiment_fits_in_2000_characters() {
    let spec = preset_sized();
    analyse(&spec).unwrap_or_else(|e| panic!("the preset-sized spec is valid: {e:?}"));
    let encoded = link::encode(&spec);
    assert!(encoded.len() <= 2000, "{} characters: {encoded}", encoded.len());
    assert_eq!(link::decode(&encoded).unwrap().spec, spec);
    eprintln!("preset-sized link: {} characters", encoded.len());
}

#[test]
fn a_new_draw_of_the_data_travels_in_the_link_and_the_first_adds_nothing() {
    let mut spec = six_block_mlp_on_spiral();
    let before = link::encode(&spec);
    assert!(!json::compact(&spec).to_string().contains("draw"), "draw 0 is the default: old links stay as they were");
    spec.data.draw = 3;
    assert!(json::compact(&spec).to_string().contains("\"draw\":3"));
    let after = link::encode(&spec);
    assert_ne!(before, after);
    assert_eq!(link::decode(&after).unwrap().spec.data.draw, 3);
}
