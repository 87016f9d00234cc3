//! The data panel: the dataset, its noise and split, and the input features of 2D sets.

use layerlab_spec::number::number_f32;
use layerlab_spec::{Analysis, Spec, SpecError};
use leptos::prelude::*;

use super::app::Sender;
use super::csv::{CsvFile, CsvUpload, csv_dataset, target_index};
use super::field::{payload_fields, problem_items};
use super::preview::DataPreview;
use crate::experiment::{self, FEATURES};
use crate::run::RunView;

const FOURIER_TITLE: &str = "Random Fourier features: sines and cosines of the point at random frequencies, which let a small network draw fine detail (\"Fourier Features Let Networks Learn High Frequency Functions in Low Dimensional Domains\").";

/// Sets the Fourier features' count from what was typed (text that is no number is ignored).
fn set_fourier_count(spec: RwSignal<Spec>, raw: &str) {
    if let Ok(v) = raw.trim().parse::<u32>() {
        spec.update(|s| s.data.fourier.iter_mut().for_each(|f| f.count = v));
    }
}

/// Sets the Fourier features' scale from what was typed.
fn set_fourier_scale(spec: RwSignal<Spec>, raw: &str) {
    if let Some(v) = number_f32(raw) {
        spec.update(|s| s.data.fourier.iter_mut().for_each(|f| f.scale = v));
    }
}

/// The dataset and how the network sees it.
#[component]
pub fn DataPanel(
    spec: RwSignal<Spec>,
    analysis: Memo<Result<Analysis, Vec<SpecError>>>,
    csv_file: RwSignal<CsvFile>,
    sender: Sender,
    run: RwSignal<RunView>,
) -> impl IntoView {
    // A typed value that does not fit its field.
    let typed = RwSignal::new(None::<String>);
    let dataset_fields = move || {
        let dataset = spec.with(|s| s.data.dataset.clone());
        if matches!(dataset, layerlab_spec::data::Dataset::Csv(_)) {
            // The CSV's own controls below say what its fields hold.
            return None;
        }
        let kind = dataset.name();
        Some(payload_fields(&dataset, &kind, "dataset", &[], typed, move |d| spec.update(|s| s.data.dataset = d)))
    };
    let choose_dataset = move |name: String| {
        if name == "csv" {
            let dataset = spec.with_untracked(|s| csv_file.with_untracked(|f| csv_dataset(f, target_index(s, f))));
            if let Some(dataset) = dataset {
                spec.update(|s| s.data.dataset = dataset);
            }
        } else {
            spec.update(|s| {
                let _ = experiment::set_dataset(s, &name);
            });
        }
    };
    let problems = problem_items(analysis, "data", typed);
    let dataset = move || spec.with(|s| s.data.dataset.name());
    let generated = move || spec.with(|s| s.data.dataset.is_generated());
    let planar = move || spec.with(|s| s.data.dataset.is_planar());
    let noise = move || spec.with(|s| s.data.noise);
    let fraction = move || spec.with(|s| s.data.train_fraction);
    let set_number = move |apply: fn(&mut Spec, f32), raw: String| {
        if let Some(v) = number_f32(&raw) {
            spec.update(|s| apply(s, v));
        }
    };
    view! {
        <section class="panel data" aria-labelledby="data-heading" data-part="data">
            <h2 id="data-heading">"Data"</h2>
            <div class="field" data-part="dataset">
                <label for="dataset">"Dataset"</label>
                <select
                    id="dataset"
                    title="The examples to learn from: 2D sets as in TensorFlow Playground, small real tables, digits, an image to fit, and sequence tasks."
                    prop:value=dataset
                    on:change=move |ev| choose_dataset(event_target_value(&ev))
                >
                    {experiment::dataset_names().into_iter().map(|name| {
                        let label = name.replace('_', " ");
                        view! { <option value=name>{label}</option> }
                    }).collect_view()}
                    {move || csv_file.with(|f| f.summary.is_some().then(|| {
                        let label = format!("your CSV: {}", f.name);
                        view! { <option value="csv">{label}</option> }
                    }))}
                </select>
            </div>
            <Show when=move || analysis.with(Result::is_ok)>
                <DataPreview run=run />
            </Show>
            <CsvUpload spec=spec file=csv_file sender=sender />
            <div class="fields dataset-fields" data-part="dataset">{dataset_fields}</div>
            <button
                type="button" id="new-data" data-part="dataset"
                title="The next draw of the data under the seed: new examples of a generated dataset, a new train/test split of a bundled one. The network starts over from the same initial weights."
                on:click=move |_| spec.update(experiment::new_data)
            >"↻ New data"</button>
            <ul class="problems" role="alert">{problems}</ul>
            <div class="field">
                <label for="samples">"Examples"</label>
                <input
                    type="number" id="samples" min="1"
                    title="How many examples to generate (generated datasets only; bundled ones have their own)."
                    disabled=move || !generated()
                    prop:value=move || spec.with(|s| s.data.samples.to_string())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() {
                            spec.update(|s| s.data.samples = v);
                        }
                    }
                />
            </div>
            <div class="field">
                <label for="noise">"Noise " <output for="noise">{move || format!("{:.0}%", noise() * 100.0)}</output></label>
                <input
                    type="range" id="noise" min="0" max="0.5" step="0.05"
                    title="Label or position noise of the generated 2D sets: how much the classes overlap."
                    disabled=move || !generated()
                    prop:value=move || noise().to_string()
                    on:change=move |ev| set_number(|s, v| s.data.noise = v, event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="train-fraction">"Training share " <output for="train-fraction">{move || format!("{:.0}%", fraction() * 100.0)}</output></label>
                <input
                    type="range" id="train-fraction" min="0.1" max="0.9" step="0.1"
                    title="The share of examples used for training; the rest is the test set the test loss is measured on."
                    prop:value=move || fraction().to_string()
                    on:change=move |ev| set_number(|s, v| s.data.train_fraction = v, event_target_value(&ev))
                />
            </div>
            <Show when=planar>
                <fieldset class="features">
                    <legend title="What the network sees of each point: its coordinates and functions of them, as in TensorFlow Playground.">"Input features"</legend>
                    {FEATURES.iter().map(|&(feature, label)| {
                        let id = format!("feature-{label}").replace(['²', '·', ' '], "-");
                        let input_id = id.clone();
                        view! {
                            <label class="check" for=id>
                                <input
                                    type="checkbox" id=input_id
                                    prop:checked=move || spec.with(|s| s.data.features.contains(&feature))
                                    on:change=move |ev| spec.update(|s| experiment::toggle_feature(s, feature, event_target_checked(&ev)))
                                />
                                {label}
                            </label>
                        }
                    }).collect_view()}
                    <label class="check" for="feature-fourier" title=FOURIER_TITLE>
                        <input
                            type="checkbox" id="feature-fourier"
                            prop:checked=move || spec.with(|s| s.data.fourier.is_some())
                            on:change=move |ev| spec.update(|s| experiment::set_fourier(s, event_target_checked(&ev)))
                        />
                        "Fourier features"
                    </label>
                    <Show when=move || spec.with(|s| s.data.fourier.is_some())>
                        <label class="field-inline" title="How many random frequencies: each adds a sine and a cosine of the point.">"count "
                            <input type="number" id="fourier-count" min="1" max="1024"
                                prop:value=move || spec.with(|s| s.data.fourier.map(|f| f.count.to_string()).unwrap_or_default())
                                on:change=move |ev| { set_fourier_count(spec, &event_target_value(&ev)); } />
                        </label>
                        <label class="field-inline" title="The spread of the random frequencies: larger lets the network draw finer detail.">"scale "
                            <input type="number" id="fourier-scale" min="0" step="any"
                                prop:value=move || spec.with(|s| s.data.fourier.map(|f| f.scale.to_string()).unwrap_or_default())
                                on:change=move |ev| { set_fourier_scale(spec, &event_target_value(&ev)); } />
                        </label>
                    </Show>
                </fieldset>
            </Show>
        </section>
    }
}
