//! The parts of the page a link can hide (`?hide=seed,rule`, TensorFlow Playground's classroom
//! links) or show alone (`?embed=output`, for a course page). Every hideable element carries
//! `data-part="<name>"`; hiding is one style rule built from these names only, so nothing from
//! the URL reaches the page's CSS or markup.

/// A part of the page: its name in links, and what it is, for the share panel's checkboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub name: &'static str,
    pub label: &'static str,
    /// A whole panel (what `?embed=` chooses among); otherwise one control.
    pub panel: bool,
}

const fn panel(name: &'static str, label: &'static str) -> Part {
    Part { name, label, panel: true }
}

const fn control(name: &'static str, label: &'static str) -> Part {
    Part { name, label, panel: false }
}

/// Every part, panels first, in the page's order.
pub const PARTS: [Part; 21] = [
    panel("header", "the top bar (name, backend, worker)"),
    panel("share", "sharing and saved experiments"),
    panel("controls", "the training bar"),
    panel("recipe", "more training settings"),
    panel("data", "the data panel"),
    panel("architecture", "the architecture panel"),
    panel("output", "the output panel"),
    panel("compare", "presets and comparison"),
    control("backend", "the backend setting"),
    control("reset", "Reset"),
    control("play", "Play and Pause"),
    control("step", "Step"),
    control("speed", "the speed"),
    control("learning-rate", "the learning rate"),
    control("optimizer", "the optimizer"),
    control("batch-size", "the batch size"),
    control("l2", "L2"),
    control("rule", "the learning rule"),
    control("seed", "the seed"),
    control("dataset", "the dataset and its settings"),
    control("palette", "adding blocks"),
];

/// The part named `name`.
pub fn part(name: &str) -> Option<&'static Part> {
    PARTS.iter().find(|p| p.name == name)
}

/// The names of every part, for messages.
pub fn names(panels_only: bool) -> String {
    PARTS.iter().filter(|p| p.panel || !panels_only).map(|p| p.name).collect::<Vec<_>>().join(", ")
}

/// The parts hidden when a page embeds only `shown` (panels): every other panel.
pub fn hidden_by_embedding(shown: &[&'static str]) -> Vec<&'static str> {
    PARTS.iter().filter(|p| p.panel && !shown.contains(&p.name)).map(|p| p.name).collect()
}

/// The layout of an embedded page: the panels it shows share the width.
pub const EMBEDDED_CSS: &str = ".playground{grid-template-columns:repeat(auto-fit,minmax(18rem,1fr))}";

/// The style rule that hides `hidden` (names from [`PARTS`]; others are skipped); empty when
/// nothing is hidden.
pub fn hiding_css(hidden: &[&str]) -> String {
    let selectors: Vec<String> =
        PARTS.iter().filter(|p| hidden.contains(&p.name)).map(|p| format!("[data-part=\"{}\"]", p.name)).collect();
    if selectors.is_empty() { String::new() } else { format!("{}{{display:none !important}}", selectors.join(",")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_safe_in_a_selector() {
        for (i, p) in PARTS.iter().enumerate() {
            assert!(p.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}", p.name);
            assert!(PARTS[..i].iter().all(|q| q.name != p.name), "{} twice", p.name);
        }
        assert_eq!(part("seed").map(|p| p.panel), Some(false));
        assert!(part("<style>").is_none());
    }

    #[test]
    fn hiding_and_embedding_name_the_parts() {
        assert_eq!(hiding_css(&[]), "");
        assert_eq!(hiding_css(&["seed", "nonsense"]), "[data-part=\"seed\"]{display:none !important}");
        assert_eq!(
            hidden_by_embedding(&["output", "controls"]),
            ["header", "share", "recipe", "data", "architecture", "compare"]
        );
        assert!(names(true).starts_with("header, share") && !names(true).contains("seed"));
    }
}
