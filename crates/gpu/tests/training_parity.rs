//! Training parity: the spiral MLP and the digits MLP (and the spiral MLP under every learning
//! rule) train 200 steps on the CPU and on the GPU from the same spec, and their loss curves
//! stay within 1e-3 of each other at every step.
#![cfg(not(target_arch = "wasm32"))]

use layerlab_engine::backend::Backend;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_gpu::Gpu;
use layerlab_spec::json;

const STEPS: usize = 200;
const TOLERANCE: f64 = 1e-3;

fn losses<B: Backend>(b: B, spec_file: &str) -> Vec<f64> {
    let path = format!("{}/../cli/tests/specs/{spec_file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let spec = json::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e:?}")).spec;
    let mut trainer = Trainer::new(b, &spec, None).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    (0..STEPS).map(|_| trainer.step().expect("training does not diverge")).collect()
}

#[test]
fn the_spiral_and_digits_mlps_train_alike_on_cpu_and_gpu() {
    let rules = ["dfa_spiral.json", "tp_spiral.json", "mf_spiral.json", "ff_spiral.json"];
    for spec in ["spiral.json", "digits.json"].into_iter().chain(rules) {
        let cpu = losses(Cpu::<f32>::new(), spec);
        let gpu = losses(Gpu::native().expect("a Vulkan adapter (lavapipe: mesa-vulkan-drivers)"), spec);
        let (step, worst) = cpu
            .iter()
            .zip(&gpu)
            .map(|(c, g)| (c - g).abs())
            .enumerate()
            .fold((0, 0.0f64), |best, (i, d)| if d > best.1 { (i, d) } else { best });
        eprintln!("{spec}: loss {:.5} → {:.5}, worst difference {worst:.2e} at step {step}", cpu[0], cpu[STEPS - 1]);
        assert!(worst <= TOLERANCE, "{spec}: CPU {} and GPU {} at step {step}", cpu[step], gpu[step]);
        // The local rules start slower; their learning is checked over whole runs by the CLI's tests.
        if !rules.contains(&spec) {
            assert!(cpu[STEPS - 1] < 0.9 * cpu[0], "{spec}: the model learns ({} → {})", cpu[0], cpu[STEPS - 1]);
        }
    }
}
