//! The package's TypeScript types beyond the classes wasm-bindgen declares: what `evaluate`,
//! `snapshot`, `run` and `backendReport` give and take. `LayerMetrics` are the engine's layer
//! metrics as the CLI prints them, names included.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** How to open an experiment. */
export interface Options {
    /**
     * "auto" (the default): WebGPU when the browser offers a hardware adapter, else the CPU;
     * "webgpu": WebGPU whenever there is an adapter, a software one included; "cpu": the CPU.
     * Without it, a link's `backend=` parameter decides, as on the page.
     */
    backend?: "auto" | "cpu" | "webgpu";
    /** The text of the CSV file a spec's `csv` dataset names (the page asks for the file). */
    csv?: string;
}
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
    /** Called with each snapshot; returning false stops the run. */
    onSnapshot?: (snapshot: Snapshot) => boolean | void;
}
/** One layer's metrics on the probe batch. Figures the spec's metrics settings switch off, or
 *  that a layer lacks (the weights of a norm), are absent. */
export interface LayerMetrics {
    /** Where the layer is, as the spec names it (`model[1].body[0]`; `output` for the head). */
    name: string;
    kind: string;
    /** Numbers per example the layer outputs. */
    width: number;
    effective_rank?: number;
    stable_rank?: number;
    numerical_rank?: number;
    /** Share of exact zeros in the output. */
    sparsity?: number;
    /** Share with |a| < 1e-3. */
    near_zero?: number;
    /** Units never positive on the probe batch. */
    dead_units?: number;
    weight_norm?: number;
    grad_norm?: number;
    /** ‖W_t − W_{t−1}‖ / ‖W_{t−1}‖ for the last step taken. */
    update_ratio?: number;
    output_rms?: number;
    /** Mixture of experts: the share of the probe's routing choices each expert received. */
    expert_load?: number[];
    /** Attention: the first probe example's attention, probs[head][query][key]. */
    attention?: { heads: number; len: number; probs: number[][][] };
}
/** The evaluation and every layer's metrics (on the probe batch) at one step. */
export interface Snapshot extends Evaluation {
    layers: LayerMetrics[];
    /** Linear CKA between every pair of layers, in `layers` order (when the spec asks). */
    similarity?: number[][];
}
/** Where the experiment trains, and why. */
export interface BackendReport {
    kind: "webgpu" | "cpu";
    /** E.g. "WebGPU (nvidia ampere)" or "CPU (WebAssembly)". */
    label: string;
    /** One sentence on why this backend. */
    explanation: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `Options` in TypeScript: read field by field.
    #[wasm_bindgen(typescript_type = "Options")]
    pub type Options;
    /// `RunOptions` in TypeScript: read field by field.
    #[wasm_bindgen(typescript_type = "RunOptions")]
    pub type RunOptions;
}
