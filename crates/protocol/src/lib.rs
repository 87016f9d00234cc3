//! The messages between page and worker. The page (crate `layerlab-app`) sends
//! [`WorkerInput`]s as JSON text, read by the spec crate's decoder (so a spec in a message is
//! read as a link's is, and a mistake named by its path), and receives [`WorkerOutput`]s as
//! postcard bytes ([`output_bytes`]: compact, positional, floats bit for bit). Every enum value
//! of the JSON form is named by a stable string (serde's default, external tagging:
//! `{"ping":{"nonce":3}}`, `"play"`), never by declaration order. Not internally tagged
//! (`{"type":"ping",...}`): serde decodes those by buffering the whole message first, code that
//! made the worker 27 KB and the page 34 KB larger (gzipped).

/// What a CSV file holds, as the worker read it, for the page to show and pick from.
pub use layerlab_engine::data::CsvSummary;
/// Snapshots as CSV, in the columns `layerlab train --out` writes (formatting, not computation).
pub use layerlab_engine::metrics::csv as snapshot_csv;
pub use layerlab_engine::metrics::{LayerMetrics, Snapshot};
pub use layerlab_engine::train::{
    Confusion, Details, Memory, NeuronLayer, NeuronMaps, Picture, Surface, SurfaceValues,
};
use layerlab_spec::Spec;
use serde::{Deserialize, Serialize};

/// The version of this protocol. The worker announces it in [`WorkerOutput::Ready`] and the page
/// refuses to talk to a worker of another version (a stale cached worker script, say).
pub const PROTOCOL_VERSION: u32 = 11;

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerInput {
    /// A liveness check; the worker answers [`WorkerOutput::Pong`] with the same nonce.
    Ping { nonce: u32 },
    /// Find the compute backend to train on, honouring the user's choice. The answer carries
    /// the same `request` number, so the page can drop answers to choices it has since changed.
    DetectBackend { request: u32, choice: BackendChoice },
    /// Train this experiment. When only its recipe differs from the loaded run's (optimizer,
    /// learning rate, batch size, regularisation, length), the run goes on with the new recipe
    /// ([`WorkerOutput::Retuned`]); otherwise a new run is built, paused at step 0
    /// ([`WorkerOutput::Loaded`]). An invalid spec is answered with [`WorkerOutput::Invalid`]
    /// and changes nothing. Boxed: a spec is far larger than the other messages.
    Load { spec: Box<Spec> },
    /// Train until paused, the run's length is reached, its stop condition holds, or it diverges.
    Play,
    /// Stop training; answered with the progress where it stopped.
    Pause,
    /// Pause, take one step, and report.
    Step,
    /// Start the run over: same spec and seed, so the same data and initial weights.
    Reset,
    /// Train at most this many steps a second (slow motion, to watch a run unfold), or as fast
    /// as the machine allows (`None`). A setting of the page, not of the experiment: it holds
    /// for every later run. A rate that is not a positive number is answered with an error.
    Speed { steps_per_second: Option<f64> },
    /// The user's CSV file, as chosen: read through at once (answered with
    /// [`WorkerOutput::CsvRead`], or [`WorkerOutput::CsvRejected`] with the first mistake) and
    /// kept for any spec whose dataset names it. A loaded run on a file of that name starts over.
    Csv { name: String, text: String },
    /// Export the run's model as it is now for PyTorch (the engine's `export::pytorch`):
    /// answered with [`WorkerOutput::Exported`] or [`WorkerOutput::ExportFailed`].
    ExportTorch,
}

impl WorkerInput {
    /// The message's name as it crosses (`load`, `export_torch`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ping { .. } => "ping",
            Self::DetectBackend { .. } => "detect_backend",
            Self::Load { .. } => "load",
            Self::Play => "play",
            Self::Pause => "pause",
            Self::Step => "step",
            Self::Reset => "reset",
            Self::Speed { .. } => "speed",
            Self::Csv { .. } => "csv",
            Self::ExportTorch => "export_torch",
        }
    }
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerOutput {
    /// Sent once, as soon as the worker listens. The page sends nothing before it.
    Ready { protocol: u32 },
    /// The answer to [`WorkerInput::Ping`].
    Pong { nonce: u32 },
    /// The backend the worker will train on, answering the `DetectBackend` numbered `request`.
    Backend { request: u32, report: BackendReport },
    /// The backend changed by itself mid-run (the GPU was lost): training goes on on this one.
    BackendChanged { report: BackendReport },
    /// A message the worker could not understand or could not carry out.
    Error { message: String },
    /// A new run was built from the loaded spec; it is paused at step 0.
    Loaded { info: RunInfo },
    /// The loaded run goes on with the new recipe.
    Retuned { info: RunInfo },
    /// The spec sent with `load` is invalid; the run in place (if any) is unchanged.
    Invalid { problems: Vec<Problem> },
    /// Where training stands: at most ~30 a second while playing, and after every command.
    Progress { progress: Progress },
    /// Training stopped by itself at `step`.
    Stopped { step: u64, reason: StopReason },
    /// The CSV file `name` is read and kept: what it holds, for the page to show and pick from.
    CsvRead { name: String, summary: CsvSummary },
    /// The CSV file `name` cannot be trained on: the first mistake, by row and column. The file
    /// kept before (if any) stays.
    CsvRejected { name: String, message: String },
    /// The PyTorch export of the run at `step`: `model.py`, `train.py`, the safetensors files
    /// and `spec.json`.
    Exported { step: u64, files: Vec<ExportedFile> },
    /// The run cannot be exported, and why.
    ExportFailed { message: String },
}

/// One file of an export. Its bytes cross `postMessage` as a `Uint8Array`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedFile {
    pub name: String,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

/// One problem with a spec: the field (`model[2].units`) and what is wrong and would be valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// What the page shows about a run before it trains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub parameters: u64,
    pub flops_per_step: u64,
    pub total_steps: u64,
    /// Classes of a classification task; 0 otherwise.
    pub classes: u32,
    pub train_examples: u64,
    pub test_examples: u64,
    /// 2D tasks: the points to draw over the decision surface.
    pub points: Option<Points>,
    /// Image tasks: the picture to learn.
    pub target_image: Option<Picture>,
    /// Digits as pictures, sequence tasks written out: examples for the data panel.
    pub preview: Option<Preview>,
    /// What a training step of this run holds, by kind, as the engine counts it for the
    /// learning rule (f32 numbers, as the page trains).
    pub memory: Memory,
}

/// The examples of a 2D task: (x, y) pairs and each one's class (or value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Points {
    /// The data lie within `[-extent, extent]²`, the surface's range.
    pub extent: f32,
    pub train: Vec<f32>,
    pub train_labels: Vec<f32>,
    pub test: Vec<f32>,
    pub test_labels: Vec<f32>,
}

/// Training's state at one step, measured in evaluation mode on the whole training and test sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub step: u64,
    pub total_steps: u64,
    pub train_loss: f64,
    pub test_loss: f64,
    pub train_accuracy: Option<f64>,
    pub test_accuracy: Option<f64>,
    pub test_rmse: Option<f64>,
    pub test_psnr: Option<f64>,
    /// Training steps per second since the previous progress (0 when not training).
    pub steps_per_second: f64,
    /// Whether training goes on after this.
    pub playing: bool,
    /// 2D tasks: the decision surface.
    pub surface: Option<Surface>,
    /// 2D tasks: each hidden unit's output over the plane (layers up to 32 wide).
    pub neurons: Option<NeuronMaps>,
    /// The test set's confusion matrix, accuracy per answer position, an image task's picture.
    pub details: Option<Details>,
    /// Every layer's metrics (rank, sparsity, gradient flow, expert load, attention), when
    /// measured since the previous progress.
    pub layers: Option<Snapshot>,
}

/// Why training stopped by itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The run took all its steps (the spec's length).
    Finished,
    /// The spec's stop condition holds (loss below, accuracy above).
    StopCondition,
    /// The loss or a gradient became NaN, infinite or exploded; the weights of the last good
    /// step are kept. The message names the layer and what to change.
    Diverged { message: String },
}

impl StopReason {
    /// A sentence for the page.
    pub fn describe(&self, step: u64) -> String {
        match self {
            StopReason::Finished => {
                format!("Training finished: all {step} steps of the run are done. Raise the length to go on.")
            }
            StopReason::StopCondition => format!("Training stopped at step {step}: the stop condition holds."),
            StopReason::Diverged { message } => format!("Training stopped: {message}."),
        }
    }
}

/// The user's backend choice: the settings toggle and the `backend=` URL parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendChoice {
    /// WebGPU when the browser offers a hardware adapter, the CPU otherwise (a software
    /// adapter is slower than the CPU backend).
    #[default]
    Auto,
    /// Always the CPU, even when WebGPU is there.
    Cpu,
    /// WebGPU whenever the browser offers an adapter, a software one included (`backend=webgpu`).
    #[serde(rename = "webgpu")]
    WebGpu,
}

/// The backend the worker found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendReport {
    /// Training runs on WebGPU, on this adapter.
    #[serde(rename = "webgpu")]
    WebGpu { adapter: GpuAdapter },
    /// Training runs on the CPU, in WebAssembly, for this reason.
    Cpu { reason: CpuReason },
}

/// What the browser says about a WebGPU adapter (`GPUAdapterInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GpuAdapter {
    pub vendor: String,
    pub architecture: String,
    pub device: String,
    pub description: String,
    /// A software or otherwise fallback adapter (SwiftShader in headless Chromium).
    pub is_fallback: bool,
}

/// Why the CPU was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CpuReason {
    /// The user asked for the CPU (setting or `backend=cpu`).
    Forced,
    /// The browser has no `navigator.gpu`.
    NoWebGpuApi,
    /// `navigator.gpu.requestAdapter()` gave no adapter.
    NoAdapter,
    /// Asking for an adapter failed.
    AdapterError { message: String },
    /// The only adapter is a software one, slower than the CPU backend (`Auto` skips it).
    SoftwareAdapter { adapter: String },
    /// The GPU stopped working mid-run; the run went on on the CPU.
    DeviceLost { message: String },
    /// This run needs what only the CPU backend does; the next run may use the GPU again.
    Unsupported { message: String },
    /// The GPU's kernels (the WGSL files the worker fetches before it opens a device) could not
    /// be had.
    NoKernels { message: String },
}

impl GpuAdapter {
    /// A short human name: the description when the browser gives one, else vendor and
    /// architecture, else a generic word.
    pub fn display_name(&self) -> String {
        let description = self.description.trim();
        if !description.is_empty() {
            return description.to_string();
        }
        let parts: Vec<&str> = [self.vendor.trim(), self.architecture.trim(), self.device.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() { "unnamed adapter".to_string() } else { parts.join(" ") }
    }
}

impl BackendReport {
    /// The label the page shows, e.g. `WebGPU (nvidia ampere)`, `WebGPU (google swiftshader,
    /// software)` or `CPU (WebAssembly)`.
    pub fn label(&self) -> String {
        match self {
            BackendReport::WebGpu { adapter } if adapter.is_fallback => {
                format!("WebGPU ({}, software)", adapter.display_name())
            }
            BackendReport::WebGpu { adapter } => format!("WebGPU ({})", adapter.display_name()),
            BackendReport::Cpu { .. } => "CPU (WebAssembly)".to_string(),
        }
    }

    /// One sentence on why this backend was chosen, for the tooltip and screen readers.
    pub fn explanation(&self) -> String {
        match self {
            BackendReport::WebGpu { adapter } if adapter.is_fallback => {
                "Training runs on WebGPU through a software (fallback) adapter, as the link asks (backend=webgpu); \
                 it is slower than the CPU. The measurements (losses, surface, layer metrics) run on the CPU \
                 from the weights read back."
                    .to_string()
            }
            BackendReport::WebGpu { .. } => "Training runs on your GPU through WebGPU; the measurements (losses, \
                 surface, layer metrics) run on the CPU from the weights read back."
                .to_string(),
            BackendReport::Cpu { reason } => match reason {
                CpuReason::Forced => "The CPU was chosen in the settings or by the link (backend=cpu).".to_string(),
                CpuReason::NoWebGpuApi => {
                    "This browser (or JavaScript runtime) has no WebGPU, so training runs on the CPU.".to_string()
                }
                CpuReason::NoAdapter => {
                    "This browser has WebGPU but offered no GPU adapter, so training runs on the CPU.".to_string()
                }
                CpuReason::AdapterError { message } => {
                    format!("Asking for a GPU adapter failed ({message}), so training runs on the CPU.")
                }
                CpuReason::SoftwareAdapter { adapter } => format!(
                    "WebGPU offers only a software adapter ({adapter}), which is slower than the CPU, so training \
                     runs on the CPU. Add backend=webgpu to the link to train on it anyway."
                ),
                CpuReason::Unsupported { message } => format!("This run trains on the CPU: {message}."),
                CpuReason::NoKernels { message } => {
                    format!("The GPU's kernels could not be loaded ({message}), so training runs on the CPU.")
                }
                CpuReason::DeviceLost { message } => {
                    format!("The GPU stopped working ({message}); training went on on the CPU from the last read-back.")
                }
            },
        }
    }
}

/// Examples of the data, as the page draws them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preview {
    /// The first test examples as `side × side` grey pictures (row by row from the top), with
    /// their classes; the output panel shows the model's answer for the same ones.
    Pictures { side: u32, pictures: Vec<Vec<f32>>, labels: Vec<u32> },
    /// The first training sequences, token by token, with the answer each must give.
    Sequences { examples: Vec<Sequence> },
    /// The first training rows of a bundled table, as the network sees them (standardised), with
    /// their classes.
    Rows { rows: Vec<Vec<f32>>, labels: Vec<u32> },
}

/// One sequence example, written out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    pub input: Vec<String>,
    pub answer: Vec<String>,
}

// The four conversions are not generic, so their serde code is compiled once, here, size-first
// (the wasm-release profile), whoever calls them; not inlined, so that code is not optimised
// again as part of a caller. (When the worker was a module of its own, built at opt-level 3,
// moving them here took 20 KB off its gzipped size.)

/// A page's message, as `postMessage` carries it: JSON text. Through a JSON value: the page
/// writes specs to values and values to text already (links, files), so that code serves here
/// too.
#[inline(never)]
pub fn input_to_js(message: &WorkerInput) -> Result<wasm_bindgen::JsValue, String> {
    let value = serde_json::to_value(message).map_err(|e| format!("could not encode a message: {e}"))?;
    Ok(wasm_bindgen::JsValue::from_str(&value.to_string()))
}

/// A page's message, out of a `MessageEvent`'s data: read by the spec crate's decoder, which the
/// page reads links and files with, so in the one module page and worker share its code for
/// every part of a spec, and a mistake is named by its path (`load.spec.model[0].units`).
#[inline(never)]
pub fn input_from_js(value: &wasm_bindgen::JsValue) -> Result<WorkerInput, String> {
    let text = value
        .as_string()
        .ok_or_else(|| format!("not a LayerLab message: a page's message is JSON text, not {value:?}"))?;
    let not_one = |e: layerlab_spec::SpecError| format!("not a LayerLab message: {e}");
    let value = layerlab_spec::json::value_from_text(&text).map_err(not_one)?;
    layerlab_spec::json::read(&value).map_err(not_one)
}

/// A worker's message, as `postMessage` carries it: its [`output_bytes`] in a `Uint8Array`.
#[inline(never)]
pub fn output_to_js(message: &WorkerOutput) -> Result<wasm_bindgen::JsValue, String> {
    Ok(js_sys::Uint8Array::from(output_bytes(message)?.as_slice()).into())
}

/// A worker's message, out of a `MessageEvent`'s data.
#[inline(never)]
pub fn output_from_js(value: wasm_bindgen::JsValue) -> Result<WorkerOutput, String> {
    use wasm_bindgen::JsCast;
    let bytes = value
        .dyn_into::<js_sys::Uint8Array>()
        .map_err(|v| format!("not a LayerLab message: a worker's message is a Uint8Array, not {v:?}"))?;
    output_from_bytes(&bytes.to_vec())
}

/// A worker's message as postcard's bytes. Only this module's own code reads them (page and
/// worker are one module), so a compact format that is not self-describing serves: its serde
/// code is a fraction of a JavaScript-value one's (the page's wasm: 17 KB less, gzipped, by
/// hand), and floats cross bit for bit, NaN included. Positional: every field is written, so
/// the messages' types skip none when serializing.
pub fn output_bytes(message: &WorkerOutput) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(message).map_err(|e| format!("could not encode a message: {e}"))
}

/// A worker's message out of [`output_bytes`]' form, naming what was wrong when it is not one.
pub fn output_from_bytes(bytes: &[u8]) -> Result<WorkerOutput, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("not a LayerLab message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden JSON forms: the page's messages cross in this form (the worker's in postcard's,
    /// which `worker_messages_survive_their_bytes` checks). A change here needs a new
    /// `PROTOCOL_VERSION`.
    #[test]
    fn messages_have_stable_json_forms() {
        let inputs: &[(WorkerInput, &str)] = &[
            (WorkerInput::Ping { nonce: 3 }, r#"{"ping":{"nonce":3}}"#),
            (
                WorkerInput::DetectBackend { request: 2, choice: BackendChoice::Cpu },
                r#"{"detect_backend":{"request":2,"choice":"cpu"}}"#,
            ),
            (WorkerInput::Play, r#""play""#),
            (WorkerInput::Pause, r#""pause""#),
            (WorkerInput::Step, r#""step""#),
            (WorkerInput::Reset, r#""reset""#),
            (WorkerInput::Speed { steps_per_second: Some(2.5) }, r#"{"speed":{"steps_per_second":2.5}}"#),
            (WorkerInput::Speed { steps_per_second: None }, r#"{"speed":{"steps_per_second":null}}"#),
            (
                WorkerInput::Csv { name: "a.csv".into(), text: "x,y\n1,2\n".into() },
                r#"{"csv":{"name":"a.csv","text":"x,y\n1,2\n"}}"#,
            ),
            (WorkerInput::ExportTorch, r#""export_torch""#),
        ];
        for (input, json) in inputs {
            assert!(json.trim_start_matches('{').starts_with(&format!("\"{}\"", input.name())), "{json}");
            assert_eq!(serde_json::to_string(input).unwrap(), *json);
            assert_eq!(&serde_json::from_str::<WorkerInput>(json).unwrap(), input);
        }
        let outputs: &[(WorkerOutput, &str)] = &[
            (
                WorkerOutput::Exported {
                    step: 3,
                    files: vec![ExportedFile { name: "model.py".into(), bytes: vec![35, 10] }],
                },
                r#"{"exported":{"step":3,"files":[{"name":"model.py","bytes":[35,10]}]}}"#,
            ),
            (WorkerOutput::ExportFailed { message: "no run".into() }, r#"{"export_failed":{"message":"no run"}}"#),
            (WorkerOutput::Ready { protocol: 2 }, r#"{"ready":{"protocol":2}}"#),
            (
                WorkerOutput::CsvRejected { name: "a.csv".into(), message: "row 2".into() },
                r#"{"csv_rejected":{"name":"a.csv","message":"row 2"}}"#,
            ),
            (
                WorkerOutput::CsvRead {
                    name: "a.csv".into(),
                    summary: CsvSummary {
                        columns: vec!["x".into(), "y".into()],
                        rows: 2,
                        preview: vec![vec![1.0, 0.0]],
                        classes: vec![None, Some(2)],
                    },
                },
                r#"{"csv_read":{"name":"a.csv","summary":{"columns":["x","y"],"rows":2,"preview":[[1.0,0.0]],"classes":[null,2]}}}"#,
            ),
            (
                WorkerOutput::Stopped { step: 7, reason: StopReason::StopCondition },
                r#"{"stopped":{"step":7,"reason":"stop_condition"}}"#,
            ),
            (
                WorkerOutput::Invalid {
                    problems: vec![Problem { path: "model[0].units".into(), message: "= 0".into() }],
                },
                r#"{"invalid":{"problems":[{"path":"model[0].units","message":"= 0"}]}}"#,
            ),
            (
                WorkerOutput::Backend { request: 1, report: BackendReport::Cpu { reason: CpuReason::NoAdapter } },
                r#"{"backend":{"request":1,"report":{"cpu":{"reason":"no_adapter"}}}}"#,
            ),
            (
                WorkerOutput::Backend {
                    request: 4,
                    report: BackendReport::WebGpu {
                        adapter: GpuAdapter { vendor: "google".into(), ..GpuAdapter::default() },
                    },
                },
                r#"{"backend":{"request":4,"report":{"webgpu":{"adapter":{"vendor":"google","architecture":"","device":"","description":"","is_fallback":false}}}}}"#,
            ),
        ];
        for (output, json) in outputs {
            assert_eq!(serde_json::to_string(output).unwrap(), *json);
            assert_eq!(&serde_json::from_str::<WorkerOutput>(json).unwrap(), output);
        }
    }

    /// Every kind of worker message survives its bytes, NaN and infinite figures, absent and
    /// present options and raw bytes included; what is not a message is refused with a reason.
    #[test]
    fn worker_messages_survive_their_bytes() {
        let mut layer: LayerMetrics =
            serde_json::from_value(serde_json::json!({ "name": "model[0]", "kind": "dense", "width": 4 })).unwrap();
        layer.effective_rank = Some(f64::NAN);
        layer.expert_load = Some(vec![0.25, 0.75]);
        let progress = Progress {
            step: 9,
            total_steps: 10,
            train_loss: f64::NAN,
            test_loss: f64::INFINITY,
            train_accuracy: Some(0.5),
            test_accuracy: None,
            test_rmse: None,
            test_psnr: Some(-0.0),
            steps_per_second: 0.0,
            playing: false,
            surface: None,
            neurons: None,
            details: None,
            layers: Some(Snapshot { step: 9, layers: vec![layer], similarity: Some(vec![vec![1.0]]) }),
        };
        let outputs = [
            WorkerOutput::Progress { progress },
            WorkerOutput::Exported { step: 3, files: vec![ExportedFile { name: "w".into(), bytes: vec![0, 255, 7] }] },
            WorkerOutput::Ready { protocol: PROTOCOL_VERSION },
            WorkerOutput::Stopped { step: 1, reason: StopReason::Diverged { message: "é".into() } },
            WorkerOutput::CsvRead {
                name: "a.csv".into(),
                summary: CsvSummary {
                    columns: vec!["x".into()],
                    rows: 1,
                    preview: vec![vec![1.0]],
                    classes: vec![None],
                },
            },
        ];
        for output in outputs {
            let back = output_from_bytes(&output_bytes(&output).unwrap()).unwrap();
            // NaN is not equal to itself: compare the forms, where it is written out.
            assert_eq!(format!("{back:?}"), format!("{output:?}"));
        }
        for junk in [&[][..], &[200, 1, 2], &[0]] {
            let error = output_from_bytes(junk).unwrap_err();
            assert!(error.starts_with("not a LayerLab message: "), "{error}");
        }
    }

    #[test]
    fn labels_name_the_backend_and_adapter() {
        let named = |vendor: &str, architecture: &str, description: &str| GpuAdapter {
            vendor: vendor.into(),
            architecture: architecture.into(),
            description: description.into(),
            ..GpuAdapter::default()
        };
        let cases = [
            (
                BackendReport::WebGpu { adapter: named("google", "swiftshader", "SwiftShader Device (Subzero)") },
                "WebGPU (SwiftShader Device (Subzero))",
            ),
            (BackendReport::WebGpu { adapter: named("nvidia", "hopper", "  ") }, "WebGPU (nvidia hopper)"),
            (BackendReport::WebGpu { adapter: GpuAdapter::default() }, "WebGPU (unnamed adapter)"),
            (
                BackendReport::WebGpu {
                    adapter: GpuAdapter { is_fallback: true, ..named("google", "swiftshader", "") },
                },
                "WebGPU (google swiftshader, software)",
            ),
            (BackendReport::Cpu { reason: CpuReason::Forced }, "CPU (WebAssembly)"),
            (BackendReport::Cpu { reason: CpuReason::NoWebGpuApi }, "CPU (WebAssembly)"),
        ];
        for (report, label) in cases {
            assert_eq!(report.label(), label);
            assert!(!report.explanation().is_empty());
        }
        let error = BackendReport::Cpu { reason: CpuReason::AdapterError { message: "device lost".into() } };
        assert!(error.explanation().contains("device lost"));
    }
}
