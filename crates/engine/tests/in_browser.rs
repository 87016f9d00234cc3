//! The engine compiled to wasm (with simd128) and run in headless Chromium: the matrix multiply's
//! wasm kernel against the reference, and whole training runs on generated and bundled data,
//! sequences included.
#![cfg(target_arch = "wasm32")]

use layerlab_engine::cpu::Cpu;
use layerlab_engine::cpu::gemm::{Gemm, Scratch, gemm_reference, sgemm};
use layerlab_engine::train::Trainer;
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::Length;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// (m, n, k, a_trans, b_trans, accumulate): odd sizes, every transpose, the MLP shapes.
const SHAPES: &[(usize, usize, usize, bool, bool, bool)] = &[
    (1, 1, 1, false, false, false),
    (3, 5, 7, true, false, true),
    (17, 33, 65, false, true, false),
    (10, 8, 2, false, false, false),
    (64, 64, 256, true, false, false),
    (256, 64, 64, false, true, true),
    (129, 127, 255, true, true, false),
];

#[wasm_bindgen_test]
fn the_wasm_matrix_multiply_matches_the_reference() {
    let mut scratch = Scratch::default();
    for &(m, n, k, a_trans, b_trans, accumulate) in SHAPES {
        let g = Gemm { m, n, k, a_trans, b_trans, accumulate };
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 7919 % 101) as f32 - 50.0) / 25.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 104_729 % 97) as f32 - 48.0) / 24.0).collect();
        let start: Vec<f32> = (0..m * n).map(|i| (i % 5) as f32).collect();
        let (mut fast, mut slow) = (start.clone(), start);
        sgemm(g, &a, &b, &mut fast, &mut scratch);
        gemm_reference(g, &a, &b, &mut slow);
        let worst = fast.iter().zip(&slow).map(|(x, y)| (x - y).abs() / y.abs().max(1.0)).fold(0.0, f32::max);
        assert!(worst < 1e-5 * k as f32, "{g:?}: off by {worst}");
    }
}

/// Trains `spec` to its end in the browser and returns the final evaluation's test accuracy.
fn train(spec: &Spec) -> f64 {
    let mut trainer = Trainer::new(Cpu::<f32>::new(), spec, None).expect("a valid spec");
    while !trainer.finished(None) {
        trainer.step().expect("a finite loss");
    }
    trainer.evaluate().test_accuracy.expect("a classification task")
}

#[wasm_bindgen_test]
fn the_opening_experiment_learns_in_the_browser() {
    let mut spec = Spec::default();
    spec.training.length = Length::Steps(800);
    let accuracy = train(&spec);
    assert!(accuracy >= 0.95, "circle: test accuracy {accuracy}");
}

#[wasm_bindgen_test]
fn the_bundled_digits_load_and_train_in_the_browser() {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Digits;
    spec.data.train_fraction = 0.7;
    spec.model = vec![Block::Dense(Dense { units: 64, activation: Activation::Relu, bias: true })];
    spec.training.batch_size = 32;
    spec.training.length = Length::Epochs(10);
    let accuracy = train(&spec);
    assert!(accuracy >= 0.9, "digits: test accuracy {accuracy}");
}

/// The sequence machinery in wasm: the CLI's copy experiment (embedding, two attention layers
/// with skip and MLP, answers at the blanks), shortened, and the Mixer on digit patches.
#[wasm_bindgen_test]
fn attention_and_the_mixer_learn_in_the_browser() {
    let copy = include_str!("../../cli/tests/specs/copy.json");
    let mut spec = layerlab_spec::json::from_json(copy).expect("the CLI's copy spec").spec;
    spec.training.length = Length::Steps(200);
    let accuracy = train(&spec);
    assert!(accuracy >= 0.95, "copy: test accuracy per token {accuracy}");

    let mixer = include_str!("../../cli/tests/specs/mixer.json");
    let mut spec = layerlab_spec::json::from_json(mixer).expect("the CLI's mixer spec").spec;
    spec.training.length = Length::Steps(300);
    let accuracy = train(&spec);
    assert!(accuracy >= 0.85, "mixer: test accuracy {accuracy}");
}
