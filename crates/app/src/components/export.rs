//! Export of a run: the loss history and the layer metrics as CSV (the CLI's columns), any
//! picture the output panel shows as a PNG file, and the model for PyTorch (made by the worker,
//! which holds the weights: `model.py`, `train.py`, the weights, data and sample as safetensors,
//! the spec).

use layerlab_protocol::ExportedFile;
use layerlab_protocol::WorkerInput;
use leptos::prelude::*;

use super::app::Sender;
use crate::browser;
use crate::run::RunView;

/// Where the PyTorch export stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum TorchExport {
    #[default]
    None,
    /// Asked of the worker.
    Working,
    /// The files, exported at `step`.
    Ready {
        step: u64,
        files: Vec<ExportedFile>,
    },
    Failed(String),
}

/// The type a downloaded file is offered as.
fn mime(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("py") => "text/x-python",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The id of a file's download button: `torch-file-model-py`.
fn file_id(name: &str) -> String {
    format!("torch-file-{}", name.replace('.', "-"))
}

/// The pictures that can be saved: the canvas's id and what it shows.
const PICTURES: [(&str, &str); 8] = [
    ("loss-chart", "Loss curves"),
    ("surface", "Decision surface"),
    ("layer-chart", "Layer metrics"),
    ("model-image", "The model's picture"),
    ("target-image", "The target picture"),
    ("neuron-large", "The enlarged unit"),
    ("data-preview", "The data"),
    ("compare-chart", "The comparison chart"),
];

#[component]
pub fn Export(run: RwSignal<RunView>, torch: RwSignal<TorchExport>, sender: Sender) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let picture = RwSignal::new(PICTURES[0].0.to_string());
    let said = move |outcome: Result<(), String>, what: &str| {
        status.set(match outcome {
            Ok(()) => format!("{what} downloaded."),
            Err(why) => format!("{what} not downloaded: {why}."),
        });
    };
    let metrics = move |_| {
        let csv = run.with_untracked(RunView::metrics_csv);
        said(browser::download("layerlab-metrics.csv", &csv, "text/csv"), "Metrics");
    };
    let layers = move |_| {
        let csv = run.with_untracked(RunView::layers_csv);
        said(browser::download("layerlab-metrics.layers.csv", &csv, "text/csv"), "Layer metrics");
    };
    // The fixed pictures, then the attention map of each head the run shows (a memo: the list
    // changes with the heads, not with every progress report).
    let heads = Memo::new(move |_| {
        run.with(|r| {
            r.layers
                .as_ref()
                .and_then(|s| s.layers.iter().find_map(|l| l.attention.as_ref()))
                .map_or(0, |m| m.probs.len())
        })
    });
    let pictures = move || {
        let fixed = PICTURES.iter().map(|(id, label)| ((*id).to_string(), (*label).to_string()));
        let maps = (0..heads.get()).map(|h| (format!("attention-{h}"), format!("Attention map, head {}", h + 1)));
        fixed.chain(maps).collect::<Vec<_>>()
    };
    let png = move |_| {
        let id = picture.get_untracked();
        let label = untrack(pictures).into_iter().find(|(p, _)| *p == id).map_or("The picture".to_string(), |(_, l)| l);
        said(browser::download_picture(&id, &format!("layerlab-{id}.png")), &label);
    };
    let export_torch = move |_| {
        torch.set(TorchExport::Working);
        sender.send(WorkerInput::ExportTorch);
    };
    let save = move |file: &ExportedFile| browser::download_bytes(&file.name, &file.bytes, mime(&file.name));
    let save_all = move |_| {
        let outcome = torch.with_untracked(|t| match t {
            TorchExport::Ready { files, .. } => files.iter().try_for_each(save),
            _ => Err("nothing is exported yet".into()),
        });
        said(outcome, "The PyTorch files");
    };
    let torch_files = move || {
        torch.with(|t| match t {
            TorchExport::Ready { step, files } => {
                let buttons = files
                    .iter()
                    .map(|file| {
                        let file = file.clone();
                        let (id, name, size) = (file_id(&file.name), file.name.clone(), file.bytes.len());
                        let title = format!("Download {name} ({size} bytes).");
                        view! {
                            <li><button type="button" id=id title=title on:click=move |_| said(save(&file), &file.name)>{name}</button></li>
                        }
                    })
                    .collect_view();
                Some(view! {
                    <div id="torch-files" role="group" aria-label="The PyTorch export's files">
                        <p id="torch-step">{format!("Exported at step {step}. Put the files in one folder: `python model.py` checks PyTorch's outputs against LayerLab's, `python train.py` trains on.")}</p>
                        <ul>{buttons}</ul>
                        <button type="button" id="torch-all" on:click=save_all>"Download all"</button>
                    </div>
                })
            }
            _ => None,
        })
    };
    let torch_status = move || {
        torch.with(|t| match t {
            TorchExport::Working => "Exporting for PyTorch…".to_string(),
            TorchExport::Failed(why) => format!("The model was not exported: {why}."),
            _ => String::new(),
        })
    };
    view! {
        <div class="export" id="export" role="group" aria-label="Export the run">
            <button type="button" id="export-metrics" on:click=metrics
                title="The loss (and accuracy) curves as CSV: step, train_loss, test_loss, test_accuracy (the points the page keeps: at most 1,000 over the run).">"Metrics (CSV)"</button>
            <button type="button" id="export-layers" on:click=layers
                title="Every layer's metrics at every measurement as CSV, in the columns `layerlab train --out` writes beside its main file.">"Layer metrics (CSV)"</button>
            <label for="export-picture" class="sr-only">"Picture to save"</label>
            <select id="export-picture" prop:value=move || picture.get() on:change=move |ev| picture.set(event_target_value(&ev))
                title="Which picture to save as PNG.">
                {move || pictures().into_iter().map(|(id, label)| view! { <option value=id>{label}</option> }).collect_view()}
            </select>
            <button type="button" id="export-png" on:click=png title="Save the chosen picture as it is now, as a PNG file.">"Save PNG"</button>
            <button type="button" id="export-torch" on:click=export_torch
                title="The model as it is now for PyTorch: model.py (a self-contained nn.Module), its weights as safetensors, train.py with this experiment's recipe, the data and the spec.">"PyTorch"</button>
            <span id="export-status" role="status" aria-live="polite">{move || status.get()}</span>
            <span id="torch-status" role="status" aria-live="polite">{torch_status}</span>
            {torch_files}
        </div>
    }
}
