//! The user's own CSV file: chosen here, read through by the worker (every cell checked, the
//! first mistake named by row and column), shown as its first rows, with the target column to
//! pick; the task (classes or regression) follows from what the column holds.

use layerlab_protocol::CsvSummary;
use layerlab_protocol::WorkerInput;
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use leptos::prelude::*;

use super::app::Sender;
use crate::browser;

/// The largest CSV file the page reads (100,000 rows of a few dozen columns).
pub const MAX_CSV_BYTES: usize = 64 * 1024 * 1024;

/// The CSV file as the page knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvFile {
    pub name: String,
    /// What the worker read, once it accepted the file.
    pub summary: Option<CsvSummary>,
    /// Why the last file chosen cannot be used.
    pub problem: Option<String>,
}

/// The dataset that trains on `file` with the column `target` (by index) as the target.
pub fn csv_dataset(file: &CsvFile, target: usize) -> Option<Dataset> {
    file.summary.as_ref().map(|s| Dataset::Csv(s.reference(&file.name, target)))
}

/// The target column `spec` picks in `file` (by name), or the last column.
pub fn target_index(spec: &Spec, file: &CsvFile) -> usize {
    let columns = file.summary.as_ref().map_or(&[][..], |s| &s.columns[..]);
    match &spec.data.dataset {
        Dataset::Csv(c) if c.name == file.name => columns.iter().position(|n| *n == c.target),
        _ => None,
    }
    .unwrap_or(columns.len().saturating_sub(1))
}

#[component]
pub fn CsvUpload(spec: RwSignal<Spec>, file: RwSignal<CsvFile>, sender: Sender) -> impl IntoView {
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        leptos::task::spawn_local(async move {
            match browser::chosen_file(&input, MAX_CSV_BYTES).await {
                Ok((text, name)) => sender.send(WorkerInput::Csv { name, text }),
                Err(why) => file.update(|f| f.problem = Some(format!("The file cannot be used: {why}."))),
            }
            input.set_value("");
        });
    };
    let in_use = move || {
        let name = file.with(|f| f.name.clone());
        spec.with(|s| matches!(&s.data.dataset, Dataset::Csv(c) if c.name == name))
            && file.with(|f| f.summary.is_some())
    };
    let pick_target = move |ev| {
        if let Ok(i) = event_target_value(&ev).parse::<usize>()
            && let Some(dataset) = file.with_untracked(|f| csv_dataset(f, i))
        {
            spec.update(|s| s.data.dataset = dataset);
        }
    };
    let described = move || {
        file.with(|f| {
            f.summary.as_ref().map(|s| format!("{}: {} rows of {} columns.", f.name, s.rows, s.columns.len()))
        })
    };
    let task = move || {
        spec.with(|s| match &s.data.dataset {
            Dataset::Csv(c) => match c.task {
                layerlab_spec::data::CsvTask::Classes { classes } => {
                    format!(
                        "Task: classification into {classes} classes (the target holds whole numbers from 0 to {}).",
                        classes - 1
                    )
                }
                layerlab_spec::data::CsvTask::Regression => {
                    "Task: regression (the target holds other numbers than classes 0, 1, 2…).".to_string()
                }
            },
            _ => String::new(),
        })
    };
    let preview = move || {
        file.with(|f| {
            let summary = f.summary.clone()?;
            let head = summary.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view();
            let rows = summary
                .preview
                .iter()
                .map(|row| view! { <tr>{row.iter().map(|v| view! { <td>{v.to_string()}</td> }).collect_view()}</tr> })
                .collect_view();
            Some(view! {
                <table id="csv-preview" class="csv-preview">
                    <caption>{format!("The first {} rows", summary.preview.len())}</caption>
                    <thead><tr>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })
        })
    };
    view! {
        <div class="csv" data-part="dataset">
            <label for="csv-file" title="A table of numbers with a header row of column names: one column is the target, every other an input. Training standardises the inputs.">"Your own data (CSV)"</label>
            <input type="file" id="csv-file" accept=".csv,text/csv" on:change=choose />
            <p id="csv-problem" class="problems" role="alert">{move || file.with(|f| f.problem.clone())}</p>
            <Show when=in_use>
                <p id="csv-summary">{described}</p>
                <label for="csv-target">"Target column"</label>
                <select id="csv-target" prop:value=move || spec.with(|s| file.with(|f| target_index(s, f).to_string())) on:change=pick_target
                    title="The column the network learns to predict; the others are its inputs.">
                    {move || file.with(|f| f.summary.as_ref().map(|s| s.columns.iter().enumerate().map(|(i, c)| view! { <option value=i.to_string()>{c.clone()}</option> }).collect_view()))}
                </select>
                <p id="csv-task">{task}</p>
                {preview}
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use layerlab_spec::data::CsvTask;

    use super::*;

    fn file() -> CsvFile {
        let summary = CsvSummary {
            columns: vec!["a".into(), "kind".into(), "size".into()],
            rows: 10,
            preview: Vec::new(),
            classes: vec![None, Some(3), None],
        };
        CsvFile { name: "f.csv".into(), summary: Some(summary), problem: None }
    }

    #[test]
    fn the_target_column_decides_the_task_and_is_found_again() {
        let mut spec = Spec::default();
        assert_eq!(target_index(&spec, &file()), 2, "the last column by default");
        spec.data.dataset = csv_dataset(&file(), 1).unwrap();
        let Dataset::Csv(c) = &spec.data.dataset else { unreachable!() };
        assert_eq!((c.inputs, c.target.as_str(), c.task), (2, "kind", CsvTask::Classes { classes: 3 }));
        assert_eq!(target_index(&spec, &file()), 1);
        spec.data.dataset = csv_dataset(&file(), 2).unwrap();
        assert!(matches!(&spec.data.dataset, Dataset::Csv(c) if c.task == CsvTask::Regression));
        assert!(csv_dataset(&CsvFile::default(), 0).is_none());
    }
}
