//! One input for one field of a serde payload (a block's, a dataset's), by the field's type:
//! a number box, a checkbox, a choice, or a summary where it cannot be edited inline yet.

use leptos::prelude::*;

use crate::fields::{Field, FieldValue};

/// The labelled input for `field`, with element id `id`; `commit` receives the new text when
/// the user commits a change (Enter, leaving the box, picking a choice).
pub fn field_view(id: String, field: Field, commit: impl Fn(String) + Clone + Send + Sync + 'static) -> AnyView {
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
