//! Which experiment the page opens with: the link's, else the one autosaved in this browser,
//! else the starting one. A link that does not open leaves the autosave alone and is kept, with
//! the reason, for the user to fix. Pure, so it is tested natively; the spec crate reads links.

use layerlab_spec::{Spec, SpecError, link};

use crate::experiment::starting_spec;

/// The localStorage key of the autosaved experiment: its link fragment (`v1.…`).
pub const AUTOSAVE_KEY: &str = "layerlab.experiment";

/// A link that did not open: the text as it came, and why, in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct BadLink {
    pub link: String,
    pub problem: String,
}

/// Where the opening experiment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The link in the address.
    Link,
    /// What this browser autosaved.
    Autosave,
    /// The starting experiment (no link, nothing saved, or a link that did not open).
    Start,
}

/// The experiment to open, where it came from, and what the page should say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    pub spec: Spec,
    pub source: Source,
    /// Sentences for the notices (fields a link carried that this version ignores…).
    pub notices: Vec<String>,
    /// Set when the address held a link that did not open.
    pub bad_link: Option<BadLink>,
}

/// Opens `fragment` (`location.hash`, with or without `#`; empty when there is none), falling
/// back on `autosaved` (the value under [`AUTOSAVE_KEY`]) only when there is no link at all.
pub fn open(fragment: &str, autosaved: Option<&str>) -> Opening {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment).trim();
    if !fragment.is_empty() {
        return match link::decode(fragment) {
            Ok(decoded) => Opening {
                spec: decoded.spec,
                source: Source::Link,
                notices: decoded.warnings.iter().map(|w| format!("The link's experiment opened; it {w}.")).collect(),
                bad_link: None,
            },
            Err(problems) => Opening {
                spec: starting_spec(),
                source: Source::Start,
                notices: Vec::new(),
                bad_link: Some(BadLink { link: fragment.to_string(), problem: link_problem(&problems) }),
            },
        };
    }
    match autosaved.map(link::decode) {
        Some(Ok(decoded)) => {
            Opening { spec: decoded.spec, source: Source::Autosave, notices: Vec::new(), bad_link: None }
        }
        Some(Err(problems)) => Opening {
            spec: starting_spec(),
            source: Source::Start,
            notices: vec![format!(
                "The experiment this browser saved could not be restored ({}); the starting experiment is open instead.",
                link_problem(&problems)
            )],
            bad_link: None,
        },
        None => Opening { spec: starting_spec(), source: Source::Start, notices: Vec::new(), bad_link: None },
    }
}

/// What is wrong with a link, as a sentence that starts "The link": the link itself (cut,
/// altered, another version), or the experiment it carries, with the first few problems.
pub fn link_problem(problems: &[SpecError]) -> String {
    match problems {
        [only] if only.path == "link" => format!("The link {}", only.message),
        _ => format!("The link's experiment is not valid: {}", describe(problems)),
    }
}

/// A few problems in a sentence, each with its path.
pub fn describe(problems: &[SpecError]) -> String {
    const SHOWN: usize = 3;
    let mut text = problems.iter().take(SHOWN).map(ToString::to_string).collect::<Vec<_>>().join("; ");
    if problems.len() > SHOWN {
        text.push_str(&format!(" (and {} more)", problems.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use layerlab_spec::model::Block;

    use super::*;

    fn changed() -> Spec {
        let mut spec = starting_spec();
        spec.seed = 7;
        spec.model.push(Block::defaults().into_iter().find(|b| b.kind() == "norm").unwrap());
        spec
    }

    #[test]
    fn a_link_wins_over_the_autosave_and_round_trips() {
        let saved = link::encode(&starting_spec());
        let opening = open(&format!("#{}", link::encode(&changed())), Some(&saved));
        assert_eq!((opening.spec, opening.source, opening.bad_link), (changed(), Source::Link, None));
        let restored = open("", Some(&link::encode(&changed())));
        assert_eq!((restored.spec, restored.source), (changed(), Source::Autosave));
        let fresh = open("#", None);
        assert_eq!((fresh.spec, fresh.source, fresh.notices.len()), (starting_spec(), Source::Start, 0));
    }

    /// (fragment, a phrase its problem must contain)
    const BAD: &[(&str, &str)] = &[
        ("v1.", "does not unpack"),
        ("v3.abc", "newer LayerLab"),
        ("hello", "should start with 'v2.'"),
        ("%3Cscript%3Ealert(1)%3C/script%3E", "not a LayerLab link"),
        ("v1.@@@@", "not base64url"),
    ];

    #[test]
    fn a_bad_link_opens_the_start_says_why_and_keeps_the_text() {
        for &(text, phrase) in BAD {
            let opening = open(text, Some(&link::encode(&changed())));
            assert_eq!((&opening.spec, opening.source), (&starting_spec(), Source::Start), "{text}");
            let bad = opening.bad_link.expect(text);
            assert_eq!(bad.link, text);
            assert!(bad.problem.contains(phrase), "{text}: {}", bad.problem);
        }
        // A link that decodes to an invalid spec names the field and the limit.
        let mut absurd = starting_spec();
        if let Block::Dense(d) = &mut absurd.model[0] {
            d.units = 1_000_000_000;
        }
        let bad = open(&link::encode(&absurd), None).bad_link.unwrap();
        assert!(bad.problem.starts_with("The link's experiment is not valid: model[0].units"), "{}", bad.problem);
    }

    #[test]
    fn an_unreadable_autosave_is_reported_and_the_start_opens() {
        let opening = open("", Some("v9.zzz"));
        assert_eq!((opening.source, opening.bad_link), (Source::Start, None));
        assert!(
            opening.notices[0].contains("could not be restored (The link was made by a newer LayerLab"),
            "{:?}",
            opening.notices
        );
    }

    #[test]
    fn many_problems_are_cut_to_three() {
        let problems: Vec<SpecError> = (0..5).map(|i| SpecError::new(format!("model[{i}]"), "x")).collect();
        assert_eq!(describe(&problems), "model[0] x; model[1] x; model[2] x (and 2 more)");
    }
}
