//! The page's options from the URL query and the saved settings. Pure functions, so they are
//! tested natively; the page passes in `location.search` and what localStorage holds.
//!
//! Unknown or malformed parameters never break the page: each becomes a notice that names what
//! was wrong and what would be valid.

use layerlab_worker::BackendChoice;

/// The localStorage key of the backend setting: `"cpu"`, `"webgpu"` or `"auto"` (the older
/// "Force CPU" setting saved `"1"` for the CPU and `"0"` otherwise; both still read).
pub const BACKEND_KEY: &str = "layerlab.force-cpu";

/// The URL parameters the page understands, with their valid values, for messages.
pub const KNOWN_PARAMETERS: &str = "backend=cpu, backend=auto or backend=webgpu";

/// What the query string asks of the page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageOptions {
    /// `backend=cpu` forces the CPU, `backend=auto` lets the page choose, `backend=webgpu` trains
    /// on any WebGPU adapter, a software one included; absent: the setting.
    pub backend: Option<BackendChoice>,
    /// One sentence for each parameter that was ignored, and why.
    pub notices: Vec<String>,
}

/// Reads a query string (`location.search`, with or without its leading `?`).
pub fn parse_query(search: &str) -> PageOptions {
    let mut options = PageOptions::default();
    let query = search.strip_prefix('?').unwrap_or(search);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "backend" => match value.trim().to_ascii_lowercase().as_str() {
                "cpu" => options.backend = Some(BackendChoice::Cpu),
                "auto" => options.backend = Some(BackendChoice::Auto),
                "webgpu" | "gpu" => options.backend = Some(BackendChoice::WebGpu),
                _ => options.notices.push(format!("Ignored backend={}: use {KNOWN_PARAMETERS}.", shorten(&value))),
            },
            "" => {}
            other => options.notices.push(format!(
                "Ignored the unknown URL parameter '{}': this page understands {KNOWN_PARAMETERS}.",
                shorten(other)
            )),
        }
    }
    options
}

/// The backend choice saved in the settings (`BACKEND_KEY`'s value, if any).
pub fn saved_choice(saved: Option<&str>) -> BackendChoice {
    match saved {
        Some("1" | "cpu") => BackendChoice::Cpu,
        Some("webgpu") => BackendChoice::WebGpu,
        _ => BackendChoice::Auto,
    }
}

/// The value to save for a choice (also the option's value in the backend picker).
pub fn saved_value(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::Cpu => "cpu",
        BackendChoice::Auto => "auto",
        BackendChoice::WebGpu => "webgpu",
    }
}

/// Cuts user-supplied text to a length fit for a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (query, expected backend, expected number of notices, text every notice must contain)
    const CASES: &[(&str, Option<BackendChoice>, usize, &str)] = &[
        ("", None, 0, ""),
        ("?", None, 0, ""),
        ("?backend=cpu", Some(BackendChoice::Cpu), 0, ""),
        ("backend=CPU", Some(BackendChoice::Cpu), 0, ""),
        ("?backend=auto", Some(BackendChoice::Auto), 0, ""),
        ("?backend=webgpu", Some(BackendChoice::WebGpu), 0, ""),
        ("?backend=tpu", None, 1, "backend=cpu, backend=auto or backend=webgpu"),
        ("?foo=1&backend=cpu", Some(BackendChoice::Cpu), 1, "'foo'"),
        ("?%ZZ=%%&&=x&a", None, 2, "unknown URL parameter"),
        ("?backend=%E2%82%AC", None, 1, "backend=€"),
    ];

    #[test]
    fn query_strings_give_the_documented_options() {
        for &(query, backend, notices, needle) in CASES {
            let options = parse_query(query);
            assert_eq!(options.backend, backend, "backend for {query:?}");
            assert_eq!(options.notices.len(), notices, "notices for {query:?}: {:?}", options.notices);
            assert!(options.notices.iter().all(|n| n.contains(needle)), "{query:?}: {:?}", options.notices);
        }
    }

    #[test]
    fn huge_parameters_are_cut_in_messages() {
        let query = format!("?{}=1", "x".repeat(100_000));
        let options = parse_query(&query);
        assert_eq!(options.notices.len(), 1);
        assert!(options.notices[0].len() < 200, "{}", options.notices[0]);
    }

    #[test]
    fn the_saved_setting_round_trips() {
        for choice in [BackendChoice::Auto, BackendChoice::Cpu, BackendChoice::WebGpu] {
            assert_eq!(saved_choice(Some(saved_value(choice))), choice);
        }
        // What the "Force CPU" checkbox saved before.
        assert_eq!(saved_choice(Some("1")), BackendChoice::Cpu);
        assert_eq!(saved_choice(Some("0")), BackendChoice::Auto);
        assert_eq!(saved_choice(None), BackendChoice::Auto);
        assert_eq!(saved_choice(Some("garbage")), BackendChoice::Auto);
    }
}
