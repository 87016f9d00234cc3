//! LayerLab's engine for JavaScript. `Experiment` trains any LayerLab experiment, from a link or
//! a spec's JSON, on WebGPU where the browser offers a hardware adapter and on the CPU
//! otherwise, as the page does ([`run`]); every mistake comes out as a JavaScript `Error`
//! carrying the spec crate's message, never as a trap. `cargo xtask pack` builds the `layerlab`
//! npm package of it with wasm-pack (`target/pkg/node`, `target/pkg/web`).

mod bench;
pub mod run;
mod types;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Promise;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::metrics::LayerMetrics;
use layerlab_engine::train::{Evaluation, Trainer};
use layerlab_spec::{Spec, SpecError, json, link};
use layerlab_worker::BackendChoice;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

pub use bench::Workload;
pub use run::{Run, advance};
pub use types::{Options, RunOptions};

/// One experiment and its run.
#[wasm_bindgen]
pub struct Experiment {
    run: Rc<RefCell<Run>>,
    /// Whether a `step` or `run` is still going: a second one at once is refused.
    busy: Rc<Cell<bool>>,
}

/// What an evaluation gives, as a plain JavaScript object (`Evaluation`), and with every
/// layer's metrics (`Snapshot`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Measured {
    step: u64,
    train_loss: f64,
    test_loss: f64,
    train_accuracy: Option<f64>,
    test_accuracy: Option<f64>,
    test_rmse: Option<f64>,
    test_psnr: Option<f64>,
    /// The layer metrics, by the names the CLI prints them with.
    #[serde(skip_serializing_if = "Option::is_none")]
    layers: Option<Vec<LayerMetrics>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<Vec<Vec<f64>>>,
}

impl From<Evaluation> for Measured {
    fn from(e: Evaluation) -> Self {
        Measured {
            step: e.step,
            train_loss: e.train_loss,
            test_loss: e.test_loss,
            train_accuracy: e.train_accuracy,
            test_accuracy: e.test_accuracy,
            test_rmse: e.test_rmse,
            test_psnr: e.test_psnr,
            layers: None,
            similarity: None,
        }
    }
}

/// The evaluation and every layer's metrics of `run` now, and the evaluation alone.
fn snapshot_of(run: &RefCell<Run>) -> (Measured, Evaluation) {
    let mut run = run.borrow_mut();
    let evaluation = run.trainer.evaluate();
    let snapshot = run.trainer.snapshot();
    let measured =
        Measured { layers: Some(snapshot.layers), similarity: snapshot.similarity, ..Measured::from(evaluation) };
    (measured, evaluation)
}

/// The backend as `backendReport()` gives it.
#[derive(Serialize)]
struct Report {
    kind: &'static str,
    label: String,
    explanation: String,
}

fn said(errors: &[SpecError]) -> JsError {
    JsError::new(&errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not convert the result: {e}")))
}

/// `object[name]` when it is there (neither undefined nor null).
fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(object, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// `object[name]` as a finite number, when it is there.
fn number(object: &JsValue, name: &str, during: &str) -> Result<Option<f64>, JsError> {
    match field(object, name) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| JsError::new(&format!("{during}: `{name}` must be a number"))),
    }
}

/// The backend `options.backend` asks for, else a link's `backend=` parameter, else auto.
fn backend_choice(options: &JsValue, address: &str) -> Result<BackendChoice, JsError> {
    let from_link = address
        .split_once('?')
        .and_then(|(_, query)| query.split('&').find_map(|pair| pair.strip_prefix("backend=")))
        .map(str::to_string);
    let asked = match field(options, "backend") {
        Some(v) => Some(v.as_string().ok_or_else(|| JsError::new("options: `backend` must be a string"))?),
        None => from_link,
    };
    match asked.as_deref() {
        None | Some("auto") => Ok(BackendChoice::Auto),
        Some("cpu") => Ok(BackendChoice::Cpu),
        Some("webgpu") => Ok(BackendChoice::WebGpu),
        Some(other) => Err(JsError::new(&format!("backend \"{other}\" is not one of \"auto\", \"cpu\", \"webgpu\""))),
    }
}

/// Marks an experiment busy until dropped.
struct Busy(Rc<Cell<bool>>);

impl Busy {
    fn take(flag: &Rc<Cell<bool>>, what: &str) -> Result<Busy, JsValue> {
        if flag.replace(true) {
            return Err(JsError::new(&format!("{what}: an earlier step or run is still going: await it first")).into());
        }
        Ok(Busy(Rc::clone(flag)))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

#[wasm_bindgen]
impl Experiment {
    /// The experiment a LayerLab link holds: a whole URL ending in `#v2.…`, or the fragment.
    /// Resolves once the backend is ready.
    #[wasm_bindgen(js_name = fromLink)]
    pub async fn from_link(text: String, options: Option<Options>) -> Result<Experiment, JsError> {
        let (address, fragment) = text.rsplit_once('#').unwrap_or(("", &text));
        let decoded = link::decode(fragment.trim()).map_err(|e| said(&e))?;
        let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
        Experiment::open(decoded.spec, &options, address).await
    }

    /// The experiment a spec's JSON describes (what `layerlab train` and the page's
    /// *Download spec* read and write). Resolves once the backend is ready.
    #[wasm_bindgen(js_name = fromSpec)]
    pub async fn from_spec(text: String, options: Option<Options>) -> Result<Experiment, JsError> {
        let decoded = json::from_json(&text).map_err(|e| said(&e))?;
        Experiment::open(decoded.spec, &options.map_or(JsValue::UNDEFINED, JsValue::from), "").await
    }

    async fn open(spec: Spec, options: &JsValue, address: &str) -> Result<Experiment, JsError> {
        let choice = backend_choice(options, address)?;
        let csv = match field(options, "csv") {
            Some(v) => Some(v.as_string().ok_or_else(|| JsError::new("options: `csv` must be the CSV file's text"))?),
            None => None,
        };
        if let (layerlab_spec::data::Dataset::Csv(file), None) = (&spec.data.dataset, &csv) {
            let name = &file.name;
            return Err(JsError::new(&format!(
                "the experiment trains on the CSV file `{name}`: pass its text as options.csv"
            )));
        }
        // Built before a device is asked for: a bad spec or CSV fails the same on every backend.
        let trainer = Trainer::new(Cpu::<f32>::new(), &spec, csv.as_deref()).map_err(|e| said(&e))?;
        let (report, device) = layerlab_worker::backend::choose(choice).await;
        let run = Run::with(spec, trainer, csv.as_deref(), report, device.and_then(Result::ok));
        Ok(Experiment { run: Rc::new(RefCell::new(run)), busy: Rc::new(Cell::new(false)) })
    }

    /// Takes `n` training steps (fewer when the run's length or stop condition ends it first)
    /// and resolves to the last step's training loss on its batch.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn step(&self, n: u32) -> Promise {
        let (run, busy) = (Rc::clone(&self.run), Rc::clone(&self.busy));
        future_to_promise(async move {
            let _busy = Busy::take(&busy, "step")?;
            let loss = advance_politely(&run, u64::from(n)).await.map_err(|e| JsError::new(&e))?;
            Ok(JsValue::from_f64(loss))
        })
    }

    /// The losses (and accuracy, RMSE or PSNR, as the task has them) on both whole splits now.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(&self) -> Result<JsValue, JsError> {
        to_js(&Measured::from(self.run.borrow_mut().trainer.evaluate()))
    }

    /// Trains until the run's length or stop condition, or `options.until`, taking a snapshot
    /// every `options.every` steps (the spec's metrics interval by default) and handing it to
    /// `options.onSnapshot`, which stops the run by returning `false`. Resolves to the last
    /// snapshot.
    #[wasm_bindgen(unchecked_return_type = "Promise<Snapshot>")]
    pub fn run(&self, options: Option<RunOptions>) -> Promise {
        let (run, busy) = (Rc::clone(&self.run), Rc::clone(&self.busy));
        let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
        future_to_promise(async move {
            let _busy = Busy::take(&busy, "run")?;
            Ok(train(&run, &options).await?)
        })
    }

    /// The losses and quality measure on both splits, and every layer's metrics on the probe
    /// batch (rank, sparsity, norms…), as the page and the CLI show them, now.
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn snapshot(&self) -> Result<JsValue, JsError> {
        to_js(&snapshot_of(&self.run).0)
    }

    /// The model's outputs for rows of inputs (the model's input width each), in evaluation mode.
    pub fn predict(&self, inputs: &[f32]) -> Result<Vec<f32>, JsError> {
        let mut run = self.run.borrow_mut();
        let width = run.trainer.model.inputs;
        if inputs.is_empty() || !inputs.len().is_multiple_of(width) {
            return Err(JsError::new(&format!(
                "predict takes rows of {width} numbers, but got {} numbers",
                inputs.len()
            )));
        }
        Ok(run.trainer.predict(inputs))
    }

    /// The spec as JSON.
    #[wasm_bindgen(js_name = exportSpec)]
    pub fn export_spec(&self) -> String {
        json::to_json(&self.run.borrow().spec)
    }

    /// The experiment as a link fragment (`v2.…`), for the page's address.
    pub fn link(&self) -> String {
        link::encode(&self.run.borrow().spec)
    }

    /// Steps taken so far (on WebGPU, those read back).
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.run.borrow().trainer.steps() as f64
    }

    /// Where it trains now: `"webgpu"` or `"cpu"` (after a lost device, the CPU).
    #[wasm_bindgen(getter, unchecked_return_type = "\"webgpu\" | \"cpu\"")]
    pub fn backend(&self) -> String {
        match self.run.borrow().report() {
            layerlab_worker::BackendReport::WebGpu { .. } => "webgpu".into(),
            layerlab_worker::BackendReport::Cpu { .. } => "cpu".into(),
        }
    }

    /// Where it trains and why, in the page's words.
    #[wasm_bindgen(js_name = backendReport, unchecked_return_type = "BackendReport")]
    pub fn backend_report(&self) -> Result<JsValue, JsError> {
        let run = self.run.borrow();
        let report = run.report();
        let kind = if matches!(report, layerlab_worker::BackendReport::WebGpu { .. }) { "webgpu" } else { "cpu" };
        to_js(&Report { kind, label: report.label(), explanation: report.explanation() })
    }
}

/// What `run` does: train to the end or `options.until`, taking a snapshot every
/// `options.every` steps and calling `options.onSnapshot` with each.
async fn train(run: &RefCell<Run>, options: &JsValue) -> Result<JsValue, JsError> {
    let until = field(options, "until").unwrap_or(JsValue::UNDEFINED);
    let limit = number(&until, "steps", "run")?;
    let loss_below = number(&until, "trainLossBelow", "run")?;
    let accuracy_above = number(&until, "testAccuracyAbove", "run")?;
    let interval = run.borrow().trainer.metrics_every;
    let every = number(options, "every", "run")?.map_or(interval, |n| n.max(1.0) as u64);
    let callback = match field(options, "onSnapshot") {
        None => None,
        Some(f) => {
            Some(f.dyn_into::<js_sys::Function>().map_err(|_| JsError::new("run: `onSnapshot` must be a function"))?)
        }
    };
    let start = run.borrow().trainer.steps();
    let (mut last, mut evaluation) = snapshot_of(run);
    loop {
        let steps = run.borrow().trainer.steps();
        let reached = limit.is_some_and(|l| (steps - start) as f64 >= l)
            || loss_below.is_some_and(|b| evaluation.train_loss < b)
            || accuracy_above.is_some_and(|a| evaluation.test_accuracy.is_some_and(|t| t >= a));
        if reached || run.borrow().trainer.finished(Some(&evaluation)) {
            return to_js(&last);
        }
        let room = limit.map_or(u64::MAX, |l| (l as u64).saturating_sub(steps - start));
        advance_politely(run, every.min(room)).await.map_err(|e| JsError::new(&e))?;
        (last, evaluation) = snapshot_of(run);
        if let Some(f) = &callback {
            let answer = f.call1(&JsValue::NULL, &to_js(&last)?).map_err(|e| {
                let message = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string());
                JsError::new(&format!("run: onSnapshot threw: {}", message.unwrap_or_else(|| format!("{e:?}"))))
            })?;
            if answer == JsValue::FALSE {
                return to_js(&last);
            }
        }
    }
}

/// Milliseconds of steps on the CPU between two turns given back to the host's event loop.
const SLICE_MS: f64 = 12.0;

/// [`advance`], handing the event loop a turn every [`SLICE_MS`] of CPU steps, so that a page
/// stays responsive (and repaints what `onSnapshot` drew) while a long run trains. On WebGPU
/// every read-back already waits for a later turn.
async fn advance_politely(run: &RefCell<Run>, n: u64) -> Result<f64, String> {
    let mut left = n;
    let mut loss = f64::NAN;
    let mut chunk = 1;
    let mut turn = js_sys::Date::now();
    while left > 0 {
        let on_gpu = run.borrow().gpu().is_some();
        let take = if on_gpu { left } else { chunk.min(left) };
        let (before, started) = (run.borrow().trainer.steps(), js_sys::Date::now());
        let last = advance(run, take).await?;
        loss = if last.is_nan() { loss } else { last };
        let taken = run.borrow().trainer.steps() - before;
        if taken < take && run.borrow().gpu().is_none() {
            break;
        }
        left -= take.min(left);
        let now = js_sys::Date::now();
        if now - started < SLICE_MS / 4.0 {
            chunk *= 2;
        }
        if now - turn >= SLICE_MS {
            next_turn().await;
            turn = js_sys::Date::now();
        }
    }
    Ok(loss)
}

/// Resolves on a later turn of the event loop, where the host may paint: a message through a
/// fresh `MessageChannel` (no clamping, unlike nested `setTimeout`s in browsers), or a
/// `setTimeout` of 0 where there is none.
async fn next_turn() {
    let get = |object: &JsValue, name: &str| js_sys::Reflect::get(object, &JsValue::from_str(name)).ok();
    let call = |object: &JsValue, name: &str, args: &js_sys::Array| {
        let f = get(object, name).and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        f.map(|f| f.apply(object, args))
    };
    let global = js_sys::global().into();
    let channel = get(&global, "MessageChannel")
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
        .and_then(|c| js_sys::Reflect::construct(&c, &js_sys::Array::new()).ok());
    let ports = channel.as_ref().and_then(|c| Some((get(c, "port1")?, get(c, "port2")?)));
    let later = js_sys::Promise::new(&mut |resolve, _| {
        let sent = ports.as_ref().is_some_and(|(one, two)| {
            js_sys::Reflect::set(one, &JsValue::from_str("onmessage"), &resolve).is_ok()
                && call(two, "postMessage", &js_sys::Array::of1(&JsValue::NULL)).is_some_and(|r| r.is_ok())
        });
        if !sent && call(&global, "setTimeout", &js_sys::Array::of2(&resolve, &JsValue::from_f64(0.0))).is_none() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(later).await;
    // Closed ports let Node exit when nothing else is pending.
    for port in ports.iter().flat_map(|(one, two)| [one, two]) {
        let _ = call(port, "close", &js_sys::Array::new());
    }
}

/// Bytes of the package's wasm memory: what a long loop must keep flat.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
