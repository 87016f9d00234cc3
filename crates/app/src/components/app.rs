//! The root component: reads the URL and the saved settings, starts the training worker, and
//! lays out the playground (header, data panel, architecture, output).

use layerlab_worker::{BackendChoice, BackendReport, WorkerInput, WorkerOutput};
use leptos::prelude::*;

use super::header::Header;
use super::notices::Notices;
use super::panels::{ArchitecturePanel, DataPanel, OutputPanel};
use crate::options::{self, FORCE_CPU_KEY};
use crate::worker_link::{self, Events, WORKER_URL, WorkerLink};

/// The state of the training worker, as the header shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerStatus {
    /// Loading its wasm.
    Starting,
    /// Answering; the time its first ping took, once known.
    Ready { round_trip_ms: Option<f64> },
    /// Unusable, with the reason.
    Failed(String),
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let page = options::parse_query(&location_search());
    let saved = options::saved_choice(storage_get(FORCE_CPU_KEY).as_deref());
    let choice = RwSignal::new(page.backend.unwrap_or(saved));
    let notices = RwSignal::new(page.notices);
    let status = RwSignal::new(WorkerStatus::Starting);
    let backend = RwSignal::new(None::<BackendReport>);
    let latest_request = StoredValue::new(0u32);
    let ping_sent_at = StoredValue::new(0.0f64);
    let link = StoredValue::new_local(None::<WorkerLink>);
    let send = move |input: WorkerInput| {
        link.with_value(|l| {
            if let Some(l) = l {
                l.send(input);
            }
        });
    };

    let on_output = move |output: WorkerOutput| match output {
        WorkerOutput::Ready { .. } => {
            status.set(WorkerStatus::Ready { round_trip_ms: None });
            ping_sent_at.set_value(now_ms());
            send(WorkerInput::Ping { nonce: 1 });
        }
        WorkerOutput::Pong { .. } => {
            let elapsed = now_ms() - ping_sent_at.get_value();
            status.set(WorkerStatus::Ready { round_trip_ms: Some(elapsed) });
        }
        WorkerOutput::Backend { request, report } => {
            if request == latest_request.get_value() {
                backend.set(Some(report));
            }
        }
        WorkerOutput::Error { message } => {
            notices.update(|n| n.push(format!("The training worker reported: {message}")));
        }
    };
    let on_failure = move |message: String| status.set(WorkerStatus::Failed(message));
    match worker_link::start(WORKER_URL, Events { on_output: Box::new(on_output), on_failure: Box::new(on_failure) }) {
        Ok(started) => link.set_value(Some(started)),
        Err(message) => status.set(WorkerStatus::Failed(message)),
    }

    // Ask for the backend whenever the choice changes; only the newest answer counts.
    Effect::new(move |_| {
        let choice = choice.get();
        let request = latest_request.get_value() + 1;
        latest_request.set_value(request);
        backend.set(None);
        send(WorkerInput::DetectBackend { request, choice });
    });

    let set_choice = move |new: BackendChoice| {
        storage_set(FORCE_CPU_KEY, options::saved_value(new));
        choice.set(new);
    };

    view! {
        <Header choice=choice set_choice=set_choice backend=backend status=status />
        <Notices notices=notices />
        <main class="playground">
            <DataPanel />
            <ArchitecturePanel />
            <OutputPanel />
        </main>
    }
}

fn location_search() -> String {
    window().location().search().unwrap_or_default()
}

fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or_default()
}

/// Reads a saved setting; `None` where storage is unavailable (private mode, sandboxed frames).
fn storage_get(key: &str) -> Option<String> {
    window().local_storage().ok().flatten()?.get_item(key).ok().flatten()
}

/// Saves a setting where storage is available; the page works the same without it.
fn storage_set(key: &str, value: &str) {
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(key, value);
    }
}
