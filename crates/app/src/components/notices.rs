//! Notices: things the page ignored or could not do, each in a sentence, each dismissible.

use leptos::prelude::*;

/// The list of notices under the header; empty when there are none.
#[component]
pub fn Notices(
    /// The sentences to show.
    notices: RwSignal<Vec<String>>,
) -> impl IntoView {
    view! {
        <section class="notices" aria-label="Notices" role="status" aria-live="polite">
            <For
                each=move || notices.get().into_iter().enumerate()
                key=|(i, text)| (*i, text.clone())
                children=move |(i, text)| {
                    view! {
                        <p class="notice">
                            <span>{text}</span>
                            <button
                                type="button"
                                aria-label="Dismiss this notice"
                                on:click=move |_| notices.update(|n| { if i < n.len() { n.remove(i); } })
                            >"×"</button>
                        </p>
                    }
                }
            />
        </section>
    }
}
