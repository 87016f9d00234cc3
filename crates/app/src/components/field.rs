//! One input for one field of a serde payload (a block's, a dataset's), by the field's type:
//! a number box, a checkbox, a choice, or a summary where it cannot be edited inline yet.

use std::sync::Arc;

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::experiment;
use crate::fields::{self, Field, FieldValue};

/// The problems a panel lists: the spec validation's about `path` (and inside it), then the
/// typed value that did not fit its field, if any, each as a list item.
pub fn problem_items(
    analysis: Memo<Result<layerlab_spec::Analysis, Vec<layerlab_spec::SpecError>>>,
    path: &'static str,
    typed: RwSignal<Option<String>>,
) -> impl Fn() -> AnyView + Send + Sync + Copy + 'static {
    move || {
        let mut list: Vec<String> = analysis.with(|a| match a {
            Ok(_) => Vec::new(),
            Err(p) => experiment::problems_at(p, path).iter().map(|e| e.to_string()).collect(),
        });
        list.extend(typed.get());
        list.into_iter().map(|t| view! { <li>{format!("⚠ {t}")}</li> }).collect_view().into_any()
    }
}

/// The inputs for the fields of `value`, a serde enum of variant `kind` (a dataset, a
/// schedule, an optimizer), but those named in `skip`, with ids `{prefix}-{key}`. An edit that
/// fits its field is handed to `apply` as the new value; one that does not (text in a number)
/// is said in `typed`, which an accepted edit clears.
pub fn payload_fields<T>(
    value: &T,
    kind: &str,
    prefix: &'static str,
    skip: &'static [&'static str],
    typed: RwSignal<Option<String>>,
    apply: impl Fn(T) + Clone + Send + Sync + 'static,
) -> AnyView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    fields::fields(value, kind)
        .into_iter()
        .filter(|field| !skip.contains(&field.key.as_str()))
        .map(|field| {
            let (value, kind, key, apply) = (value.clone(), kind.to_string(), field.key.clone(), apply.clone());
            let commit = move |raw: String| match fields::set_field(&value, &kind, &key, &raw) {
                Ok(next) => {
                    typed.set(None);
                    apply(next);
                }
                Err(message) => typed.set(Some(message)),
            };
            field_view(format!("{prefix}-{}", field.key), field, Arc::new(commit))
        })
        .collect_view()
        .into_any()
}

/// What a field's input does with the text the user commits.
pub type Commit = Arc<dyn Fn(String) + Send + Sync>;

/// The labelled input for `field`, with element id `id`; `commit` receives the new text when
/// the user commits a change (Enter, leaving the box, picking a choice). Not generic over the
/// commit: its six views were compiled once per caller (5.3 KB each).
pub fn field_view(id: String, field: Field, commit: Commit) -> AnyView {
    let label = field.key.replace('_', " ");
    match field.value {
        FieldValue::Whole(v) => view! {
            <label class="field-inline">{label} <input type="number" id=id min="0" step="1" value=v.to_string() on:change=move |ev| commit(event_target_value(&ev)) /></label>
        }
        .into_any(),
        FieldValue::Real(v) => view! {
            <label class="field-inline">{label} <input type="number" id=id step="any" value=format!("{}", v as f32) on:change=move |ev| commit(event_target_value(&ev)) /></label>
        }
        .into_any(),
        FieldValue::Flag(on) => view! {
            <label class="field-inline check">
                <input type="checkbox" id=id checked=on on:change=move |ev| commit(event_target_checked(&ev).to_string()) />
                {label}
            </label>
        }
        .into_any(),
        FieldValue::Text(v) => view! {
            <label class="field-inline">{label} <input type="text" id=id value=v on:change=move |ev| commit(event_target_value(&ev)) /></label>
        }
        .into_any(),
        FieldValue::Choice { value, options } => view! {
            <label class="field-inline">{label}
                <select id=id on:change=move |ev| commit(event_target_value(&ev))>
                    {options.into_iter().map(|o| view! { <option value=o.clone() selected=o == value>{o.replace('_', " ")}</option> }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
        FieldValue::Summary(text) => view! { <span class="field-inline summary">{format!("{label}: {text}")}</span> }.into_any(),
    }
}
