//! Export of a run: the loss history and the layer metrics as CSV (the CLI's columns), and any
//! picture the output panel shows as a PNG file.

use leptos::prelude::*;

use crate::browser;
use crate::run::RunView;

/// The pictures that can be saved: the canvas's id and what it shows.
const PICTURES: [(&str, &str); 6] = [
    ("loss-chart", "Loss curves"),
    ("surface", "Decision surface"),
    ("layer-chart", "Layer metrics"),
    ("model-image", "The model's picture"),
    ("target-image", "The target picture"),
    ("neuron-large", "The enlarged unit"),
];

#[component]
pub fn Export(run: RwSignal<RunView>) -> impl IntoView {
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
    let png = move |_| {
        let id = picture.get_untracked();
        let label = PICTURES.iter().find(|(p, _)| *p == id).map_or("The picture", |(_, l)| *l);
        said(browser::download_picture(&id, &format!("layerlab-{id}.png")), label);
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
                {PICTURES.iter().map(|(id, label)| view! { <option value=*id>{*label}</option> }).collect_view()}
            </select>
            <button type="button" id="export-png" on:click=png title="Save the chosen picture as it is now, as a PNG file.">"Save PNG"</button>
            <span id="export-status" role="status" aria-live="polite">{move || status.get()}</span>
        </div>
    }
}
