//! The header: the name, the compute backend in use, the worker's state, and the "Force CPU"
//! setting.

use layerlab_worker::{BackendChoice, BackendReport};
use leptos::prelude::*;

use super::app::WorkerStatus;

/// The top bar of the page.
#[component]
pub fn Header(
    /// The user's backend choice (setting or URL).
    choice: RwSignal<BackendChoice>,
    /// Called when the user flips "Force CPU"; saves and applies the new choice.
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
        <header class="topbar">
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
            <label class="setting" title="Train on the CPU in WebAssembly even when WebGPU is available (also: add ?backend=cpu to the link).">
                <input
                    type="checkbox"
                    id="force-cpu"
                    prop:checked=move || choice.get() == BackendChoice::Cpu
                    on:change=move |ev| {
                        set_choice(if event_target_checked(&ev) { BackendChoice::Cpu } else { BackendChoice::Auto });
                    }
                />
                " Force CPU"
            </label>
            <p class="sr-only" id="backend-explanation" aria-live="polite">{explanation}</p>
        </header>
    }
}
