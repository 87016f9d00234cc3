//! The GPU backend on the browser's WebGPU, in headless Chromium (SwiftShader there): whole runs
//! of a dense MLP, an MLP on digits, a transformer, an MLP-Mixer, a mixture of experts and a
//! KAN train with deferred steps, read back asynchronously as the page must, and follow the
//! CPU's loss curves. Every WGSL file is compiled by the browser's own compiler on the way.
#![cfg(target_arch = "wasm32")]

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_gpu::Gpu;
use layerlab_spec::json;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SPECS: &[(&str, &str)] = &[
    ("spiral", include_str!("../../cli/tests/specs/spiral.json")),
    ("digits", include_str!("../../cli/tests/specs/digits.json")),
    ("copy (attention)", include_str!("../../cli/tests/specs/copy.json")),
    ("mixer", include_str!("../../cli/tests/specs/mixer.json")),
    ("mixture of experts", include_str!("../../cli/tests/specs/moe.json")),
    ("KAN", include_str!("../../cli/tests/specs/kan_formula.json")),
];
const STEPS: u64 = 30;
/// Steps recorded between two read-backs (a page reads back once per tick).
const EVERY: u64 = 10;

#[wasm_bindgen_test]
async fn runs_on_webgpu_follow_the_cpu() {
    // One device for all runs: the browser compiles each pipeline once.
    let mut gpu =
        Gpu::new().await.unwrap_or_else(|e| panic!("WebGPU (Chromium runs with --enable-unsafe-webgpu): {e}"));
    for (name, text) in SPECS {
        let spec = json::from_json(text).unwrap_or_else(|e| panic!("{name}: {e:?}")).spec;
        let mut cpu = Trainer::new(Cpu::<f32>::new(), &spec, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let want: Vec<f64> = (0..STEPS).map(|_| cpu.step().expect("the CPU trains")).collect();

        let mut t = Trainer::new(gpu, &spec, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let mut got = Vec::new();
        while t.steps() < STEPS {
            t.step_deferred();
            if t.steps().is_multiple_of(EVERY) {
                let (history, count) = t.optimizer.history();
                let host = t.b.read_async(history, count).await.unwrap_or_else(|e| panic!("{name}: {e}"));
                got.extend(t.collect(&host).unwrap_or_else(|e| panic!("{name}: {e}")));
            }
        }
        use layerlab_engine::backend::Backend;
        assert_eq!(t.b.fault(), None, "{name}");
        assert_eq!(got.len(), want.len(), "{name}");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= 1e-3, "{name}, step {i}: {g} on WebGPU, {w} on the CPU");
        }
        let (first, last) = (got[0], got[got.len() - 1]);
        wasm_bindgen_test::console_log!("{name}: {STEPS} steps on {}, loss {first:.4} → {last:.4}", t.b.adapter());
        gpu = t.b;
    }
}
