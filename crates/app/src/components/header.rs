//! The header: the name, the compute backend in use, the worker's state, and the backend
//! setting (automatic, the CPU, or WebGPU).

use layerlab_protocol::{BackendChoice, BackendReport};

use crate::options;
use leptos::prelude::*;

use super::app::WorkerStatus;

/// The top bar of the page.
#[component]
pub fn Header(
    /// The user's backend choice (setting or URL).
    choice: RwSignal<BackendChoice>,
    /// Called when the user picks a backend; saves and applies the new choice.
    set_choice: impl Fn(BackendChoice) + 'static,
    /// The backend the worker found; `None` while it looks.
    backend: RwSignal<Option<BackendReport>>,
    /// The worker's state.
    status: RwSignal<WorkerStatus>,
) -> impl IntoView {
    let label = move || match backend.get() {
        Some(report) => report.label(),
        None => "detecting…".to_string(),
    };
    let explanation = move || backend.get().map(|r| r.explanation()).unwrap_or_default();
    let worker_text = move || match status.get() {
        WorkerStatus::Starting => "starting…".to_string(),
        WorkerStatus::Ready { round_trip_ms: None } => "ready".to_string(),
        WorkerStatus::Ready { round_trip_ms: Some(ms) } => format!("ready (ping {ms:.1} ms)"),
        WorkerStatus::Failed(reason) => format!("stopped: {reason}"),
    };
    let worker_state = move || match status.get() {
        WorkerStatus::Starting => "starting",
        WorkerStatus::Ready { .. } => "ready",
        WorkerStatus::Failed(_) => "failed",
    };
    view! {
        <header class="topbar" data-part="header">
            <h1 class="brand">"LayerLab" <span class="tagline">"a neural-network playground"</span></h1>
            <dl class="status" aria-label="Compute status">
                <div>
                    <dt>"Backend"</dt>
                    <dd><span id="backend-label" role="status" aria-live="polite" title=explanation>{label}</span></dd>
                </div>
                <div>
                    <dt>"Worker"</dt>
                    <dd><span id="worker-status" role="status" aria-live="polite" data-state=worker_state>{worker_text}</span></dd>
                </div>
            </dl>
            <label class="setting" data-part="backend" title="Automatic: WebGPU on a hardware GPU, else the CPU. CPU: WebAssembly even where WebGPU is available (link: ?backend=cpu). WebGPU: any WebGPU adapter, a software one included (link: ?backend=webgpu).">
                "Train on "
                <select
                    id="backend-choice"
                    prop:value=move || options::saved_value(choice.get())
                    on:change=move |ev| set_choice(options::saved_choice(Some(&event_target_value(&ev))))
                >
                    <option value="auto">"Automatic"</option>
                    <option value="cpu">"CPU"</option>
                    <option value="webgpu">"WebGPU"</option>
                </select>
            </label>
            <p class="sr-only" id="backend-explanation" aria-live="polite">{explanation}</p>
        </header>
    }
}
