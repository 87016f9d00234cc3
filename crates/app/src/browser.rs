//! The few browser services the page uses beyond the DOM: the address, localStorage, the
//! clipboard, downloads and reading a chosen file. Each degrades to a clear `Err` (or nothing)
//! where the browser refuses, so the page works the same without them.

use leptos::prelude::window;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The address's fragment, without its `#` (empty when there is none).
pub fn fragment() -> String {
    let hash = window().location().hash().unwrap_or_default();
    hash.strip_prefix('#').unwrap_or(&hash).to_string()
}

/// The address's query string, with its `?` (empty when there is none).
pub fn query() -> String {
    window().location().search().unwrap_or_default()
}

/// The address without query and fragment: where a shared link points.
pub fn base() -> String {
    let location = window().location();
    format!("{}{}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default())
}

/// Puts `fragment` in the address without a new history entry (and without a `hashchange`).
pub fn set_fragment(fragment: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
}

/// Reads a saved value; `None` where storage is unavailable (private mode, sandboxed frames).
pub fn storage_get(key: &str) -> Option<String> {
    window().local_storage().ok().flatten()?.get_item(key).ok().flatten()
}

/// Saves a value; `Err` with a sentence where storage is unavailable or full.
pub fn storage_set(key: &str, value: &str) -> Result<(), String> {
    let storage = window()
        .local_storage()
        .ok()
        .flatten()
        .ok_or("this browser keeps no local storage for the page (private mode or a sandboxed frame)")?;
    storage
        .set_item(key, value)
        .map_err(|_| "the browser's storage for this page is full: delete some saved experiments".to_string())
}

/// Copies `text` to the clipboard; `Err` where the browser does not allow it.
pub async fn copy(text: &str) -> Result<(), String> {
    let promise = window().navigator().clipboard().write_text(text);
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| "the browser did not allow copying".to_string())
}

/// Offers `text` as a file called `name` to download.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), String> {
    download_bytes(name, text.as_bytes(), mime)
}

/// Offers `bytes` as a file called `name`.
pub fn download_bytes(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let failed = |_| format!("the browser did not offer {name} for download");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let saved = save_url(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
    saved
}

/// Offers what the canvas `id` shows as a PNG file called `name`; `Err` when the page has no
/// such canvas or does not show it now.
pub fn download_picture(id: &str, name: &str) -> Result<(), String> {
    let canvas: web_sys::HtmlCanvasElement = window()
        .document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into().ok())
        .ok_or("this experiment has no such picture")?;
    if canvas.offset_parent().is_none() {
        return Err("this experiment does not show that picture".to_string());
    }
    let url = canvas.to_data_url().map_err(|_| format!("the browser did not give {name}"))?;
    save_url(name, &url)
}

/// Follows `url` as a download called `name`.
fn save_url(name: &str, url: &str) -> Result<(), String> {
    let failed = || format!("the browser did not offer {name} for download");
    let document = window().document().ok_or_else(failed)?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|_| failed())?.dyn_into().map_err(|_| failed())?;
    anchor.set_href(url);
    anchor.set_download(name);
    anchor.click();
    Ok(())
}

/// The text and name of the first file chosen in a file input, if it is at most `max_bytes`.
pub async fn chosen_file(input: &web_sys::HtmlInputElement, max_bytes: usize) -> Result<(String, String), String> {
    let file = input.files().and_then(|f| f.get(0)).ok_or("no file was chosen")?;
    let name = file.name();
    if file.size() > max_bytes as f64 {
        return Err(format!("{name} is {} bytes, beyond the limit of {max_bytes}", file.size()));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{name} could not be read"))?;
    Ok((text.as_string().ok_or_else(|| format!("{name} is not text"))?, name))
}
