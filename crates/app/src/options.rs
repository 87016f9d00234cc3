//! The page's options from the URL query and the saved settings. Pure functions, so they are
//! tested natively; the page passes in `location.search` and what localStorage holds. The query
//! holds how the page looks (backend, hidden parts, embedding); the experiment itself is in the
//! fragment, which only the spec crate reads.
//!
//! Unknown or malformed parameters never break the page: each becomes a notice that names what
//! was wrong and what would be valid.

use layerlab_protocol::BackendChoice;

use crate::parts;

/// The localStorage key of the backend setting: `"cpu"`, `"webgpu"` or `"auto"` (the older
/// "Force CPU" setting saved `"1"` for the CPU and `"0"` otherwise; both still read).
pub const BACKEND_KEY: &str = "layerlab.force-cpu";

/// The URL parameters the page understands, with their valid values, for messages.
pub const KNOWN_PARAMETERS: &str =
    "backend=cpu, backend=auto or backend=webgpu; hide=<parts>; embed=<panels> (parts and panels separated by commas)";

/// What the query string asks of the page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageOptions {
    /// `backend=cpu` forces the CPU, `backend=auto` lets the page choose, `backend=webgpu` trains
    /// on any WebGPU adapter, a software one included; absent: the setting.
    pub backend: Option<BackendChoice>,
    /// `hide=seed,rule`: parts of the page a classroom link hides ([`parts::PARTS`] names).
    pub hide: Vec<&'static str>,
    /// `embed=output,controls`: the only panels an embedded page shows (empty: not embedded).
    pub embed: Vec<&'static str>,
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
            "hide" => options.hide = part_list(&value, false, "hide", &mut options.notices),
            "embed" => options.embed = part_list(&value, true, "embed", &mut options.notices),
            "" => {}
            other => options.notices.push(format!(
                "Ignored the unknown URL parameter '{}': this page understands {KNOWN_PARAMETERS}.",
                shorten(other)
            )),
        }
    }
    options
}

/// The parts named in a `hide=` or `embed=` value; a sentence in `notices` for each unknown name.
fn part_list(value: &str, panels_only: bool, key: &str, notices: &mut Vec<String>) -> Vec<&'static str> {
    let mut list = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match parts::part(name) {
            Some(p) if p.panel || !panels_only => {
                if !list.contains(&p.name) {
                    list.push(p.name);
                }
            }
            _ => notices.push(format!(
                "Ignored '{}' in {key}=: the {} are {}.",
                shorten(name),
                if panels_only { "panels a page can embed" } else { "parts a link can hide" },
                parts::names(panels_only)
            )),
        }
    }
    list
}

impl PageOptions {
    /// Every part this page hides: those named by `hide=`, and the panels an embedding leaves out.
    pub fn hidden(&self) -> Vec<&'static str> {
        let mut hidden = self.hide.clone();
        if !self.embed.is_empty() {
            hidden.extend(parts::hidden_by_embedding(&self.embed).into_iter().filter(|p| !self.hide.contains(p)));
        }
        hidden
    }

    /// The query string (with its `?`, or empty) that gives these options back.
    pub fn query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(choice) = self.backend {
            query.append_pair("backend", saved_value(choice));
        }
        for (key, list) in [("hide", &self.hide), ("embed", &self.embed)] {
            if !list.is_empty() {
                query.append_pair(key, &list.join(","));
            }
        }
        let query = query.finish();
        if query.is_empty() { query } else { format!("?{query}") }
    }
}

/// The link to share: the page's address (`base`, without query or fragment), `options` as its
/// query, and the experiment's link fragment.
pub fn share_url(base: &str, options: &PageOptions, fragment: &str) -> String {
    format!("{base}{}#{fragment}", options.query())
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
        ("?hide=seed,rule&embed=output", None, 0, ""),
        ("?hide=seed,<script>", None, 1, "'<script>' in hide=: the parts a link can hide are header, share"),
        ("?embed=output,seed", None, 1, "'seed' in embed=: the panels a page can embed are header"),
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
    fn hidden_parts_and_embedding_round_trip_through_the_share_link() {
        let options = parse_query("?backend=cpu&hide=seed,%20rule,seed&embed=output,controls");
        assert_eq!(
            (options.hide.as_slice(), options.embed.as_slice()),
            (&["seed", "rule"][..], &["output", "controls"][..])
        );
        assert_eq!(options.hidden(), ["seed", "rule", "header", "share", "recipe", "data", "architecture", "compare"]);
        let url = share_url("http://127.0.0.1:8080/", &options, "v1.abc");
        assert_eq!(url, "http://127.0.0.1:8080/?backend=cpu&hide=seed%2Crule&embed=output%2Ccontrols#v1.abc");
        let query = url.split_once('?').unwrap().1.split_once('#').unwrap().0;
        assert_eq!(parse_query(query), PageOptions { notices: Vec::new(), ..options });
        assert_eq!(share_url("https://x.org/lab/", &PageOptions::default(), "v1.z"), "https://x.org/lab/#v1.z");
        assert!(parse_query("?hide=seed").hidden() == ["seed"]);
    }

    #[test]
    fn huge_parameters_are_cut_in_messages() {
        let query = format!("?{}=1", "x".repeat(100_000));
        let options = parse_query(&query);
        assert_eq!(options.notices.len(), 1);
        assert!(options.notices[0].len() < 300, "{}", options.notices[0]);
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
