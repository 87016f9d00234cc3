//! The worker's code in a real dedicated worker of headless Chromium (WebGPU on, through
//! SwiftShader; see `cargo xtask test`).
#![cfg(target_arch = "wasm32")]

use layerlab_worker::protocol::{self, BackendChoice, BackendReport, CpuReason, GpuAdapter, WorkerInput, WorkerOutput};
use layerlab_worker::session::Host;
use layerlab_worker::{backend, handler};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn a_worker_finds_the_webgpu_adapter_chromium_offers() {
    match backend::detect(BackendChoice::Auto).await {
        BackendReport::WebGpu { adapter } => {
            assert!(!adapter.display_name().is_empty());
            assert_ne!(adapter.display_name(), "unnamed adapter", "{adapter:?}");
        }
        other => panic!("Chromium runs with --enable-unsafe-webgpu, yet: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn forcing_the_cpu_wins_over_an_available_gpu() {
    assert_eq!(backend::detect(BackendChoice::Cpu).await, BackendReport::Cpu { reason: CpuReason::Forced });
}

#[wasm_bindgen_test]
async fn the_handler_answers_ping_and_detection_with_their_numbers() {
    let (pong, device) = handler::handle(WorkerInput::Ping { nonce: 77 }).await;
    assert_eq!(pong, vec![WorkerOutput::Pong { nonce: 77 }]);
    assert!(device.is_none());
    let (answer, device) = handler::handle(WorkerInput::DetectBackend { request: 9, choice: BackendChoice::Cpu }).await;
    assert_eq!(
        answer,
        vec![WorkerOutput::Backend { request: 9, report: BackendReport::Cpu { reason: CpuReason::Forced } }]
    );
    assert!(device.is_none(), "the CPU was forced: no device is opened");
}

#[wasm_bindgen_test]
fn every_message_survives_the_javascript_boundary() {
    let adapter =
        GpuAdapter { vendor: "v".into(), description: "d".into(), is_fallback: true, ..GpuAdapter::default() };
    let outputs = [
        WorkerOutput::Ready { protocol: protocol::PROTOCOL_VERSION },
        WorkerOutput::Pong { nonce: u32::MAX },
        WorkerOutput::Backend { request: 1, report: BackendReport::WebGpu { adapter } },
        WorkerOutput::Backend {
            request: 2,
            report: BackendReport::Cpu { reason: CpuReason::AdapterError { message: "é \"x\"".into() } },
        },
        WorkerOutput::Error { message: String::new() },
    ];
    for output in outputs {
        let value = protocol::output_to_js(&output).unwrap();
        assert!(value.is_instance_of::<js_sys::Uint8Array>(), "the worker's messages cross as bytes");
        assert_eq!(protocol::output_from_js(value).unwrap(), output);
    }
    let input = WorkerInput::DetectBackend { request: 3, choice: BackendChoice::Auto };
    assert_eq!(protocol::input_from_js(&protocol::input_to_js(&input).unwrap()).unwrap(), input);
    // A spec's metrics interval is a number or "auto"; either crosses in the message's JSON text.
    for every in [layerlab_spec::Every::Auto, layerlab_spec::Every::Steps(100), layerlab_spec::Every::Steps(1)] {
        let mut spec = layerlab_spec::Spec::default();
        spec.metrics.every = every;
        let load = WorkerInput::Load { spec: Box::new(spec) };
        assert_eq!(protocol::input_from_js(&protocol::input_to_js(&load).unwrap()).unwrap(), load, "{every:?}");
    }
}

/// A spec goes in, a run with its points and decision surface comes out, and a played run
/// trains in ticks, all across the boundary as the page sees it.
#[wasm_bindgen_test]
fn a_spec_loads_and_trains_in_the_worker_and_its_progress_crosses_the_boundary() {
    let spec = layerlab_spec::Spec::default();
    let load = WorkerInput::Load { spec: Box::new(spec) };
    let load = protocol::input_from_js(&protocol::input_to_js(&load).unwrap()).unwrap();
    let mut host = Host::default();
    let clock = || js_sys::Date::now();
    let loaded = handler::handle_now(&mut host, load, clock()).unwrap();
    assert!(matches!(loaded[0], WorkerOutput::Loaded { .. }), "{loaded:?}");
    for output in &loaded {
        assert_eq!(&protocol::output_from_js(protocol::output_to_js(output).unwrap()).unwrap(), output);
    }
    handler::handle_now(&mut host, WorkerInput::Play, clock()).unwrap();
    let mut clock = clock;
    let mut last = None;
    for _ in 0..20 {
        for output in host.tick(&mut clock) {
            if let WorkerOutput::Progress { progress } = output {
                last = Some(progress);
            }
        }
    }
    let progress = last.expect("400 ms of training reports progress");
    assert!(progress.step > 0 && progress.train_loss.is_finite());
    assert!(progress.surface.is_some(), "circle is a 2D task");
}

#[wasm_bindgen_test]
fn values_that_are_not_messages_are_refused_with_a_reason() {
    let junk = [wasm_bindgen::JsValue::from_str("ping"), wasm_bindgen::JsValue::NULL, js_sys::Object::new().into()];
    for value in junk {
        let error = protocol::input_from_js(&value).unwrap_err();
        assert!(error.starts_with("not a LayerLab message"), "{error}");
        let error = protocol::output_from_js(value).unwrap_err();
        assert!(error.starts_with("not a LayerLab message"), "{error}");
    }
    let bytes: wasm_bindgen::JsValue = js_sys::Uint8Array::from(&[200u8, 1][..]).into();
    assert!(protocol::output_from_js(bytes).unwrap_err().starts_with("not a LayerLab message"));
    // A load whose spec is wrong says where, as the page's own decoder does.
    let load = wasm_bindgen::JsValue::from_str(r#"{"load":{"spec":{"model":[{"dense":{"units":"wide"}}]}}}"#);
    let error = protocol::input_from_js(&load).unwrap_err();
    assert!(error.starts_with("not a LayerLab message: load.spec.model[0]"), "{error}");
    assert!(error.contains("units"), "{error}");
}
