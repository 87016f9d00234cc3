//! LayerLab's engine for JavaScript. `Experiment` trains any LayerLab experiment, from a link or
//! a spec's JSON, on the CPU (the engine's reference backend); every mistake comes out as a
//! JavaScript `Error` carrying the spec crate's message, never as a trap. `cargo xtask pack`
//! builds the `layerlab` npm package of it (`target/pkg/node`, `target/pkg/web`).

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::{Evaluation, Trainer};
use layerlab_spec::{Spec, SpecError, json, link};
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The losses on both whole splits, and the task's quality measure. */
export interface Evaluation {
    step: number;
    trainLoss: number;
    testLoss: number;
    trainAccuracy: number | null;
    testAccuracy: number | null;
    testRmse: number | null;
    testPsnr: number | null;
}
/** When `run` stops (besides the run's own length and stop condition). */
export interface Until {
    steps?: number;
    trainLossBelow?: number;
    testAccuracyAbove?: number;
}
export interface RunOptions {
    until?: Until;
    /** Steps between two calls of onSnapshot (the spec's metrics interval by default). */
    every?: number;
    /** Called with each evaluation; returning false stops the run. */
    onSnapshot?: (evaluation: Evaluation) => boolean | void;
}
"#;

/// One experiment and its run.
#[wasm_bindgen]
pub struct Experiment {
    spec: Spec,
    trainer: Trainer<Cpu<f32>>,
}

/// What an evaluation gives, as a plain JavaScript object.
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
        }
    }
}

fn said(errors: &[SpecError]) -> JsError {
    JsError::new(&errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not convert the result: {e}")))
}

#[wasm_bindgen]
impl Experiment {
    /// The experiment a LayerLab link holds: a whole URL ending in `#v1.…`, or the fragment.
    #[wasm_bindgen(js_name = fromLink)]
    pub fn from_link(text: &str) -> Result<Experiment, JsError> {
        let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
        let decoded = link::decode(fragment.trim()).map_err(|e| said(&e))?;
        Experiment::new(decoded.spec)
    }

    /// The experiment a spec's JSON describes (what `layerlab train` and the page's
    /// *Download spec* read and write).
    #[wasm_bindgen(js_name = fromSpec)]
    pub fn from_spec(text: &str) -> Result<Experiment, JsError> {
        let decoded = json::from_json(text).map_err(|e| said(&e))?;
        Experiment::new(decoded.spec)
    }

    fn new(spec: Spec) -> Result<Experiment, JsError> {
        let trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).map_err(|e| said(&e))?;
        Ok(Experiment { spec, trainer })
    }

    /// Takes `n` training steps (fewer when the run's length or stop condition ends it first)
    /// and gives the last step's training loss on its batch.
    pub fn step(&mut self, n: u32) -> Result<f64, JsError> {
        let mut loss = f64::NAN;
        for _ in 0..n {
            if self.trainer.finished(None) {
                break;
            }
            loss = self.trainer.step().map_err(|e| JsError::new(&e.to_string()))?;
        }
        Ok(loss)
    }

    /// The losses (and accuracy, RMSE or PSNR, as the task has them) on both whole splits now.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(&mut self) -> Result<JsValue, JsError> {
        to_js(&Measured::from(self.trainer.evaluate()))
    }

    /// Trains until the run's length or stop condition, or `options.until`, evaluating every
    /// `options.every` steps (the spec's metrics interval by default) and handing each
    /// evaluation to `options.onSnapshot`, which stops the run by returning `false`. Gives the
    /// last evaluation.
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn run(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "RunOptions")] options: &JsValue,
    ) -> Result<JsValue, JsError> {
        let field = |object: &JsValue, name: &str| {
            js_sys::Reflect::get(object, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
        };
        let number = |object: &JsValue, name: &str| -> Result<Option<f64>, JsError> {
            match field(object, name) {
                None => Ok(None),
                Some(v) => v
                    .as_f64()
                    .filter(|n| n.is_finite())
                    .map(Some)
                    .ok_or_else(|| JsError::new(&format!("run: `{name}` must be a number"))),
            }
        };
        let until = field(options, "until").unwrap_or(JsValue::UNDEFINED);
        let limit = number(&until, "steps")?;
        let loss_below = number(&until, "trainLossBelow")?;
        let accuracy_above = number(&until, "testAccuracyAbove")?;
        let every = number(options, "every")?.map_or(u64::from(self.spec.metrics.every.max(1)), |n| n.max(1.0) as u64);
        let callback = match field(options, "onSnapshot") {
            None => None,
            Some(f) => Some(
                f.dyn_into::<js_sys::Function>().map_err(|_| JsError::new("run: `onSnapshot` must be a function"))?,
            ),
        };
        let start = self.trainer.steps();
        let mut last = self.trainer.evaluate();
        loop {
            let done = |e: &Evaluation, steps: u64| {
                limit.is_some_and(|l| (steps - start) as f64 >= l)
                    || loss_below.is_some_and(|b| e.train_loss < b)
                    || accuracy_above.is_some_and(|a| e.test_accuracy.is_some_and(|t| t >= a))
            };
            if self.trainer.finished(Some(&last)) || done(&last, self.trainer.steps()) {
                return to_js(&Measured::from(last));
            }
            let room = limit.map_or(u64::MAX, |l| (l as u64).saturating_sub(self.trainer.steps() - start));
            for _ in 0..every.min(room) {
                if self.trainer.finished(None) {
                    break;
                }
                self.trainer.step().map_err(|e| JsError::new(&e.to_string()))?;
            }
            last = self.trainer.evaluate();
            if let Some(f) = &callback {
                let answer = f.call1(&JsValue::NULL, &to_js(&Measured::from(last))?).map_err(|e| {
                    JsError::new(&format!(
                        "run: onSnapshot threw: {}",
                        e.as_string().unwrap_or_else(|| format!("{e:?}"))
                    ))
                })?;
                if answer == JsValue::FALSE {
                    return to_js(&Measured::from(last));
                }
            }
        }
    }

    /// Every layer's metrics now (rank, sparsity, norms…), as the page and the CLI show them.
    pub fn snapshot(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.trainer.snapshot())
    }

    /// The model's outputs for rows of inputs (the model's input width each), in evaluation mode.
    pub fn predict(&mut self, inputs: &[f32]) -> Result<Vec<f32>, JsError> {
        let width = self.trainer.model.inputs;
        if inputs.is_empty() || !inputs.len().is_multiple_of(width) {
            return Err(JsError::new(&format!(
                "predict takes rows of {width} numbers, but got {} numbers",
                inputs.len()
            )));
        }
        Ok(self.trainer.predict(inputs))
    }

    /// The spec as JSON.
    #[wasm_bindgen(js_name = exportSpec)]
    pub fn export_spec(&self) -> String {
        json::to_json(&self.spec)
    }

    /// The experiment as a link fragment (`v1.…`), for the page's address.
    pub fn link(&self) -> String {
        link::encode(&self.spec)
    }

    /// Steps taken so far.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.trainer.steps() as f64
    }

    /// Where it computes: the CPU (WebGPU is the page's; this package trains on the reference).
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        "cpu".into()
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
