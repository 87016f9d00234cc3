//! The package's own wasm tests, in headless Chromium (WebGPU there is SwiftShader, a software
//! adapter): the backend is chosen as on the page (auto skips a software adapter and says so;
//! `backend: "webgpu"` takes it), 200 steps on WebGPU give the CPU's losses, a second step
//! before the first is awaited is refused, a device destroyed mid-run (as a driver reset would)
//! leaves the run on the CPU with no step lost, 10,000 steps keep the wasm memory flat, and bad
//! input rejects with a JavaScript `Error` carrying the validation message. Run by
//! `cargo xtask test` (its wasm step).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use layerlab::{Experiment, Run, advance, memory_bytes};
use layerlab_worker::{BackendReport, CpuReason, GpuAdapter};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SPIRAL: &str =
    r#"{"data":{"dataset":"spiral"},"model":[{"dense":{"units":16}},{"dense":{"units":16}}],"seed":7}"#;

fn options(backend: &str) -> layerlab::Options {
    let object = Object::new();
    Reflect::set(&object, &"backend".into(), &backend.into()).expect("a plain object");
    object.unchecked_into()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or_else(|_| panic!("{key}"))
}

fn number(object: &JsValue, key: &str) -> f64 {
    get(object, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number: {object:?}"))
}

async fn open(backend: &str) -> Experiment {
    Experiment::from_spec(SPIRAL.into(), Some(options(backend))).await.unwrap_or_else(|e| {
        let error: JsValue = e.into();
        panic!("{backend}: {error:?}")
    })
}

/// The message of the `Error` a call failed with.
fn message(error: JsValue) -> String {
    error.dyn_into::<js_sys::Error>().map(|e| String::from(e.message())).expect("a JavaScript Error")
}

#[wasm_bindgen_test]
async fn auto_skips_a_software_adapter_and_webgpu_takes_it() {
    let auto = open("auto").await;
    assert_eq!(auto.backend(), "cpu");
    let report = auto.backend_report().map_err(JsValue::from).expect("a report");
    let explanation = get(&report, "explanation").as_string().expect("a sentence");
    assert!(explanation.contains("software adapter"), "{explanation}");
    assert_eq!(open("webgpu").await.backend(), "webgpu");
    assert_eq!(open("cpu").await.backend(), "cpu");
}

#[wasm_bindgen_test]
async fn two_hundred_steps_on_webgpu_give_the_losses_of_the_cpu() {
    let (gpu, cpu) = (open("webgpu").await, open("cpu").await);
    let g = JsFuture::from(gpu.step(200)).await.expect("trains on WebGPU").as_f64().expect("a loss");
    let c = JsFuture::from(cpu.step(200)).await.expect("trains on the CPU").as_f64().expect("a loss");
    assert_eq!(gpu.backend(), "webgpu", "the device stayed");
    assert_eq!(gpu.steps(), 200.0);
    assert!((g - c).abs() < 1e-3, "the last step's loss: {g} on WebGPU, {c} on the CPU");
    let (g, c) = (gpu.evaluate().map_err(JsValue::from).unwrap(), cpu.evaluate().map_err(JsValue::from).unwrap());
    for key in ["trainLoss", "testLoss", "testAccuracy"] {
        let (a, b) = (number(&g, key), number(&c, key));
        assert!((a - b).abs() < 1e-3, "{key}: {a} on WebGPU, {b} on the CPU");
    }
    let snapshot = gpu.snapshot().map_err(JsValue::from).unwrap();
    assert_eq!(number(&snapshot, "step"), 200.0);
    assert!((number(&snapshot, "trainLoss") - number(&g, "trainLoss")).abs() < 1e-12, "a snapshot carries the losses");
    let layers: js_sys::Array = get(&snapshot, "layers").unchecked_into();
    assert_eq!(layers.length(), 3, "two hidden layers and the output");
    assert!(number(&layers.get(0), "effective_rank") > 1.0);
}

#[wasm_bindgen_test]
async fn a_second_step_before_the_first_is_awaited_is_refused() {
    let gpu = open("webgpu").await;
    let first = gpu.step(50);
    let second = JsFuture::from(gpu.step(1)).await.expect_err("refused");
    assert!(message(second).contains("an earlier step or run is still going"));
    JsFuture::from(first).await.expect("the first goes on");
    assert_eq!(gpu.steps(), 50.0);
}

#[wasm_bindgen_test]
async fn bad_input_rejects_with_the_validation_message() {
    let wide = r#"{"model":[{"dense":{"units":100000}}]}"#;
    let error = Experiment::from_spec(wide.into(), None).await.err().expect("refused");
    assert!(message(error.into()).contains("model[0].units = 100000 exceeds the limit of 4096"));
    let error = Experiment::from_link("v1.cut-off".into(), None).await.err().expect("refused");
    assert!(message(error.into()).contains("link"));
    let error = Experiment::from_spec(SPIRAL.into(), Some(options("tpu"))).await.err().expect("refused");
    assert!(message(error.into()).contains("is not one of"));
    let cpu = open("cpu").await;
    let error = cpu.predict(&[1.0, 2.0, 3.0]).expect_err("refused");
    assert!(message(error.into()).contains("predict takes rows of 2 numbers, but got 3 numbers"));
}

#[wasm_bindgen_test]
async fn a_device_lost_mid_run_leaves_the_run_on_the_cpu_with_no_step_lost() {
    let spec = layerlab_spec::json::from_json(SPIRAL).expect("valid").spec;
    let gpu = layerlab_gpu::Gpu::new().await.expect("WebGPU (--enable-unsafe-webgpu)");
    let report = BackendReport::WebGpu { adapter: GpuAdapter::default() };
    let run = RefCell::new(Run::new(spec.clone(), None, report, Some(gpu)).expect("valid"));
    advance(&run, 40).await.expect("trains on WebGPU");
    run.borrow().gpu().expect("on WebGPU").destroy_device();
    advance(&run, 60).await.expect("goes on on the CPU");
    assert!(run.borrow().gpu().is_none());
    let report = run.borrow().report().clone();
    assert!(matches!(report, BackendReport::Cpu { reason: CpuReason::DeviceLost { .. } }), "{report:?}");
    assert_eq!(run.borrow().trainer.steps(), 100, "every step asked for was taken");
    let cpu =
        RefCell::new(Run::new(spec, None, BackendReport::Cpu { reason: CpuReason::Forced }, None).expect("valid"));
    advance(&cpu, 100).await.expect("trains");
    let (a, b) = (run.borrow_mut().trainer.evaluate().train_loss, cpu.borrow_mut().trainer.evaluate().train_loss);
    assert!((a - b).abs() < 1e-3, "after the fallback: {a}, on the CPU throughout: {b}");
}

#[wasm_bindgen_test]
async fn ten_thousand_steps_keep_the_wasm_memory_flat() {
    let long = r#"{"data":{"dataset":"circle"},"model":[{"dense":{"units":8}}],"training":{"length":{"steps":20000}}}"#;
    let cpu = Experiment::from_spec(long.into(), Some(options("cpu"))).await.map_err(JsValue::from).expect("valid");
    JsFuture::from(cpu.step(500)).await.expect("trains");
    let _ = cpu.snapshot().map_err(JsValue::from).expect("a snapshot");
    let warm = memory_bytes();
    for _ in 0..20 {
        JsFuture::from(cpu.step(500)).await.expect("trains");
        let _ = cpu.snapshot().map_err(JsValue::from).expect("a snapshot");
    }
    assert_eq!(cpu.steps(), 10_500.0);
    assert_eq!(memory_bytes(), warm, "no growth after warm-up");
}

#[wasm_bindgen_test]
async fn the_benchmark_workloads_train_alike_on_both_backends() {
    let ids = layerlab::Workload::ids();
    assert_eq!(ids.len(), 3, "{ids:?}");
    let error = layerlab::Workload::open("mlp_9".into(), "cpu".into()).await.err().expect("refused");
    assert!(message(error.into()).contains("the workloads are mlp_2-8-8-1_tanh_b10"));
    for id in &ids[..2] {
        let cpu = layerlab::Workload::open(id.clone(), "cpu".into()).await.map_err(JsValue::from).expect("opens");
        let gpu = layerlab::Workload::open(id.clone(), "webgpu".into()).await.map_err(JsValue::from).expect("opens");
        assert_eq!((cpu.backend(), gpu.backend()), ("cpu".to_string(), "webgpu".to_string()));
        let c = JsFuture::from(cpu.steps(20)).await.expect("trains").as_f64().expect("a loss");
        let g = JsFuture::from(gpu.steps(20)).await.expect("trains").as_f64().expect("a loss");
        assert!(c.is_finite() && (c - g).abs() < 1e-3, "{id}: {c} on the CPU, {g} on WebGPU");
    }
}
