//! The datasets: determinism, sizes and split, each generator's labels, the input features, the
//! bundled files, the image and sequence datasets, and the user's CSV with every error it can get.
//! Cases are data; each kind of check has one helper.

use std::f64::consts::PI;

use layerlab_engine::data::{BUNDLED_FILES, Data, DataError, DataFile, Examples, fnv1a, load, supply, train_count};
use layerlab_spec::Shape;
use layerlab_spec::data::{BundledImage, CsvRef, CsvTask, DataSpec, Dataset, Feature, Formula, FourierInput, Task};
use sha2::{Digest, Sha256};

// ---- helpers -------------------------------------------------------------------------------

fn spec(dataset: Dataset, samples: u32, noise: f32) -> DataSpec {
    DataSpec { dataset, samples, noise, train_fraction: 0.7, ..DataSpec::default() }
}

fn loaded(spec: &DataSpec, seed: u64) -> Data {
    load(spec, seed, None).unwrap_or_else(|e| panic!("{:?}: {e}", spec.dataset))
}

/// Every generated dataset, with its parameters.
fn generated() -> Vec<Dataset> {
    vec![
        Dataset::Circle,
        Dataset::Xor,
        Dataset::Gaussian,
        Dataset::Spiral,
        Dataset::TwoMoons,
        Dataset::Checkerboard { cells: 4 },
        Dataset::ArmSpiral { arms: 3 },
        Dataset::Plane,
        Dataset::MultiGaussian,
        Dataset::Formula { formula: Formula::ExpSinSquare },
        Dataset::Formula { formula: Formula::Product },
        Dataset::Formula { formula: Formula::BesselRing },
        Dataset::Formula { formula: Formula::SinCos },
    ]
}

/// (x, y, target, inputs) of every example, train then test.
fn examples(data: &Data) -> Vec<(f64, f64, f64, Vec<f32>)> {
    [&data.train, &data.test]
        .into_iter()
        .flat_map(|e| {
            (0..e.len).map(move |i| {
                let (x, y) = if e.points.is_empty() { (0.0, 0.0) } else { (e.points[2 * i], e.points[2 * i + 1]) };
                let inputs = e.inputs[i * e.width..(i + 1) * e.width].to_vec();
                (f64::from(x), f64::from(y), f64::from(e.targets[i * e.target_width]), inputs)
            })
        })
        .collect()
}

fn bits(examples: &Examples) -> Vec<u32> {
    let all = examples.inputs.iter().chain(&examples.targets).chain(&examples.points);
    all.map(|v| v.to_bits()).collect()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The input width `layerlab_spec::analyse` gives for a spec with this data.
fn analysed_width(data: &DataSpec) -> u32 {
    let spec = layerlab_spec::Spec { data: data.clone(), ..layerlab_spec::Spec::default() };
    match layerlab_spec::analyse(&spec) {
        Ok(analysis) => match analysis.input {
            Shape::Flat(width) => width,
            other => panic!("{other:?}"),
        },
        Err(errors) => panic!("{errors:?}"),
    }
}

fn error(spec: &DataSpec, csv: Option<&str>) -> String {
    match load(spec, 1, csv) {
        Ok(_) => panic!("{:?} loaded, but an error was expected", spec.dataset),
        Err(e) => e.to_string(),
    }
}

// ---- determinism, sizes and split ----------------------------------------------------------

/// The image and sequence datasets, with their parameters.
fn images_and_sequences() -> Vec<Dataset> {
    vec![
        Dataset::Image { image: BundledImage::Scene, side: 32 },
        Dataset::Image { image: BundledImage::Checker, side: 16 },
        Dataset::ModularAddition { modulus: 97 },
        Dataset::ModularAddition { modulus: 13 },
        Dataset::Parity { bits: 8 },
        Dataset::Copy { length: 8, vocabulary: 10 },
        Dataset::Reverse { length: 5, vocabulary: 3 },
    ]
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let others = [Dataset::Digits, Dataset::Iris].into_iter().chain(images_and_sequences());
    for dataset in generated().into_iter().chain(others) {
        let spec = DataSpec { fourier: Some(FourierInput { count: 4, scale: 1.0 }), ..spec(dataset, 200, 0.2) };
        let spec = if spec.dataset.is_planar() { spec } else { DataSpec { fourier: None, ..spec } };
        let (a, b, c) = (loaded(&spec, 7), loaded(&spec, 7), loaded(&spec, 8));
        assert_eq!(a, b, "{:?}", spec.dataset);
        assert_eq!((bits(&a.train), bits(&a.test)), (bits(&b.train), bits(&b.test)), "{:?}", spec.dataset);
        assert_ne!(bits(&a.train), bits(&c.train), "{:?}: seed 8 gave seed 7's data", spec.dataset);
    }
}

#[test]
fn every_generated_dataset_has_its_size_and_split() {
    for dataset in generated() {
        for (samples, fraction) in [(501, 0.7), (10, 0.05), (64, 0.95)] {
            let spec = DataSpec { train_fraction: fraction, ..spec(dataset.clone(), samples, 0.1) };
            let data = loaded(&spec, 3);
            let train = train_count(samples as usize, fraction);
            assert_eq!((data.train.len, data.test.len), (train, samples as usize - train), "{dataset:?}");
            assert_eq!(data.task, dataset.task(), "{dataset:?}");
            for e in [&data.train, &data.test] {
                assert_eq!((e.width, e.target_width), (2, 1), "{dataset:?}");
                assert_eq!(e.inputs.len(), e.len * 2, "{dataset:?}");
                assert_eq!((e.targets.len(), e.points.len()), (e.len, 2 * e.len), "{dataset:?}");
                assert!(e.inputs.iter().chain(&e.targets).all(|v| v.is_finite()), "{dataset:?}");
            }
            if let Task::Classify { classes } = data.task {
                let all = examples(&data);
                for class in 0..classes {
                    let count = all.iter().filter(|e| e.2 == f64::from(class)).count();
                    assert!(count > 0 || samples < 64, "{dataset:?}: no example of class {class}");
                }
                assert!(all.iter().all(|e| e.2 >= 0.0 && e.2 < f64::from(classes) && e.2.fract() == 0.0));
            }
        }
    }
}

#[test]
fn the_train_share_is_the_floor_with_one_each_side() {
    let cases = [
        (500, 0.7, 350),
        (500, 0.5, 250),
        (100, 0.29, 29),
        (100_000, 0.3, 30_000),
        (10, 0.05, 1),
        (10, 0.95, 9),
        (2, 0.5, 1),
        (2, 0.05, 1),
        (1, 0.5, 0),
    ];
    for (n, fraction, train) in cases {
        assert_eq!(train_count(n, fraction), train, "{fraction} of {n}");
    }
}

#[test]
fn the_split_shuffles() {
    // The circle is generated class 1 first; a shuffled train set mixes both from the start.
    let data = loaded(&spec(Dataset::Circle, 500, 0.0), 1);
    let first: Vec<f32> = data.train.targets[..20].to_vec();
    assert!(first.contains(&0.0) && first.contains(&1.0), "{first:?}");
}

// ---- labels of each generator --------------------------------------------------------------

type Rule = fn(f64, f64, f64) -> bool;

/// Checks `rule(x, y, target)` for every example of `dataset` made at `noise`.
fn check_labels(dataset: &Dataset, noise: f32, what: &str, rule: Rule) {
    let data = loaded(&spec(dataset.clone(), 600, noise), 11);
    for (x, y, target, _) in examples(&data) {
        assert!(rule(x, y, target), "{dataset:?} at noise {noise}: {what} fails at ({x}, {y}) → {target}");
    }
}

fn near(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

/// Whether (x, y) lies on the Playground's spiral arm turned by `delta`.
fn on_arm(x: f64, y: f64, delta: f64) -> bool {
    let r = (x * x + y * y).sqrt();
    let t = 1.75 * r / 5.0 * 2.0 * PI + delta;
    r <= 5.0 && near(r * t.sin(), x, 1e-4) && near(r * t.cos(), y, 1e-4)
}

fn multi_gaussian(x: f64, y: f64) -> f64 {
    let centres = [(-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0), (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0)];
    let mut label: f64 = 0.0;
    for (cx, cy, sign) in centres.into_iter().chain([(4.0, -2.5, -1.0)]) {
        let bump: f64 = sign * (1.0 - ((x - cx).powi(2) + (y - cy).powi(2)).sqrt() / 2.0).clamp(0.0, 1.0);
        if bump.abs() > label.abs() {
            label = bump;
        }
    }
    label
}

#[test]
fn noiseless_labels_follow_each_generators_rule() {
    let cases: Vec<(Dataset, &str, Rule)> = vec![
        (Dataset::Circle, "class 1 iff r < 2.5, inner disc or ring 3.5..5", |x, y, t| {
            let r = (x * x + y * y).sqrt();
            (t == 1.0) == (r < 2.5) && (r < 2.5 || (3.5 - 1e-5..=5.0 + 1e-5).contains(&r))
        }),
        (Dataset::Xor, "class 1 iff xy ≥ 0, padded 0.3 off the axes", |x, y, t| {
            (t == 1.0) == (x * y >= 0.0) && [x, y].iter().all(|v| (0.3 - 1e-6..=5.3 + 1e-6).contains(&v.abs()))
        }),
        (Dataset::Spiral, "on arm 0 (class 1) or arm π (class 0)", |x, y, t| {
            on_arm(x, y, if t == 1.0 { 0.0 } else { PI })
        }),
        (Dataset::ArmSpiral { arms: 3 }, "arm k is class k", |x, y, t| on_arm(x, y, 2.0 * PI * t / 3.0)),
        (Dataset::TwoMoons, "upper moon class 0, lower moon class 1", |x, y, t| {
            let (u, v) = (x / 4.0 + 0.5, y / 4.0 + 0.25);
            let (cu, cv) = if t == 0.0 { (0.0, 0.0) } else { (1.0, 0.5) };
            let on_circle = near((u - cu).powi(2) + (v - cv).powi(2), 1.0, 1e-5);
            on_circle && if t == 0.0 { v >= -1e-6 } else { v <= 0.5 + 1e-6 }
        }),
        (Dataset::Checkerboard { cells: 4 }, "class = parity of column + row of 3×3 cells", |x, y, t| {
            let cell = |v: f64| ((v + 6.0) / 3.0).floor() as i64;
            (cell(x) + cell(y)).rem_euclid(2) as f64 == t && x.abs() <= 6.0 && y.abs() <= 6.0
        }),
        (Dataset::Plane, "target (x + y) / 10, unclamped as in the Playground", |x, y, t| {
            near(t, (x + y) / 10.0, 1e-5) && t.abs() <= 1.2 + 1e-5
        }),
        (Dataset::MultiGaussian, "target the largest signed bump, in [-1, 1]", |x, y, t| {
            near(t, multi_gaussian(x, y), 1e-5) && t.abs() <= 1.0
        }),
        (Dataset::Formula { formula: Formula::ExpSinSquare }, "exp(sin πx + y²)", |x, y, t| {
            near(t, ((PI * x).sin() + y * y).exp(), 1e-5 * t.abs().max(1.0))
        }),
        (Dataset::Formula { formula: Formula::Product }, "x·y", |x, y, t| near(t, x * y, 1e-6)),
        (Dataset::Formula { formula: Formula::BesselRing }, "sin 20r / 20r", |x, y, t| {
            let r = 20.0 * (x * x + y * y).sqrt();
            near(t, if r == 0.0 { 1.0 } else { r.sin() / r }, 1e-5)
        }),
        (Dataset::Formula { formula: Formula::SinCos }, "sin πx · cos πy", |x, y, t| {
            near(t, (PI * x).sin() * (PI * y).cos(), 1e-5)
        }),
    ];
    for (dataset, what, rule) in cases {
        check_labels(&dataset, 0.0, what, rule);
    }
    check_labels(&Dataset::Formula { formula: Formula::Product }, 0.0, "x, y in [-1, 1]", |x, y, _| {
        x.abs() <= 1.0 && y.abs() <= 1.0
    });
}

#[test]
fn noise_moves_the_label_not_the_point_in_the_circle() {
    let data = loaded(&spec(Dataset::Circle, 1000, 0.5), 5);
    let all = examples(&data);
    let flipped = all.iter().filter(|(x, y, t, _)| (*t == 1.0) != ((x * x + y * y).sqrt() < 2.5)).count();
    assert!(flipped > 20 && flipped < 500, "{flipped} of 1000 labels differ from the clean rule");
    let radii = all.iter().map(|(x, y, _, _)| (x * x + y * y).sqrt());
    assert!(radii.clone().all(|r| r <= 5.0 + 1e-5), "points stay in the disc of radius 5");
}

#[test]
fn gaussian_noise_sets_the_variance_as_the_playground() {
    // Noise 0 → variance 0.5; noise 0.5 → variance 4 (standard deviation 2).
    for (noise, deviation) in [(0.0, 0.5f64.sqrt()), (0.5, 2.0)] {
        let data = loaded(&spec(Dataset::Gaussian, 4000, noise), 9);
        for (class, centre) in [(1.0, 2.0), (0.0, -2.0)] {
            let xs: Vec<f64> = examples(&data).into_iter().filter(|e| e.2 == class).map(|e| e.0).collect();
            assert_eq!(xs.len(), 2000);
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
            assert!(near(mean, centre, 0.15) && near(sd, deviation, 0.1 * deviation), "{noise}: {mean} {sd}");
        }
    }
}

#[test]
fn arms_share_the_examples_evenly() {
    let data = loaded(&spec(Dataset::ArmSpiral { arms: 7 }, 100, 0.0), 2);
    let all = examples(&data);
    let counts: Vec<usize> = (0..7).map(|k| all.iter().filter(|e| e.2 == f64::from(k)).count()).collect();
    assert_eq!(counts, [15, 15, 14, 14, 14, 14, 14]);
}

// ---- features ------------------------------------------------------------------------------

#[test]
fn features_are_the_playgrounds_in_the_specs_order() {
    type Value = fn(f64, f64) -> f64;
    let all: [(Feature, Value); 7] = [
        (Feature::X, |x, _| x),
        (Feature::Y, |_, y| y),
        (Feature::XSquared, |x, _| x * x),
        (Feature::YSquared, |_, y| y * y),
        (Feature::XTimesY, |x, y| x * y),
        (Feature::SinX, |x, _| x.sin()),
        (Feature::SinY, |_, y| y.sin()),
    ];
    let orders: [&[usize]; 3] = [&[0, 1, 2, 3, 4, 5, 6], &[4, 0], &[6, 2, 5]];
    for order in orders {
        let features: Vec<Feature> = order.iter().map(|&i| all[i].0).collect();
        let spec = DataSpec { features, ..spec(Dataset::Spiral, 300, 0.3) };
        let data = loaded(&spec, 4);
        assert_eq!(data.train.width as u32, analysed_width(&spec));
        for (x, y, _, inputs) in examples(&data) {
            let (xf, yf) = (x as f32 as f64, y as f32 as f64);
            for (value, &i) in inputs.iter().zip(order) {
                assert!(near(f64::from(*value), all[i].1(xf, yf), 1e-5), "{:?} at ({x}, {y})", all[i].0);
            }
        }
    }
}

#[test]
fn fourier_features_have_the_analysed_width_and_unit_pairs() {
    for (features, count, dataset) in [
        (vec![Feature::X, Feature::Y], 8, Dataset::Circle),
        (vec![Feature::XTimesY], 1, Dataset::Formula { formula: Formula::SinCos }),
        (vec![Feature::X, Feature::SinY, Feature::YSquared], 33, Dataset::Checkerboard { cells: 6 }),
    ] {
        let fourier = Some(FourierInput { count, scale: 2.0 });
        let spec = DataSpec { features: features.clone(), fourier, ..spec(dataset, 200, 0.1) };
        let data = loaded(&spec, 12);
        let encoder = data.encoder.as_ref().expect("2D data has an encoder");
        let width = features.len() + 2 * count as usize;
        assert_eq!((encoder.width(), data.train.width), (width, width));
        assert_eq!(width as u32, analysed_width(&spec));
        let mut out = vec![0.0; width];
        for (x, y, _, inputs) in examples(&data) {
            encoder.encode(x as f32, y as f32, &mut out);
            assert_eq!(out, inputs, "the encoder reproduces the data's inputs");
            let (cos, sin) = inputs[features.len()..].split_at(count as usize);
            assert!(cos.iter().zip(sin).all(|(c, s)| near(f64::from(c * c + s * s), 1.0, 1e-5)));
        }
        // The frequencies follow the seed (Fourier stream) and only it.
        let again = loaded(&spec, 12);
        let other = loaded(&spec, 13);
        assert_eq!(data.encoder, again.encoder);
        assert_ne!(data.encoder, other.encoder);
    }
}

#[test]
fn the_encoder_frames_the_points() {
    let playground = loaded(&spec(Dataset::Xor, 50, 0.0), 1).encoder.map(|e| e.extent());
    let formula = loaded(&spec(Dataset::Formula { formula: Formula::Product }, 50, 0.0), 1).encoder.map(|e| e.extent());
    assert_eq!((playground, formula), (Some(6.0), Some(1.0)));
    assert_eq!(loaded(&spec(Dataset::Iris, 50, 0.0), 1).encoder, None);
}

// ---- bundled data --------------------------------------------------------------------------

/// The SHA-256 of each committed file, and of what it inflates to, as `assets/data/README.md`.
const CHECKSUMS: [(&str, &str, &str); 5] = [
    (
        "digits.u8.zlib",
        "afde73cd11bb949ba9af8e62bda8cd687364dc6358e2a9737b243ca960622011",
        "68aea062d35a127749050fa0e52dca09d6569ac08092c925610e0954e172dde2",
    ),
    (
        "iris.csv.zlib",
        "a02a4abd5e633b1bef01109638ba9afecfc97eb6318296691a4da546546f0cb7",
        "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
    ),
    (
        "wine_data.csv.zlib",
        "fa873de527475aca617e0c8047eff050e7d025c48990780673aabaca31ec93fa",
        "10e8a802908b34f86e5da8ce962f3c806694bc98450a18f61851af59f324bede",
    ),
    (
        "breast_cancer.csv.zlib",
        "4da6d3e9065e3a08817f1cbed4ab7df505c9b011e96c24c9f5cd0b292ba35595",
        "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed",
    ),
    (
        "scene.u8.zlib",
        "dba78811666820573d130a8d1c9061b5c9fe73689e08efb83ea8d9960fd3f944",
        "8507135f2ebee26665cffc77c0f4479abdb379df16fa2686f29c45ac5722d88f",
    ),
];

#[test]
fn bundled_files_match_their_checksums() {
    let readme = include_str!("../../../assets/data/README.md");
    // The files under assets/data: all but the export's layer library, which is source code.
    let data: Vec<_> = BUNDLED_FILES.iter().filter(|(name, _)| *name != DataFile::TorchLibrary.name()).collect();
    assert_eq!(data.len(), CHECKSUMS.len());
    for ((name, bytes), (expected_name, file_sha, inflated_sha)) in data.into_iter().zip(CHECKSUMS) {
        assert_eq!(*name, expected_name);
        assert_eq!(sha256(bytes), file_sha, "{name}");
        let inflated = miniz_oxide::inflate::decompress_to_vec_zlib(bytes).expect("a zlib stream");
        assert_eq!(sha256(&inflated), inflated_sha, "{name} inflated");
        assert!(readme.contains(file_sha) && readme.contains(inflated_sha), "README.md lists {name}'s checksums");
    }
}

#[test]
fn each_data_file_expects_the_committed_size_and_checksum() {
    for file in DataFile::ALL {
        let (_, bytes) = BUNDLED_FILES.iter().find(|(name, _)| *name == file.name()).expect("bundled");
        assert_eq!(file.expected(), (bytes.len(), fnv1a(bytes)), "{file:?}");
    }
    // The dataset each file makes, and the ones that need none.
    let cases = [
        (Dataset::Digits, Some(DataFile::Digits)),
        (Dataset::Iris, Some(DataFile::Iris)),
        (Dataset::Wine, Some(DataFile::Wine)),
        (Dataset::BreastCancer, Some(DataFile::BreastCancer)),
        (Dataset::Image { image: BundledImage::Scene, side: 64 }, Some(DataFile::Scene)),
        (Dataset::Image { image: BundledImage::Checker, side: 64 }, None),
        (Dataset::Spiral, None),
    ];
    for (dataset, file) in cases {
        assert_eq!(DataFile::needed_by(&dataset), file, "{dataset:?}");
    }
}

#[test]
fn a_supplied_data_file_must_be_the_committed_one() {
    let (_, digits) = BUNDLED_FILES.iter().find(|(name, _)| *name == "digits.u8.zlib").expect("bundled");
    let mut flipped = digits.to_vec();
    flipped[100] ^= 1;
    // (bytes, None if accepted or what the refusal must say)
    let cases: [(Vec<u8>, Option<&str>); 4] = [
        (digits.to_vec(), None),
        (digits[..digits.len() - 1].to_vec(), Some("data/digits.u8.zlib is 45907 bytes")),
        (flipped, Some("not the 45908 bytes with checksum 26ec041cb72841a2")),
        (b"<!doctype html>".to_vec(), Some("come from different builds (reload the page)")),
    ];
    for (bytes, refusal) in cases {
        let said = supply(DataFile::Digits, bytes).err().map(|e| e.to_string());
        match (said, refusal) {
            (None, None) => {}
            (Some(said), Some(expected)) => {
                assert!(said.starts_with("data.dataset: ") && said.contains(expected), "{said}");
            }
            (said, refusal) => panic!("supplying gave {said:?}; expected {refusal:?}"),
        }
    }
}

#[test]
fn bundled_data_has_its_counts() {
    // (dataset, examples, width, classes)
    let cases = [
        (Dataset::Digits, 1797, 64, 10),
        (Dataset::Iris, 150, 4, 3),
        (Dataset::Wine, 178, 13, 3),
        (Dataset::BreastCancer, 569, 30, 2),
    ];
    for (dataset, count, width, classes) in cases {
        let data = loaded(&spec(dataset.clone(), 0, 0.0), 1);
        assert_eq!(data.task, Task::Classify { classes });
        assert_eq!((data.train.len, data.test.len), (train_count(count, 0.7), count - train_count(count, 0.7)));
        assert_eq!((data.train.width, data.test.width), (width, width), "{dataset:?}");
        assert!(data.train.points.is_empty() && data.encoder.is_none());
        let all = examples(&data);
        for class in 0..classes {
            assert!(all.iter().any(|e| e.2 == f64::from(class)), "{dataset:?} has class {class}");
        }
        assert!(all.iter().all(|e| e.2 >= 0.0 && e.2 < f64::from(classes) && e.2.fract() == 0.0));
        if dataset == Dataset::Digits {
            // Pixels 0..=16, scaled by 1/16.
            let pixels = all.iter().flat_map(|e| e.3.iter().map(|v| f64::from(*v) * 16.0));
            assert!(pixels.clone().all(|p| p.fract() == 0.0 && (0.0..=16.0).contains(&p)));
            assert!(pixels.clone().any(|p| p == 16.0));
        } else {
            check_standardised(&all, width, &format!("{dataset:?}"));
        }
    }
}

/// Each input column has mean 0 and standard deviation 1 over all rows.
fn check_standardised(all: &[(f64, f64, f64, Vec<f32>)], width: usize, what: &str) {
    let n = all.len() as f64;
    for column in 0..width {
        let mean = all.iter().map(|e| f64::from(e.3[column])).sum::<f64>() / n;
        let sd = (all.iter().map(|e| (f64::from(e.3[column]) - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!(near(mean, 0.0, 1e-4) && near(sd, 1.0, 1e-4), "{what} column {column}: {mean} {sd}");
    }
}

#[test]
fn the_tables_split_follows_the_seed() {
    let spec = spec(Dataset::Wine, 0, 0.0);
    let (a, b) = (loaded(&spec, 1), loaded(&spec, 2));
    assert_ne!(a.train.targets, b.train.targets);
    let mut all_a: Vec<u32> = examples(&a).iter().map(|e| e.2 as u32).collect();
    let mut all_b: Vec<u32> = examples(&b).iter().map(|e| e.2 as u32).collect();
    all_a.sort_unstable();
    all_b.sort_unstable();
    assert_eq!(all_a, all_b, "the same examples, in another order");
}

// ---- the user's CSV ------------------------------------------------------------------------

fn csv_spec(inputs: u32, target: &str, task: CsvTask) -> DataSpec {
    let reference = CsvRef { name: "data.csv".into(), inputs, target: target.into(), task };
    DataSpec { dataset: Dataset::Csv(reference), train_fraction: 0.5, ..DataSpec::default() }
}

const EMPTY: &str =
    "data.dataset: the CSV file `data.csv` is empty: it needs a header row of column names, then rows of numbers";

#[test]
fn every_csv_mistake_is_named() {
    let three = CsvTask::Classes { classes: 3 };
    let many_rows = format!("a,y\n{}", "1,2\n".repeat(100_001));
    let wide = (0..4098).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
    // (file, inputs, target, task, the error)
    let cases: Vec<(Option<&str>, u32, &str, CsvTask, &str)> = vec![
        (
            None,
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: the CSV file `data.csv` is not loaded: choose the file again",
        ),
        (Some(""), 1, "y", CsvTask::Regression, EMPTY),
        (Some("\r\n\n , \n"), 1, "y", CsvTask::Regression, EMPTY),
        (
            Some("age,y\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, there is a header but no rows of data: add rows of numbers below it",
        ),
        (
            Some("age,y\n1,2\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, there is only 1 row of data: at least 2 are needed, one to train on and one \
             to test on",
        ),
        (
            Some("a,b,c,y\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3\n"),
            3,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 7 has 3 fields, the header has 4: give every row one value per column",
        ),
        (
            Some("id,age,y\n1,2,3\n1,2,3\n\n1,abc,3\n"),
            2,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 5, column `age`: `abc` is not a number",
        ),
        (
            Some("age,y\n1,2\nNaN,3\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 3, column `age`: `NaN` is not a finite number: use an ordinary number \
             such as 1.5",
        ),
        (
            Some("age,y\n1,2\n3,-inf\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 3, column `y`: `-inf` is not a finite number: use an ordinary number \
             such as 1.5",
        ),
        (
            Some("age,y\n1,1e39\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 2, column `y`: `1e39` is too large: numbers must lie within ±3.4e38",
        ),
        (
            Some("age,y\n1,2\n ,2\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 3, column `age`: the cell is empty: every cell needs a number",
        ),
        (
            Some("age,height,weight\n1,2,3\n"),
            2,
            "label",
            CsvTask::Regression,
            "data.dataset.target: `label` is not a column of `data.csv`: its columns are `age`, `height`, `weight`",
        ),
        (
            Some("y,a,y\n1,2,3\n"),
            2,
            "y",
            CsvTask::Regression,
            "data.dataset.target: `y` names 2 columns of `data.csv`: rename the others so the target is one column",
        ),
        (
            Some("y\n1\n2\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, there is no column besides the target `y`: add the input columns",
        ),
        (
            Some("a,b,y\n1,2,3\n"),
            3,
            "y",
            CsvTask::Regression,
            "data.dataset.inputs: is 3, but `data.csv` has 2 columns besides the target `y`: set it to 2",
        ),
        (
            Some("a,label\n1,0\n2,2.5\n"),
            1,
            "label",
            three,
            "data.dataset: in `data.csv`, row 3, column `label`: `2.5` is not a class: with 3 classes the target must \
             be a whole number from 0 to 2",
        ),
        (
            Some("a,label\n1,0\n2,3\n"),
            1,
            "label",
            three,
            "data.dataset: in `data.csv`, row 3, column `label`: `3` is not a class: with 3 classes the target must \
             be a whole number from 0 to 2",
        ),
        (
            Some("a,label\n1,-1\n"),
            1,
            "label",
            three,
            "data.dataset: in `data.csv`, row 2, column `label`: `-1` is not a class: with 3 classes the target must \
             be a whole number from 0 to 2",
        ),
        (
            Some(&many_rows),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, there are more than 100000 rows of data, beyond the limit (MAX_SAMPLES): \
             keep at most 100000",
        ),
        (
            Some(&wide),
            4097,
            "c0",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, the header has 4098 columns: a model takes at most 4096 inputs (MAX_WIDTH) \
             besides the target, so keep at most 4097 columns",
        ),
        (
            Some("a,y\n1,\"2\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 2 has a quoted field with no closing `\"`: close it",
        ),
        (
            Some("a,y\n1,\"2\"x\n"),
            1,
            "y",
            CsvTask::Regression,
            "data.dataset: in `data.csv`, row 2 has text after a closing `\"`: put the whole field in quotes, writing \
             `\"\"` for a quote inside it",
        ),
    ];
    for (file, inputs, target, task, expected) in cases {
        let got = error(&csv_spec(inputs, target, task), file);
        assert_eq!(got, expected, "for the file {:?}", file.map(|f| &f[..f.len().min(60)]));
    }
}

#[test]
fn a_good_csv_loads_standardised() {
    // A byte-order mark, CRLF, quoted names (one with a comma, one with a quote), a quoted
    // number, spaces, and blank rows.
    let file = "\u{feff}\"size, cm\",label,\"the \"\"x\"\"\"\r\n\
                1, 0 ,10\r\n\
                \r\n\
                2,1,\"20\"\r\n\
                3,2,30\r\n\
                4,1,40\n\
                ,,\n";
    let task = CsvTask::Classes { classes: 3 };
    let spec = csv_spec(2, "label", task);
    let data = load(&spec, 1, Some(file)).expect("a good file");
    assert_eq!(data.task, Task::Classify { classes: 3 });
    assert_eq!((data.train.len, data.test.len, data.train.width), (2, 2, 2));
    // Both input columns are 1, 2, 3, 4 (times 10): standardised, (v - 2.5) / sqrt(1.25).
    let mut rows: Vec<(f32, f32, f32)> = examples(&data).iter().map(|e| (e.3[0], e.3[1], e.2 as f32)).collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let expected: Vec<(f32, f32, f32)> = [(1.0, 0.0), (2.0, 1.0), (3.0, 2.0), (4.0, 1.0)]
        .iter()
        .map(|&(v, label)| {
            let z = ((v - 2.5) / 1.25f64.sqrt()) as f32;
            (z, z, label as f32)
        })
        .collect();
    for (got, want) in rows.iter().zip(&expected) {
        assert!((got.0 - want.0).abs() < 1e-6 && (got.1 - want.1).abs() < 1e-6 && got.2 == want.2, "{got:?} {want:?}");
    }
    let all = examples(&data);
    check_standardised(&all, 2, "the CSV");
    // Regression keeps the target as it is.
    let regression =
        load(&csv_spec(1, "y", CsvTask::Regression), 1, Some("x,y\n1,-7.5\n2,1e3\n3,+.5\n4,2.\n5,007\n")).unwrap();
    let mut targets: Vec<f32> = examples(&regression).iter().map(|e| e.2 as f32).collect();
    targets.sort_by(f32::total_cmp);
    assert_eq!(targets, [-7.5, 0.5, 2.0, 7.0, 1000.0]);
}

// ---- images ------------------------------------------------------------------------------

/// The scene as bundled: 256 × 256 bytes, row by row from the top.
fn scene_pixels() -> Vec<u8> {
    let (_, bytes) = BUNDLED_FILES.iter().find(|(name, _)| *name == "scene.u8.zlib").expect("the scene is bundled");
    miniz_oxide::inflate::decompress_to_vec_zlib(bytes).expect("a zlib stream")
}

/// The image's brightness by pixel (row from the top, column from the left), read back from the
/// examples' points, which must be exactly the pixel centres, each once.
fn pixels_of(data: &Data, side: usize) -> Vec<f32> {
    let mut grid = vec![f32::NAN; side * side];
    let centre = |i: usize| ((2 * i + 1) as f64 / side as f64 - 1.0) as f32;
    let index = |v: f32| (0..side).find(|&i| centre(i) == v);
    for e in [&data.train, &data.test] {
        assert_eq!(e.points, e.inputs, "the points are the inputs");
        for i in 0..e.len {
            let (x, y) = (e.inputs[2 * i], e.inputs[2 * i + 1]);
            let (Some(column), Some(row)) = (index(x), index(-y)) else { panic!("({x}, {y}) is no pixel centre") };
            assert!(grid[row * side + column].is_nan(), "pixel ({row}, {column}) twice");
            grid[row * side + column] = e.targets[i];
        }
    }
    grid
}

#[test]
fn an_image_is_one_example_per_pixel_in_range() {
    // (image, side); `samples` is ignored, so 10 and 5000 give the same data.
    let cases = [
        (BundledImage::Scene, 256),
        (BundledImage::Scene, 64),
        (BundledImage::Scene, 100),
        (BundledImage::Scene, 1),
        (BundledImage::Checker, 8),
        (BundledImage::Checker, 24),
        (BundledImage::Checker, 5),
    ];
    for (image, side) in cases {
        let dataset = Dataset::Image { image, side };
        let data = loaded(&spec(dataset.clone(), 10, 0.0), 3);
        assert_eq!(data, loaded(&spec(dataset.clone(), 5000, 0.5), 3), "{dataset:?}: samples and noise are ignored");
        let n = (side * side) as usize;
        assert_eq!((data.train.len, data.test.len), (train_count(n, 0.7), n - train_count(n, 0.7)), "{dataset:?}");
        assert_eq!(data.task, Task::Regress { outputs: 1 });
        assert_eq!((data.train.width, data.train.target_width), (2, 1));
        assert_eq!(dataset.flat_inputs(), Some(2));
        assert!(data.encoder.is_none());
        let grid = pixels_of(&data, side as usize);
        assert!(grid.iter().all(|v| (0.0..=1.0).contains(v)), "{dataset:?}: brightness in [0, 1]");
        if side >= 8 {
            assert!(grid.iter().any(|&v| v > 0.85) && grid.iter().any(|&v| v < 0.15), "{dataset:?}: light and dark");
        }
    }
}

#[test]
fn the_checker_is_exact() {
    // (side, row, column, brightness): 8 × 8 cells, the top-left one white.
    let cases = [
        (16, 0, 0, 1.0),
        (16, 0, 2, 0.0),
        (16, 1, 1, 1.0),
        (16, 3, 5, 0.0),
        (16, 3, 6, 1.0),
        (16, 15, 0, 0.0),
        (16, 15, 15, 1.0),
        (8, 0, 7, 0.0),
        (8, 7, 7, 1.0),
        (5, 2, 2, 1.0),
        (5, 0, 1, 1.0),
        (5, 0, 3, 0.0),
    ];
    for (side, row, column, brightness) in cases {
        let data = loaded(&spec(Dataset::Image { image: BundledImage::Checker, side }, 10, 0.0), 1);
        let grid = pixels_of(&data, side as usize);
        assert_eq!(grid[(row * side + column) as usize], brightness, "side {side}, pixel ({row}, {column})");
    }
    // Every pixel at side 64: the parity of its cell's row and column.
    let grid = pixels_of(&loaded(&spec(Dataset::Image { image: BundledImage::Checker, side: 64 }, 10, 0.0), 1), 64);
    for (i, &v) in grid.iter().enumerate() {
        let (row, column) = (i / 64 / 8, i % 64 / 8);
        assert_eq!(v, if (row + column) % 2 == 0 { 1.0 } else { 0.0 }, "pixel {i}");
    }
}

#[test]
fn the_scene_is_the_bundled_pixels_box_filtered() {
    let pixels = scene_pixels();
    assert_eq!(pixels.len(), 256 * 256);
    let at = |side: usize| {
        pixels_of(&loaded(&spec(Dataset::Image { image: BundledImage::Scene, side: side as u32 }, 10, 0.0), 2), side)
    };
    // At full size each pixel as it is; at 128 and 32 the mean of each 2 × 2 and 8 × 8 block.
    let full = at(256);
    assert!(full.iter().zip(&pixels).all(|(v, &p)| *v == (f64::from(p) / 255.0) as f32));
    for side in [128, 32] {
        let k = 256 / side;
        for (i, v) in at(side).iter().enumerate() {
            let (row, column) = (i / side, i % side);
            let block = (0..k * k).map(|j| f64::from(pixels[(row * k + j / k) * 256 + column * k + j % k]));
            let mean = block.sum::<f64>() / (k * k) as f64 / 255.0;
            assert!(near(f64::from(*v), mean, 1e-6), "side {side}, pixel ({row}, {column}): {v} vs {mean}");
        }
    }
    // At a side that does not divide 256, the mean brightness is kept.
    let mean = |grid: &[f32]| grid.iter().map(|&v| f64::from(v)).sum::<f64>() / grid.len() as f64;
    for side in [100, 33, 1] {
        assert!(near(mean(&at(side)), mean(&full), 2e-3), "side {side}");
    }
}

// ---- sequences -----------------------------------------------------------------------------

/// The tokens and the target row of every example, train then test.
fn token_rows(data: &Data) -> Vec<(Vec<f32>, Vec<f32>)> {
    [&data.train, &data.test]
        .into_iter()
        .flat_map(|e| {
            (0..e.len).map(move |i| {
                let tokens = e.inputs[i * e.width..(i + 1) * e.width].to_vec();
                (tokens, e.targets[i * e.target_width..(i + 1) * e.target_width].to_vec())
            })
        })
        .collect()
}

type Answer = fn(&[f32]) -> Vec<f32>;

/// The answer to a copy or reverse input: checks the second half is all blanks, then gives the
/// first half (reversed when asked).
fn answer_after_blanks(t: &[f32], blank: f32, reverse: bool) -> Vec<f32> {
    let (tokens, blanks) = t.split_at(t.len() / 2);
    assert!(blanks.iter().all(|&b| b == blank), "{t:?}");
    assert!(tokens.iter().all(|&v| v < blank), "{t:?}");
    if reverse { tokens.iter().rev().copied().collect() } else { tokens.to_vec() }
}

#[test]
fn sequences_have_their_shapes_and_answers() {
    // (dataset, samples, the target of the tokens)
    let cases: Vec<(Dataset, u32, Answer)> = vec![
        // Copy and reverse: the tokens, then as many blanks (the id after the vocabulary).
        (Dataset::Copy { length: 8, vocabulary: 10 }, 300, |t| answer_after_blanks(t, 10.0, false)),
        (Dataset::Copy { length: 1, vocabulary: 2 }, 10, |t| answer_after_blanks(t, 2.0, false)),
        (Dataset::Reverse { length: 5, vocabulary: 3 }, 300, |t| answer_after_blanks(t, 3.0, true)),
        (Dataset::Reverse { length: 64, vocabulary: 1023 }, 50, |t| answer_after_blanks(t, 1023.0, true)),
        (Dataset::Parity { bits: 8 }, 400, |t| vec![t.iter().sum::<f32>() % 2.0]),
        (Dataset::Parity { bits: 1 }, 20, |t| vec![t[0]]),
        (Dataset::ModularAddition { modulus: 7 }, 30, |t| vec![(t[0] + t[1]) % 7.0]),
        (Dataset::ModularAddition { modulus: 97 }, 500, |t| vec![(t[0] + t[1]) % 97.0]),
    ];
    for (dataset, samples, answer) in cases {
        let data = loaded(&spec(dataset.clone(), samples, 0.0), 5);
        let (length, vocabulary) = dataset.token_input().expect("a sequence dataset");
        let n = samples as usize;
        assert_eq!((data.train.len, data.test.len), (train_count(n, 0.7), n - train_count(n, 0.7)), "{dataset:?}");
        assert_eq!(data.task, dataset.task());
        let target_width = match data.task {
            Task::Sequence { length, .. } => length as usize,
            _ => 1,
        };
        for e in [&data.train, &data.test] {
            assert_eq!((e.width, e.target_width), (length as usize, target_width), "{dataset:?}");
            assert_eq!((e.inputs.len(), e.targets.len()), (e.len * e.width, e.len * target_width));
            assert!(e.points.is_empty() && data.encoder.is_none());
        }
        let rows = token_rows(&data);
        for (tokens, target) in &rows {
            let token = |v: &f32| v.fract() == 0.0 && (0.0..vocabulary as f32).contains(v);
            assert!(tokens.iter().all(token), "{dataset:?}: {tokens:?} are not tokens below {vocabulary}");
            assert_eq!(*target, answer(tokens), "{dataset:?}: the answer to {tokens:?}");
        }
        if let Dataset::ModularAddition { modulus } = dataset {
            let p = modulus as f32;
            assert!(rows.iter().all(|(t, _)| t[2] == p && t[0] < p && t[1] < p), "{dataset:?}: [a, b, =]");
            let mut pairs: Vec<(u32, u32)> = rows.iter().map(|(t, _)| (t[0] as u32, t[1] as u32)).collect();
            pairs.sort_unstable();
            pairs.dedup();
            assert_eq!(pairs.len(), n, "{dataset:?}: distinct pairs");
        }
        if let Task::Classify { classes } = data.task {
            for class in 0..classes.min(2) {
                assert!(rows.iter().any(|(_, t)| t[0] == class as f32), "{dataset:?} has class {class}");
            }
        }
    }
}

#[test]
fn modular_addition_is_every_pair_once_when_samples_allow() {
    // The grokking setup: all 97² pairs, half to train (⌊0.5 · 9409⌋ = 4704 by `train_count`).
    for samples in [9409, 10_000, 100_000] {
        let spec = DataSpec { train_fraction: 0.5, ..spec(Dataset::ModularAddition { modulus: 97 }, samples, 0.0) };
        let data = loaded(&spec, 1);
        assert_eq!((data.train.len, data.test.len), (4704, 4705));
        assert_eq!(data.task, Task::Classify { classes: 97 });
        let mut seen = vec![0; 97 * 97];
        for (tokens, target) in token_rows(&data) {
            let (a, b) = (tokens[0] as usize, tokens[1] as usize);
            assert_eq!((tokens[2], target[0]), (97.0, ((a + b) % 97) as f32));
            seen[a * 97 + b] += 1;
        }
        assert!(seen.iter().all(|&count| count == 1), "every pair exactly once");
    }
    // Below p², the pairs drawn follow the seed (the data stream), not only their split.
    let few = spec(Dataset::ModularAddition { modulus: 97 }, 200, 0.0);
    let pairs = |seed: u64| {
        let rows = token_rows(&loaded(&few, seed));
        let mut pairs: Vec<(u32, u32)> = rows.iter().map(|(t, _)| (t[0] as u32, t[1] as u32)).collect();
        pairs.sort_unstable();
        pairs
    };
    assert_eq!(pairs(4), pairs(4));
    assert_ne!(pairs(4), pairs(5));
}

// ---- next-token arithmetic ------------------------------------------------------------------

/// Reads the digits of a number written most significant first.
fn number(digits: &[f32]) -> u64 {
    digits.iter().fold(0, |n, &d| n * 10 + d as u64)
}

#[test]
fn arithmetic_writes_out_the_sum_and_its_steps() {
    for (digits, chain_of_thought) in [(3u32, false), (3, true), (1, true), (8, false)] {
        let dataset = Dataset::Arithmetic { digits, chain_of_thought };
        let data = loaded(&spec(dataset.clone(), 200, 0.0), 9);
        let d = digits as usize;
        let steps = if chain_of_thought { 2 * d } else { 0 };
        let (len, vocab) = dataset.token_input().expect("tokens");
        assert_eq!((len as usize, vocab), (3 * d + 2 + steps, 12));
        for e in [&data.train, &data.test] {
            assert_eq!((e.width, e.target_width), (3 * d + 2 + steps, steps + d + 1));
            for (x, t) in e.inputs.chunks_exact(e.width).zip(e.targets.chunks_exact(e.target_width)) {
                let (a, b) = (number(&x[..d]), number(&x[d + 1..2 * d + 1]));
                assert_eq!((x[d], x[2 * d + 1]), (10.0, 11.0), "{x:?}");
                // Teacher forcing: the input after `=` is the target shifted by one.
                assert_eq!(&x[2 * d + 2..], &t[..t.len() - 1], "{x:?} {t:?}");
                assert_eq!(number(&t[steps..]), a + b, "{x:?} {t:?}");
                if chain_of_thought {
                    let (mut carry, mut a, mut b) = (0, a, b);
                    for step in t[..steps].chunks_exact(2) {
                        let total = a % 10 + b % 10 + carry;
                        carry = total / 10;
                        assert_eq!(step, [(total % 10) as f32, carry as f32], "{x:?} {t:?}");
                        (a, b) = (a / 10, b / 10);
                    }
                }
                assert!(t.iter().all(|&v| (0.0..10.0).contains(&v) && v.fract() == 0.0));
            }
        }
    }
}

#[test]
fn every_dataset_in_the_catalogue_loads_or_says_why_not() {
    for dataset in Dataset::catalogue() {
        let result = load(&spec(dataset.clone(), 100, 0.1), 1, None);
        match (&dataset, result) {
            (_, Ok(data)) => assert!(data.train.len > 0 && data.test.len > 0, "{dataset:?}"),
            (Dataset::Csv(_), Err(e)) => assert!(e.message.contains("is not loaded"), "{e}"),
            (_, Err(e)) => panic!("{dataset:?}: {e}"),
        }
    }
}

#[test]
fn impossible_parameters_are_errors_not_panics() {
    let cases: Vec<(DataSpec, &str)> = vec![
        (spec(Dataset::Circle, 0, 0.0), "data.samples: is 0: generate 1 to 100000 examples (MAX_SAMPLES)"),
        (spec(Dataset::Circle, 100, f32::NAN), "data.noise: is NaN: use a noise from 0 to 1"),
        (spec(Dataset::Checkerboard { cells: 0 }, 100, 0.0), "data.dataset.cells: is 0: use 2 to 16 cells a side"),
        (spec(Dataset::ArmSpiral { arms: 0 }, 100, 0.0), "data.dataset.arms: is 0: use 2 to 64 arms (MAX_CLASSES)"),
        (
            DataSpec { train_fraction: 1.0, ..spec(Dataset::Iris, 0, 0.0) },
            "data.train_fraction: is 1: use a share between 0 and 1",
        ),
        (
            DataSpec { fourier: Some(FourierInput { count: 5000, scale: 1.0 }), ..spec(Dataset::Xor, 100, 0.0) },
            "data.fourier.count: is 5000: use 1 to 1024 (MAX_FOURIER_FEATURES)",
        ),
        (spec(Dataset::Parity { bits: 8 }, 0, 0.0), "data.samples: is 0: generate 1 to 100000 examples (MAX_SAMPLES)"),
        (
            spec(Dataset::ModularAddition { modulus: 97 }, 100_001, 0.0),
            "data.samples: is 100001: generate 1 to 100000 examples (MAX_SAMPLES)",
        ),
        (
            spec(Dataset::ModularAddition { modulus: 1 }, 100, 0.0),
            "data.dataset.modulus: is 1: use 2 to 1023 (MAX_VOCABULARY − 1: the `=` token takes one id)",
        ),
        (
            spec(Dataset::ModularAddition { modulus: 1024 }, 100, 0.0),
            "data.dataset.modulus: is 1024: use 2 to 1023 (MAX_VOCABULARY − 1: the `=` token takes one id)",
        ),
        (spec(Dataset::Parity { bits: 0 }, 100, 0.0), "data.dataset.bits: is 0: use 1 to 256 bits (MAX_SEQUENCE)"),
        (spec(Dataset::Parity { bits: 257 }, 100, 0.0), "data.dataset.bits: is 257: use 1 to 256 bits (MAX_SEQUENCE)"),
        (
            spec(Dataset::Copy { length: 0, vocabulary: 10 }, 100, 0.0),
            "data.dataset.length: is 0: use 1 to 128 tokens (MAX_SEQUENCE / 2: the answer doubles it)",
        ),
        (
            spec(Dataset::Copy { length: 8, vocabulary: 1 }, 100, 0.0),
            "data.dataset.vocabulary: is 1: use 2 to 1023 tokens (MAX_VOCABULARY − 1: the blank takes one id)",
        ),
        (
            spec(Dataset::Reverse { length: 300, vocabulary: 10 }, 100, 0.0),
            "data.dataset.length: is 300: use 1 to 128 tokens (MAX_SEQUENCE / 2: the answer doubles it)",
        ),
        (
            spec(Dataset::Reverse { length: 8, vocabulary: 5000 }, 100, 0.0),
            "data.dataset.vocabulary: is 5000: use 2 to 1023 tokens (MAX_VOCABULARY − 1: the blank takes one id)",
        ),
        (
            spec(Dataset::Image { image: BundledImage::Scene, side: 0 }, 100, 0.0),
            "data.dataset.side: is 0: use 1 to 256 pixels a side (the bundled images are 256 × 256; the spec's own \
             limit is MAX_IMAGE_SIDE)",
        ),
        (
            spec(Dataset::Image { image: BundledImage::Checker, side: 257 }, 100, 0.0),
            "data.dataset.side: is 257: use 1 to 256 pixels a side (the bundled images are 256 × 256; the spec's own \
             limit is MAX_IMAGE_SIDE)",
        ),
    ];
    for (spec, expected) in cases {
        assert_eq!(error(&spec, None), expected);
    }
    // No features at all is odd but not impossible: the examples have width 0.
    let empty = DataSpec { features: vec![], ..spec(Dataset::Circle, 20, 0.0) };
    let data = loaded(&empty, 1);
    assert_eq!((data.train.width, data.train.len + data.test.len, data.train.points.len()), (0, 20, 28));
}

#[test]
fn errors_display_as_path_then_message() {
    let e = DataError { path: "data.x".into(), message: "is wrong".into() };
    assert_eq!(e.to_string(), "data.x: is wrong");
}

#[test]
fn a_csv_summary_shows_the_first_rows_and_which_columns_hold_classes() {
    use layerlab_engine::data::{CsvSummary, PREVIEW_ROWS};
    let text: String = "a,b,c,d\n".to_string()
        + &(0..70).map(|i| format!("{i},{}.5,{},{}\n", i % 3, i % 2, -(i % 2))).collect::<String>();
    let summary = CsvSummary::read("s.csv", &text).unwrap();
    assert_eq!((summary.rows, summary.preview.len()), (70, PREVIEW_ROWS));
    assert_eq!(summary.preview[1], [1.0, 1.5, 1.0, -1.0]);
    // 0..69 is beyond 64 classes; halves are not classes; 0/1 is two; negatives are not.
    assert_eq!(summary.classes, [None, None, Some(2), None]);
    let reference = summary.reference("s.csv", 2);
    assert_eq!(
        (reference.inputs, reference.target.as_str(), reference.task),
        (3, "c", CsvTask::Classes { classes: 2 })
    );
    assert_eq!(summary.reference("s.csv", 9).target, "d", "an index past the end is the last column");
    // The same mistakes as training finds, and a file of one column.
    let error = CsvSummary::read("s.csv", "a,b\n1,2\n3\n").unwrap_err();
    assert_eq!(error.message, "in `s.csv`, row 3 has 1 field, the header has 2: give every row one value per column");
    let error = CsvSummary::read("s.csv", "a\n1\n2\n").unwrap_err();
    assert_eq!(error.message, "in `s.csv`, there is only one column: add the input columns beside the target");
    assert!(CsvSummary::read("s.csv", "a,b\n1,2\n").unwrap_err().message.contains("only 1 row"));
}
