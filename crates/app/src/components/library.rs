//! Saved experiments: save the one on the page under a name, open, rename and delete saved ones
//! (a deletion can be undone), export the list and import a list or a spec as JSON, and
//! download the experiment's spec. The list lives in this browser's localStorage.

use layerlab_spec::{Analysis, Spec, SpecError, json};
use leptos::prelude::*;

use crate::browser;
use crate::saved::{self, MAX_FILE_BYTES, SAVED_KEY, Saved};
use crate::share::describe;

#[component]
pub fn Library(
    spec: RwSignal<Spec>,
    analysis: Memo<Result<Analysis, Vec<SpecError>>>,
    notices: RwSignal<Vec<String>>,
) -> impl IntoView {
    let (stored, note) = saved::restore(browser::storage_get(SAVED_KEY).as_deref());
    if let Some(note) = note {
        notices.update(|n| n.push(note));
    }
    let list = RwSignal::new(stored);
    let status = RwSignal::new(String::new());
    let deleted = RwSignal::new(None::<(usize, Saved)>);
    let name = RwSignal::new(String::new());
    // Every change of the list is stored at once; a refusal (storage full, private mode) is said.
    let keep = move || {
        if let Err(why) = list.with_untracked(|l| browser::storage_set(SAVED_KEY, &saved::to_json(l))) {
            status.set(format!("Not kept in this browser: {why}."));
        }
    };
    let save = move |_| {
        if let Err(problems) = analysis.get_untracked() {
            status.set(format!("Not saved: the experiment has problems ({}); fix them first.", describe(&problems)));
            return;
        }
        let current = spec.get_untracked();
        let typed = name.get_untracked();
        let chosen = if typed.trim().is_empty() { saved::default_name(&current) } else { typed };
        let mut added = Ok(());
        list.update(|l| added = saved::add(l, vec![Saved { name: chosen, spec: current }]));
        match added {
            Ok(()) => {
                name.set(String::new());
                status.set(format!(
                    "Saved as '{}'.",
                    list.with_untracked(|l| l.last().map(|s| s.name.clone()).unwrap_or_default())
                ));
                keep();
            }
            Err(why) => status.set(format!("Not saved: {why}.")),
        }
    };
    let open = move |i: usize| {
        if let Some(s) = list.with_untracked(|l| l.get(i).cloned()) {
            spec.set(s.spec);
            status.set(format!("Opened '{}'.", s.name));
        }
    };
    let delete = move |i: usize| {
        let mut removed = None;
        list.update(|l| {
            if i < l.len() {
                removed = Some(l.remove(i));
            }
        });
        if let Some(s) = removed {
            status.set(format!("Deleted '{}'.", s.name));
            deleted.set(Some((i, s)));
            keep();
        }
    };
    let undo = move |_| {
        if let Some((i, s)) = deleted.get_untracked() {
            status.set(format!("'{}' is back.", s.name));
            list.update(|l| l.insert(i.min(l.len()), s));
            deleted.set(None);
            keep();
        }
    };
    let rename = move |i: usize, text: String| {
        list.update(|l| saved::rename(l, i, &text));
        keep();
    };
    let export = move |_| {
        let text = list.with_untracked(|l| saved::to_json(l));
        if let Err(why) = browser::download("layerlab-experiments.json", &text, "application/json") {
            status.set(format!("Not exported: {why}."));
        }
    };
    let download_spec = move |_| {
        let text = spec.with_untracked(json::to_json);
        if let Err(why) = browser::download("layerlab-spec.json", &text, "application/json") {
            status.set(format!("Not downloaded: {why}."));
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        leptos::task::spawn_local(async move {
            let outcome = browser::chosen_file(&input, MAX_FILE_BYTES).await.and_then(|(text, file)| {
                saved::read(&text, &file).map(|read| (read, file.clone())).map_err(|why| format!("{file} {why}"))
            });
            input.set_value("");
            let (read, file) = match outcome {
                Ok(ok) => ok,
                Err(why) => return status.set(format!("Not imported: {why}.")),
            };
            // A file of one spec opens it, as "Import" of a spec does in other tools.
            let single =
                (read.experiments.len() == 1 && read.problems.is_empty()).then(|| read.experiments[0].spec.clone());
            let count = read.experiments.len();
            let mut added = Ok(());
            list.update(|l| added = saved::add(l, read.experiments));
            let mut text = match &added {
                Ok(()) => format!("Imported {count} experiment{} from {file}.", if count == 1 { "" } else { "s" }),
                Err(why) => format!("Not imported: {why}."),
            };
            if !read.problems.is_empty() {
                text.push_str(&format!(" Left out: {}.", read.problems.join("; ")));
            }
            if let (Ok(()), Some(s)) = (&added, single) {
                spec.set(s);
                text.push_str(" It is open now.");
            }
            status.set(text);
            keep();
        });
    };
    let rows = move || {
        list.get()
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let label = format!("Name of saved experiment {}", i + 1);
                view! {
                    <li>
                        <input type="text" class="saved-name" aria-label=label value=s.name.clone()
                            on:change=move |ev| rename(i, event_target_value(&ev)) />
                        <button type="button" class="open-saved" aria-label=format!("Open {}", s.name) on:click=move |_| open(i)>"Open"</button>
                        <button type="button" class="delete-saved" aria-label=format!("Delete {}", s.name) on:click=move |_| delete(i)>"Delete"</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <details class="library" id="library">
            <summary title="Experiments kept in this browser: save, open, rename, delete, export and import them as JSON.">
                "Saved experiments " {move || format!("({})", list.with(Vec::len))}
            </summary>
            <div class="share-body">
                <div class="share-row">
                    <label for="save-name" class="sr-only">"Name for the experiment to save"</label>
                    <input type="text" id="save-name" placeholder=move || spec.with(saved::default_name)
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    <button type="button" id="save-experiment" on:click=save title="Keep the experiment on the page in this browser's list.">"Save"</button>
                </div>
                <ul id="saved-list" aria-label="Saved experiments">{rows}</ul>
                <p class="share-row">
                    <span id="library-status" role="status" aria-live="polite">{move || status.get()}</span>
                    <Show when=move || deleted.with(Option::is_some)>
                        <button type="button" id="undo-delete" on:click=undo>"Undo"</button>
                    </Show>
                </p>
                <div class="share-row">
                    <button type="button" id="export-saved" on:click=export title="Download the whole list as one JSON file, to keep or to import in another browser.">"Export list"</button>
                    <button type="button" id="download-spec" on:click=download_spec title="Download the experiment on the page as a spec JSON file, which `layerlab train` also reads.">"Download spec"</button>
                    <label for="import-file" title="Import a list exported from LayerLab (added to the list) or a spec JSON file (added and opened).">"Import JSON"</label>
                    <input type="file" id="import-file" accept=".json,application/json" on:change=import />
                </div>
            </div>
        </details>
    }
}
