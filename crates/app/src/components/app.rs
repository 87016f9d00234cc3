//! The root component: reads the URL and the saved settings, starts the training worker, and
//! lays out the playground (header, data panel, architecture, output).

use layerlab_protocol::Problem;
use layerlab_protocol::{BackendChoice, BackendReport, WorkerInput, WorkerOutput};
use layerlab_spec::{analyse, link};
use leptos::ev;
use leptos::prelude::*;

use super::architecture::ArchitecturePanel;
use super::compare::Compare;
use super::controls::Controls;
use super::csv::{self, CsvFile};
use super::data::DataPanel;
use super::export::TorchExport;
use super::header::Header;
use super::library::Library;
use super::notices::Notices;
use super::output::OutputPanel;
use super::recipe::Recipe;
use super::share::{LinkProblem, LinkTrouble, SharePanel};
use crate::browser::{self, storage_get, storage_set};
use crate::options::{self, BACKEND_KEY};
use crate::parts;
use crate::run::RunView;
use crate::share::{self, AUTOSAVE_KEY, Source};
use crate::worker_link::{self, Events, WORKER_URL, WorkerLink};

/// Sends messages to the worker (queued until it is ready; dropped once it failed).
#[derive(Clone, Copy)]
pub struct Sender {
    link: StoredValue<Option<WorkerLink>, LocalStorage>,
}

impl Sender {
    pub fn send(&self, input: WorkerInput) {
        self.link.with_value(|l| {
            if let Some(l) = l {
                l.send(input);
            }
        });
    }
}

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

/// How the notice of a restarted run begins (one such notice at a time).
const RESTARTED: &str = "Training started over from step 0:";

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let page = options::parse_query(&browser::query());
    let saved = options::saved_choice(storage_get(BACKEND_KEY).as_deref());
    let choice = RwSignal::new(page.backend.unwrap_or(saved));
    let opening = share::open(&browser::fragment(), storage_get(AUTOSAVE_KEY).as_deref());
    let notices = RwSignal::new([page.notices.clone(), opening.notices].concat());
    let status = RwSignal::new(WorkerStatus::Starting);
    let backend = RwSignal::new(None::<BackendReport>);
    let latest_request = StoredValue::new(0u32);
    let ping_sent_at = StoredValue::new(0.0f64);
    let link = StoredValue::new_local(None::<WorkerLink>);
    let sender = Sender { link };
    let send = move |input: WorkerInput| sender.send(input);
    let fragment = RwSignal::new(link::encode(&opening.spec));
    let spec = RwSignal::new(opening.spec);
    let analysis = Memo::new(move |_| spec.with(analyse));
    let instead = "The starting experiment is open instead; nothing saved in this browser was changed.";
    let trouble = RwSignal::new(opening.bad_link.map(|bad| LinkTrouble { bad, instead }));
    let run = RwSignal::new(RunView::default());
    let worker_problems = RwSignal::new(Vec::<Problem>::new());
    let csv_file = RwSignal::new(CsvFile::default());
    let torch = RwSignal::new(TorchExport::None);

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
        WorkerOutput::BackendChanged { report } => {
            notices.update(|n| n.push(format!("Training moved to {}: {}", report.label(), report.explanation())));
            backend.set(Some(report));
        }
        WorkerOutput::Error { message } => {
            notices.update(|n| n.push(format!("The training worker reported: {message}")));
        }
        WorkerOutput::Invalid { problems } => worker_problems.set(problems),
        WorkerOutput::CsvRead { name, summary } => {
            csv_file.set(CsvFile { name, summary: Some(summary), problem: None });
            // The file's own columns, keeping the target picked before when it has one of that name.
            let target = spec.with_untracked(|s| csv_file.with_untracked(|f| csv::target_index(s, f)));
            if let Some(dataset) = csv_file.with_untracked(|f| csv::csv_dataset(f, target)) {
                spec.update(|s| s.data.dataset = dataset);
            }
        }
        WorkerOutput::CsvRejected { name, message } => {
            csv_file.update(|f| f.problem = Some(format!("{name} cannot be used: {message}.")));
        }
        WorkerOutput::Exported { step, files } => torch.set(TorchExport::Ready { step, files }),
        WorkerOutput::ExportFailed { message } => torch.set(TorchExport::Failed(message)),
        other => {
            if matches!(other, WorkerOutput::Loaded { .. } | WorkerOutput::Retuned { .. }) {
                worker_problems.set(Vec::new());
            }
            // An export belongs to the run it was made from.
            if matches!(other, WorkerOutput::Loaded { .. }) {
                torch.set(TorchExport::None);
            }
            run.update(|r| {
                r.apply(&other);
            });
            if matches!(other, WorkerOutput::Loaded { .. }) && run.with_untracked(|r| r.restarted) {
                notices.update(|n| {
                    n.retain(|t| !t.starts_with(RESTARTED));
                    n.push(format!("{RESTARTED} the data, the architecture, the seed or the learning rule changed."));
                });
            }
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

    // Every valid change of the experiment goes to the worker, which decides whether the run
    // goes on (a new learning rate) or starts over (a new architecture).
    Effect::new(move |_| {
        if analysis.with(Result::is_ok) {
            send(WorkerInput::Load { spec: Box::new(spec.get()) });
        }
    });

    // The address and the autosave always hold the experiment's last valid form; a link that
    // did not open stays in the address (and the autosave untouched) until the user edits.
    let autosave_refused = StoredValue::new(false);
    Effect::new(move |previous: Option<()>| {
        let valid = analysis.with(Result::is_ok);
        let current = spec.with(link::encode);
        if !valid || (previous.is_none() && trouble.with_untracked(Option::is_some)) {
            return;
        }
        browser::set_fragment(&current);
        if let Err(why) = storage_set(AUTOSAVE_KEY, &current)
            && !autosave_refused.get_value()
        {
            autosave_refused.set_value(true);
            notices.update(|n| n.push(format!("The experiment is not autosaved: {why}. Its link still holds it.")));
        }
        fragment.set(current);
    });

    // A link typed or pasted into the address (only the fragment changes: no reload), or fixed in
    // the banner. A bad one leaves the experiment on the page as it is.
    let open_link = move |text: String| {
        let text = text.trim().trim_start_matches('#').to_string();
        if text.is_empty() {
            return;
        }
        if text == fragment.get_untracked() {
            // The experiment on the page already (a link fixed back to it).
            trouble.set(None);
            return;
        }
        let opening = share::open(&text, None);
        notices.update(|n| n.extend(opening.notices));
        match opening.bad_link {
            Some(bad) => trouble.set(Some(LinkTrouble { bad, instead: "The experiment on the page is unchanged." })),
            None => {
                trouble.set(None);
                spec.set(opening.spec);
            }
        }
    };
    let _ = window_event_listener(ev::hashchange, move |_| open_link(browser::fragment()));
    let open_fixed = Callback::new(move |text: String| {
        browser::set_fragment(text.trim().trim_start_matches('#'));
        open_link(text);
    });
    let restore = storage_get(AUTOSAVE_KEY).is_some().then(|| {
        Callback::new(move |()| {
            let opening = share::open("", storage_get(AUTOSAVE_KEY).as_deref());
            if opening.source == Source::Autosave {
                trouble.set(None);
                spec.set(opening.spec);
            } else {
                notices.update(|n| n.extend(opening.notices));
            }
        })
    });
    let mut hiding = parts::hiding_css(&page.hidden());
    if !page.embed.is_empty() {
        hiding.push_str(parts::EMBEDDED_CSS);
    }

    let set_choice = move |new: BackendChoice| {
        let _ = storage_set(BACKEND_KEY, options::saved_value(new));
        choice.set(new);
    };

    view! {
        {(!hiding.is_empty()).then(|| view! { <style id="hidden-parts">{hiding}</style> })}
        <Header choice=choice set_choice=set_choice backend=backend status=status />
        <LinkProblem trouble=trouble open_link=open_fixed restore=restore />
        <Notices notices=notices />
        <nav class="share-bar" aria-label="Share and saved experiments" data-part="share">
            <SharePanel fragment=fragment page=page />
            <Library spec=spec analysis=analysis notices=notices />
        </nav>
        <Controls spec=spec run=run sender=sender />
        <Recipe spec=spec analysis=analysis />
        <main class="playground">
            <DataPanel spec=spec analysis=analysis csv_file=csv_file sender=sender run=run />
            <ArchitecturePanel spec=spec analysis=analysis worker_problems=worker_problems />
            <OutputPanel spec=spec run=run torch=torch sender=sender />
        </main>
        <Compare spec=spec sender=sender />
    }
}

/// The page's clock in milliseconds.
pub(crate) fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or_default()
}
