//! Finding the compute backend: WebGPU when the browser gives an adapter, else the CPU.
//!
//! This reads `navigator.gpu` through `js_sys::Reflect` rather than typed bindings, so it works
//! the same in a window and in a worker, and in browsers that lack the API entirely.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use layerlab_gpu::Gpu;

use crate::chunks;
use crate::protocol::{BackendChoice, BackendReport, CpuReason, GpuAdapter};

/// Detects the backend and, when it is WebGPU (a hardware adapter, or any with
/// [`BackendChoice::WebGpu`]), opens the device to train on. A device that cannot be opened is
/// a reason for the CPU, as a software adapter under [`BackendChoice::Auto`] is. Before it opens
/// one, the GPU backend's code (its chunk, in the page's build) and its WGSL files are fetched.
pub async fn choose(choice: BackendChoice) -> (BackendReport, Option<Result<Gpu, String>>) {
    let report = detect(choice).await;
    let BackendReport::WebGpu { adapter } = &report else { return (report, None) };
    if adapter.is_fallback && choice != BackendChoice::WebGpu {
        let reason = CpuReason::SoftwareAdapter { adapter: adapter.display_name() };
        return (BackendReport::Cpu { reason }, None);
    }
    let fetched = match chunks::load_gpu().await {
        Ok(()) => crate::data_files::fetch_kernels().await,
        Err(chunks::Failed(message)) => Err(message),
    };
    if let Err(message) = fetched {
        return (BackendReport::Cpu { reason: CpuReason::NoKernels { message } }, None);
    }
    match chunks::loaded(chunks::now(chunks::open_gpu())).await {
        Ok(gpu) => (report, Some(Ok(gpu))),
        Err(message) => (BackendReport::Cpu { reason: CpuReason::AdapterError { message } }, None),
    }
}

/// Detects the backend to train on, honouring the user's choice. Never fails: every failure is
/// a reason to use the CPU, reported as such.
pub async fn detect(choice: BackendChoice) -> BackendReport {
    if choice == BackendChoice::Cpu {
        return BackendReport::Cpu { reason: CpuReason::Forced };
    }
    let Some(gpu) = navigator_gpu() else {
        return BackendReport::Cpu { reason: CpuReason::NoWebGpuApi };
    };
    match request_adapter(&gpu).await {
        Ok(Some(adapter)) => BackendReport::WebGpu { adapter: adapter_info(&adapter) },
        Ok(None) => BackendReport::Cpu { reason: CpuReason::NoAdapter },
        Err(message) => BackendReport::Cpu { reason: CpuReason::AdapterError { message } },
    }
}

/// `navigator.gpu` of the current global (window or worker), when it is an object.
fn navigator_gpu() -> Option<JsValue> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).ok()?;
    gpu.is_object().then_some(gpu)
}

/// Calls `gpu.requestAdapter()`; `Ok(None)` when the browser offers no adapter.
async fn request_adapter(gpu: &JsValue) -> Result<Option<JsValue>, String> {
    let request: Function = Reflect::get(gpu, &"requestAdapter".into())
        .map_err(|e| describe(&e))?
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is not a function".to_string())?;
    let promise: Promise = request
        .call0(gpu)
        .map_err(|e| describe(&e))?
        .dyn_into()
        .map_err(|_| "requestAdapter() did not return a promise".to_string())?;
    let adapter = JsFuture::from(promise).await.map_err(|e| describe(&e))?;
    Ok((!adapter.is_null() && !adapter.is_undefined()).then_some(adapter))
}

/// Reads `adapter.info` (a `GPUAdapterInfo`). `isFallbackAdapter` moved from the adapter onto
/// its info in newer browsers; either place counts.
fn adapter_info(adapter: &JsValue) -> GpuAdapter {
    let info = Reflect::get(adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let text = |key: &str| Reflect::get(&info, &key.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let flag =
        |object: &JsValue, key: &str| Reflect::get(object, &key.into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    GpuAdapter {
        vendor: text("vendor"),
        architecture: text("architecture"),
        device: text("device"),
        description: text("description"),
        is_fallback: flag(&info, "isFallbackAdapter") || flag(adapter, "isFallbackAdapter"),
    }
}

/// A readable message out of a thrown JavaScript value.
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
