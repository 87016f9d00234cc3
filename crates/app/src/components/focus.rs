//! Keeping the keyboard focus where the user was after a list is drawn anew.

/// Focuses the element with `id` on the next animation frame (after the view updated).
pub fn refocus(id: String) {
    leptos::prelude::request_animation_frame(move || {
        let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&id));
        if let Some(element) = element.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
            let _ = element.focus();
        }
    });
}
