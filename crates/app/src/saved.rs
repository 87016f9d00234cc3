//! Saved experiments: the list a user keeps in this browser, renamed, deleted, exported and
//! imported as one JSON file. A file holding a single spec (the CLI's, or "Download spec")
//! imports as one experiment. Every spec read goes through the spec crate's decoder, so an
//! imported file is validated like a link. Pure, so it is tested natively.

use layerlab_spec::Spec;
use layerlab_spec::json;
use layerlab_spec::limits::MAX_JSON_BYTES;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The localStorage key of the list.
pub const SAVED_KEY: &str = "layerlab.saved";
/// What marks a file as a list of experiments (and its format's version).
pub const FORMAT: &str = "layerlab-experiments/1";
/// The most experiments a list keeps (localStorage holds a few megabytes).
pub const MAX_SAVED: usize = 200;
/// The longest name kept, in characters.
pub const MAX_NAME: usize = 80;
/// The largest file read: a full list of large specs.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// One saved experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub name: String,
    pub spec: Spec,
}

/// The list as a file: its format tag and the experiments, each spec written out in full.
#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    experiments: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    name: String,
    spec: Value,
}

/// The list as JSON (what is stored and what "Export" downloads).
pub fn to_json(list: &[Saved]) -> String {
    let experiments = list.iter().map(|s| Entry { name: s.name.clone(), spec: json::to_value(&s.spec) }).collect();
    serde_json::to_string_pretty(&File { format: FORMAT.to_string(), experiments }).expect("a list serializes")
}

/// What reading a file gave: the experiments that were valid, and a sentence for each that was not.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Read {
    pub experiments: Vec<Saved>,
    pub problems: Vec<String>,
}

/// Reads a file: a list in [`FORMAT`], or one spec (named `file_name` without `.json`).
/// `Err` when it is neither, with what would be valid.
pub fn read(text: &str, file_name: &str) -> Result<Read, String> {
    if text.len() > MAX_FILE_BYTES {
        return Err(format!("is {} bytes, beyond the limit of {MAX_FILE_BYTES} (MAX_FILE_BYTES)", text.len()));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let what = e.to_string();
        format!(
            "is not JSON ({}): export a list from LayerLab, or a spec",
            what.split(" at line").next().unwrap_or(&what)
        )
    })?;
    if value.get("format").is_none() {
        let name = file_name.trim_end_matches(".json");
        let spec = decode(&value).map_err(|p| format!("is not a valid spec: {p}"))?;
        return Ok(Read { experiments: vec![Saved { name: clean_name(name), spec }], problems: Vec::new() });
    }
    let file: File = serde_json::from_value(value)
        .map_err(|e| format!("is not a list of experiments ({e}): it needs \"format\" and \"experiments\""))?;
    if file.format != FORMAT {
        return Err(format!("is in the format '{}'; this version reads '{FORMAT}'", clean_name(&file.format)));
    }
    let mut read = Read::default();
    for (i, entry) in file.experiments.into_iter().enumerate() {
        match decode(&entry.spec) {
            Ok(spec) => read.experiments.push(Saved { name: clean_name(&entry.name), spec }),
            Err(problem) => {
                read.problems.push(format!("experiment {} ('{}') {problem}", i + 1, clean_name(&entry.name)))
            }
        }
    }
    Ok(read)
}

/// A spec from JSON, validated, through the one decoder that links and files share.
fn decode(value: &Value) -> Result<Spec, String> {
    let text = value.to_string();
    if text.len() > MAX_JSON_BYTES {
        return Err(format!("is {} bytes of JSON, beyond the limit of {MAX_JSON_BYTES} (MAX_JSON_BYTES)", text.len()));
    }
    json::from_json(&text).map(|d| d.spec).map_err(|problems| crate::share::describe(&problems))
}

/// The list stored in this browser (`stored`: the value under [`SAVED_KEY`]); a sentence when
/// some of it could not be read (never when nothing was stored).
pub fn restore(stored: Option<&str>) -> (Vec<Saved>, Option<String>) {
    match stored.map(|t| read(t, "")) {
        None => (Vec::new(), None),
        Some(Ok(read)) if read.problems.is_empty() => (read.experiments, None),
        Some(Ok(read)) => {
            let note = format!("Some saved experiments could not be restored: {}.", read.problems.join("; "));
            (read.experiments, Some(note))
        }
        Some(Err(problem)) => {
            (Vec::new(), Some(format!("The saved experiments could not be restored: the list {problem}.")))
        }
    }
}

/// Adds `new` to `list`, renaming a name already taken (`name (2)`); `Err` once the list is full.
pub fn add(list: &mut Vec<Saved>, new: Vec<Saved>) -> Result<(), String> {
    if list.len() + new.len() > MAX_SAVED {
        return Err(format!(
            "{} saved and {} more would exceed the limit of {MAX_SAVED} (MAX_SAVED): delete some first",
            list.len(),
            new.len()
        ));
    }
    for mut saved in new {
        saved.name = unique_name(list, &saved.name);
        list.push(saved);
    }
    Ok(())
}

/// Renames experiment `index`; an empty name keeps the old one.
pub fn rename(list: &mut [Saved], index: usize, name: &str) {
    let name = clean_name(name);
    if !name.is_empty() && index < list.len() {
        list[index].name = name;
    }
}

/// A name for the experiment `spec` when the user gives none: its dataset and blocks.
pub fn default_name(spec: &Spec) -> String {
    let blocks: Vec<&str> = spec.model.iter().map(|b| b.kind()).collect();
    clean_name(&format!("{}: {}", spec.data.dataset.name().replace('_', " "), blocks.join(", ")))
}

fn unique_name(list: &[Saved], name: &str) -> String {
    let name = if name.is_empty() { "experiment".to_string() } else { name.to_string() };
    let taken = |n: &str| list.iter().any(|s| s.name == n);
    (1..).map(|i| if i == 1 { name.clone() } else { format!("{name} ({i})") }).find(|n| !taken(n)).expect("a free name")
}

/// A name as kept: trimmed, without control characters, at most [`MAX_NAME`] characters.
fn clean_name(name: &str) -> String {
    name.trim().chars().filter(|c| !c.is_control()).take(MAX_NAME).collect()
}

#[cfg(test)]
mod tests {
    use layerlab_spec::json::to_json as spec_json;

    use super::*;
    use crate::experiment::starting_spec;

    fn saved(name: &str, seed: u64) -> Saved {
        let mut spec = starting_spec();
        spec.seed = seed;
        Saved { name: name.to_string(), spec }
    }

    #[test]
    fn a_list_round_trips_through_its_file() {
        let list = vec![saved("circle", 1), saved("spiral\u{7}", 2)];
        let read = read(&to_json(&list), "list.json").unwrap();
        assert_eq!(read.problems, Vec::<String>::new());
        assert_eq!(read.experiments[0], list[0]);
        assert_eq!(read.experiments[1].name, "spiral");
        assert_eq!(restore(Some(&to_json(&list))).0.len(), 2);
        assert_eq!(restore(None), (Vec::new(), None));
    }

    /// The file people read and edit writes a real as it was typed (`0.15`), not as the f32
    /// widened to f64 (`0.15000000596046448`).
    #[test]
    fn a_saved_experiment_writes_its_reals_short() {
        let mut list = vec![saved("noisy", 1)];
        list[0].spec.data.noise = 0.15;
        let text = to_json(&list);
        assert!(text.contains("\"noise\": 0.15\n") || text.contains("\"noise\": 0.15,"), "{text}");
        let reals = text.split(|c: char| !(c.is_ascii_digit() || ".e-".contains(c))).filter(|t| t.contains('.'));
        assert!(reals.clone().all(|t| t.len() <= 6), "{:?}", reals.collect::<Vec<_>>());
        assert_eq!(read(&text, "list.json").unwrap().experiments, list);
    }

    #[test]
    fn a_single_spec_imports_under_its_file_name() {
        let read = read(&spec_json(&saved("", 5).spec), "my run.json").unwrap();
        assert_eq!((read.experiments[0].name.as_str(), read.experiments[0].spec.seed), ("my run", 5));
    }

    /// (file text, a phrase the error must contain)
    const BROKEN: &[(&str, &str)] = &[
        ("{", "is not JSON"),
        ("[1, 2]", "is not a valid spec"),
        ("{\"model\": 3}", "is not a valid spec: model"),
        (
            "{\"format\": \"layerlab-experiments/9\", \"experiments\": []}",
            "this version reads 'layerlab-experiments/1'",
        ),
        ("{\"format\": \"layerlab-experiments/1\"}", "needs \"format\" and \"experiments\""),
    ];

    #[test]
    fn broken_files_say_what_is_wrong() {
        for &(text, phrase) in BROKEN {
            let error = read(text, "f.json").unwrap_err();
            assert!(error.contains(phrase), "{text}: {error}");
        }
        let huge = " ".repeat(MAX_FILE_BYTES + 1);
        assert!(read(&huge, "f").unwrap_err().contains("MAX_FILE_BYTES"));
    }

    #[test]
    fn invalid_entries_are_named_and_the_rest_kept() {
        let mut text: Value = serde_json::from_str(&to_json(&[saved("good", 1), saved("bad", 2)])).unwrap();
        text["experiments"][1]["spec"]["training"]["batch_size"] = Value::from(0);
        let read = read(&text.to_string(), "f").unwrap();
        assert_eq!(read.experiments.len(), 1);
        assert!(read.problems[0].starts_with("experiment 2 ('bad') training.batch_size"), "{:?}", read.problems);
        let (list, note) = restore(Some(&text.to_string()));
        assert_eq!(list.len(), 1);
        assert!(note.unwrap().contains("experiment 2 ('bad')"));
        assert!(restore(Some("garbage")).1.unwrap().contains("is not JSON"));
    }

    #[test]
    fn names_stay_unique_short_and_the_list_bounded() {
        let mut list = Vec::new();
        add(&mut list, vec![saved("a", 1), saved("a", 2), saved("", 3)]).unwrap();
        let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "a (2)", "experiment"]);
        rename(&mut list, 0, "  ");
        rename(&mut list, 9, "x");
        rename(&mut list, 1, &"n".repeat(500));
        assert_eq!((list[0].name.as_str(), list[1].name.chars().count()), ("a", MAX_NAME));
        let full: Vec<Saved> = (0..MAX_SAVED).map(|i| saved("x", i as u64)).collect();
        assert!(add(&mut list, full).unwrap_err().contains("MAX_SAVED"));
        assert_eq!(list.len(), 3);
        assert_eq!(default_name(&starting_spec()), "circle: dense, dense");
    }
}
