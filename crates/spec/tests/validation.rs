//! Every error names its field and what would be valid. Cases are data: (a change to a valid
//! spec, the path expected, words the message must hold).

use layerlab_spec::data::Dataset;
use layerlab_spec::model::*;
use layerlab_spec::train::{Loss, Optimizer};
use layerlab_spec::{Spec, analyse};

type Change = fn(&mut Spec);

fn dense(units: u32) -> Block {
    Block::Dense(Dense { units, ..Dense::default() })
}

const CASES: &[(&str, Change, &str, &str)] = &[
    ("absurd width", |s| s.model[1] = dense(100_000), "model[1].units", "= 100000 exceeds the limit of 4096"),
    ("width 10^9", |s| s.model[0] = dense(1_000_000_000), "model[0].units", "exceeds the limit of 4096"),
    ("zero width", |s| s.model[0] = dense(0), "model[0].units", "use at least 1"),
    ("too many blocks", |s| s.model = vec![dense(4); 1_000_000], "model[64]", "limit of 64 blocks"),
    (
        "NaN rate",
        |s| s.training.optimizer = Optimizer::Sgd { learning_rate: f32::NAN },
        "training.optimizer.learning_rate",
        "not a finite number",
    ),
    ("infinite noise", |s| s.data.noise = f32::INFINITY, "data.noise", "not a finite number"),
    ("huge batch", |s| s.training.batch_size = 1 << 20, "training.batch_size", "limit of 4096"),
    (
        "residual changing shape",
        |s| s.model.push(Block::Residual(Residual { body: vec![dense(3)], drop_path: 0.0 })),
        "model[2].body",
        "must give back the shape",
    ),
    (
        "sum of unequal branches",
        |s| {
            s.model =
                vec![Block::Parallel(Parallel { branches: vec![vec![dense(4)], vec![dense(5)]], merge: Merge::Sum })]
        },
        "model[0].branches[1]",
        "merge by concat",
    ),
    (
        "attention on a vector",
        |s| s.model = vec![Block::Attention(Attention::default())],
        "model[0]",
        "put a patchify block",
    ),
    (
        "heads not dividing",
        |s| {
            s.data.dataset = Dataset::Parity { bits: 8 };
            s.model = vec![
                Block::Embed(Embed { dim: 10, ..Embed::default() }),
                Block::Attention(Attention { heads: 4, ..Attention::default() }),
                Block::Pool(Pool::default()),
            ];
        },
        "model[1].heads",
        "does not divide the model width 10",
    ),
    (
        "next-token task with attention that looks ahead",
        |s| {
            s.data.dataset = Dataset::Arithmetic { digits: 3, chain_of_thought: true };
            s.model = vec![
                Block::Embed(Embed::default()),
                Block::Residual(Residual {
                    body: vec![Block::Attention(Attention { causal: false, ..Attention::default() })],
                    drop_path: 0.0,
                }),
            ];
        },
        "model[1].body[0].causal",
        "each position would see the token it must predict",
    ),
    (
        "next-token task with a mixer",
        |s| {
            s.data.dataset = Dataset::Arithmetic { digits: 2, chain_of_thought: false };
            s.model = vec![Block::Embed(Embed::default()), Block::Mixer(Mixer::default())];
        },
        "model[1]",
        "use causal attention",
    ),
    (
        "sequence without embed",
        |s| {
            s.data.dataset = Dataset::Parity { bits: 8 };
            s.model = vec![dense(4)];
        },
        "model[0]",
        "put an embed block first",
    ),
    (
        "sequence left unpooled",
        |s| {
            s.data.dataset = Dataset::Parity { bits: 8 };
            s.model = vec![Block::Embed(Embed::default())];
        },
        "model[1]",
        "add a pool block",
    ),
    (
        "patches not dividing",
        |s| {
            s.data.dataset = Dataset::Digits;
            s.model = vec![Block::Patchify(Patchify { patch: 3, dim: 8 })];
        },
        "model[0].patch",
        "does not divide the image side 8",
    ),
    (
        "top-k beyond experts",
        |s| s.model = vec![Block::Moe(Moe { experts: 2, top_k: 3, ..Moe::default() })],
        "model[0].top_k",
        "limit of 2 (the number of experts)",
    ),
    (
        "binary loss on three classes",
        |s| {
            s.data.dataset = Dataset::Iris;
            s.training.loss = Some(Loss::BinaryCrossEntropy);
        },
        "training.loss",
        "use cross_entropy or mse",
    ),
    ("no features", |s| s.data.features.clear(), "data.features", "choose at least one"),
    (
        "deep nesting",
        |s| {
            let mut block = dense(4);
            for _ in 0..50 {
                block = Block::Residual(Residual { body: vec![block], drop_path: 0.0 });
            }
            s.model = vec![dense(4), block];
        },
        "model[1].body[0].body[0].body[0].body[0].body[0].body[0].body",
        "7 deep, beyond the limit of 6",
    ),
    (
        "too many parameters",
        |s| s.model = vec![dense(4096), dense(4096), dense(4096)],
        "model",
        "beyond the limit of 20000000",
    ),
    (
        "modulus too large",
        |s| s.data.dataset = Dataset::ModularAddition { modulus: 1 << 30 },
        "data.dataset.modulus",
        "limit of 1023",
    ),
];

#[test]
fn each_error_names_its_field_and_what_is_valid() {
    for (what, change, path, words) in CASES {
        let mut spec = Spec::default();
        change(&mut spec);
        let errors = analyse(&spec).expect_err(what);
        let found = errors.iter().find(|e| e.path == *path);
        let found = found.unwrap_or_else(|| panic!("{what}: no error at {path}: {errors:?}"));
        assert!(found.message.contains(words), "{what}: {found}");
        assert!(found.to_string().starts_with(path), "{what}: {found}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut spec = Spec::default();
    spec.training.batch_size = 0;
    spec.data.noise = 2.0;
    spec.model[0] = dense(5000);
    let paths: Vec<String> = analyse(&spec).unwrap_err().into_iter().map(|e| e.path).collect();
    assert_eq!(paths, ["data.noise", "training.batch_size", "model[0].units"]);
}

#[test]
fn six_nested_containers_are_allowed() {
    let mut block = dense(4);
    for _ in 0..6 {
        block = Block::Residual(Residual { body: vec![block], drop_path: 0.0 });
    }
    let spec = Spec { model: vec![dense(4), block], ..Spec::default() };
    analyse(&spec).unwrap();
}

#[test]
fn the_default_spec_is_valid() {
    analyse(&Spec::default()).unwrap();
}

#[test]
fn the_catalogue_has_every_dataset_once_by_its_stable_name() {
    let all = Dataset::catalogue();
    let names: Vec<String> = all.iter().map(Dataset::name).collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    assert_eq!(names[3], "spiral");
    assert_eq!(names[6], "arm_spiral");
    for d in &all {
        let json = serde_json::to_string(d).expect("serializes");
        let back: Dataset = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(&back, d, "{json}");
    }
}
