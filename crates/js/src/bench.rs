//! The benchmark's workloads in the browser: the engine's fixed-batch MLPs
//! (`layerlab_engine::workloads`, the same models, batches and losses the native and PyTorch
//! rows of `cargo xtask bench` time) on the CPU or on WebGPU, for the benchmark page
//! (`bench/page`) to time beside TensorFlow.js. Every step completes before the next: the CPU's
//! steps are synchronous, and on WebGPU each step's loss is read back before the next starts.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::workloads::{MLPS, StepBench};
use layerlab_gpu::Gpu;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

enum Bench {
    Cpu(Box<StepBench<Cpu<f32>>>),
    Gpu(Box<StepBench<Gpu>>),
}

/// One benchmark MLP on one backend, built once, trained on its fixed batch.
#[wasm_bindgen]
pub struct Workload {
    bench: Rc<RefCell<Bench>>,
    adapter: String,
}

#[wasm_bindgen]
impl Workload {
    /// The workloads' ids, e.g. `mlp_784-256-256-10_relu_b128`.
    pub fn ids() -> Vec<String> {
        MLPS.iter().map(|m| m.id.to_string()).collect()
    }

    /// Workload `id` on `backend` (`"cpu"` or `"webgpu"`, any adapter the browser offers).
    pub async fn open(id: String, backend: String) -> Result<Workload, JsError> {
        let Some(&mlp) = MLPS.iter().find(|m| m.id == id) else {
            return Err(JsError::new(&format!(
                "no workload \"{id}\": the workloads are {}",
                Workload::ids().join(", ")
            )));
        };
        let (bench, adapter) = match backend.as_str() {
            "cpu" => (Bench::Cpu(Box::new(StepBench::new(Cpu::<f32>::new(), mlp))), "WebAssembly".to_string()),
            "webgpu" => {
                let gpu = Gpu::new().await.map_err(|e| JsError::new(&format!("WebGPU: {e}")))?;
                let adapter = gpu.adapter().to_string();
                (Bench::Gpu(Box::new(StepBench::new(gpu, mlp))), adapter)
            }
            other => return Err(JsError::new(&format!("backend \"{other}\" is not one of \"cpu\", \"webgpu\""))),
        };
        Ok(Workload { bench: Rc::new(RefCell::new(bench)), adapter })
    }

    /// `"cpu"` or `"webgpu"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        match &*self.bench.borrow() {
            Bench::Cpu(_) => "cpu".into(),
            Bench::Gpu(_) => "webgpu".into(),
        }
    }

    /// The adapter the steps run on.
    #[wasm_bindgen(getter)]
    pub fn adapter(&self) -> String {
        self.adapter.clone()
    }

    /// `n` training steps, each completed before the next; resolves to the last one's loss.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn steps(&self, n: u32) -> Promise {
        let bench = Rc::clone(&self.bench);
        future_to_promise(async move {
            let mut loss = f64::NAN;
            for _ in 0..n {
                let reading = match &mut *bench.borrow_mut() {
                    Bench::Cpu(b) => {
                        loss = b.step();
                        continue;
                    }
                    Bench::Gpu(b) => {
                        b.step_deferred();
                        let (gpu, history, count) = b.waiting();
                        gpu.read_async(history, count)
                    }
                };
                let host = reading.await.map_err(|e| JsError::new(&e))?;
                if let Bench::Gpu(b) = &mut *bench.borrow_mut() {
                    loss = b.take(&host);
                }
            }
            Ok(JsValue::from_f64(loss))
        })
    }
}
