//! The spec as JSON: pretty and complete for files people edit, and the one decoder that both
//! files and links go through (bounded, with the path of any error, and unknown fields reported).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::analysis::{Analysis, analyse};
use crate::error::SpecError;
use crate::limits::MAX_JSON_BYTES;
use crate::spec::Spec;

/// A spec read from a file or link, with what it amounts to and what was ignored on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub spec: Spec,
    pub analysis: Analysis,
    /// Fields this version does not know, which were ignored (`data.colour`), each a sentence.
    pub warnings: Vec<String>,
}

/// Every field written out, indented: a file to read and edit.
pub fn to_json(spec: &Spec) -> String {
    serde_json::to_string_pretty(spec).expect("a spec always serializes")
}

/// Reads a spec from JSON text and validates it. Missing fields take their defaults; unknown
/// fields are ignored and named in the warnings; anything else wrong is an error with its path.
pub fn from_json(text: &str) -> Result<Decoded, Vec<SpecError>> {
    if text.len() > MAX_JSON_BYTES {
        return Err(vec![SpecError::new(
            "",
            format!("is {} bytes of JSON, beyond the limit of {MAX_JSON_BYTES} (MAX_JSON_BYTES)", text.len()),
        )]);
    }
    let (spec, warnings) = parse(text).map_err(|e| vec![e])?;
    let analysis = analyse(&spec)?;
    Ok(Decoded { spec, analysis, warnings })
}

/// Parses without validating: the spec and the unknown fields it carried.
pub fn parse(text: &str) -> Result<(Spec, Vec<String>), SpecError> {
    // Text to a `Value`, then the one decoder below: serde's code for every part of the spec is
    // compiled once, for `Value`, not again for text (the page's wasm: 21 KB less gzipped). The
    // text is read with its path tracked too, so a syntax error names where it is (`data.noise`).
    decode(&value_from_text(text)?)
}

/// JSON text as a value, any size; a syntax error names where it is (`data.noise`).
pub fn value_from_text(text: &str) -> Result<Value, SpecError> {
    let mut json = serde_json::Deserializer::from_str(text);
    let value: Value = serde_path_to_error::deserialize(&mut json).map_err(|e| at_path(&e))?;
    json.end().map_err(|e| SpecError::new("", describe(&e)))?;
    Ok(value)
}

/// Reads a spec, or a part of one (a block, a dataset), from a JSON value, as [`parse`] does:
/// missing fields take their defaults, unknown fields are ignored and named in the warnings
/// (at most 20), and any other mistake is an error with its path (`model[2].units`).
pub fn decode<T: DeserializeOwned + Serialize>(value: &Value) -> Result<(T, Vec<String>), SpecError> {
    let decoded: T = read(value)?;
    // The unknown fields are those of the value that the decoded part, written out again, does
    // not have: every field is written out (but an absent `refine`, which a `null` stands for).
    // This reuses the serializer the page needs anyway, where a deserializer that tracks what it
    // skips (serde_ignored) compiled every part's decoder a second time: 12 KB of the page's
    // wasm, gzipped (measured by hand, relaxed build).
    let written = serde_json::to_value(&decoded).map_err(|e| SpecError::new("", e.to_string()))?;
    let mut ignored = Vec::new();
    unknown_fields(value, &written, &mut Vec::new(), &mut ignored);
    Ok((decoded, ignored))
}

/// Reads a part as [`decode`] does, without looking for unknown fields: for values this program
/// wrote itself (the page's messages to its worker). Every decode goes through here, so serde's
/// code for each part is compiled once, for one deserializer (a borrowed value). Serde's errors
/// from a value name no place: [`locate`] finds it.
pub fn read<T: DeserializeOwned>(value: &Value) -> Result<T, SpecError> {
    T::deserialize(value).map_err(|e| SpecError::new(locate::<T>(value), describe(&e)))
}

/// How many parts of a value the search for a mistake may decode, over all its trials.
const TRIAL_NODES: usize = 100_000;

/// Where the mistake is that stops `value` decoding as a `T`: the deepest part whose removal
/// lets the whole decode (a field removed takes its default, an item leaves its list), looking
/// through a one-field object (a block's kind, `{"dense": {…}}`) into what it holds. Only a
/// failed decode searches, within [`TRIAL_NODES`]; tracking the path during every decode
/// (serde_path_to_error) wrapped each part's decoder in code of its own: 9 KB of the page's
/// wasm, gzipped (by hand, relaxed build).
fn locate<T: DeserializeOwned>(value: &Value) -> String {
    let mut trials = TRIAL_NODES / nodes(value);
    let mut doc = value.clone();
    let (mut cursor, mut found) = (Vec::new(), Vec::new());
    loop {
        let children: Vec<Step> = match at(&mut doc, &cursor) {
            Value::Object(map) => map.keys().cloned().map(Step::Key).collect(),
            Value::Array(items) => (0..items.len()).map(Step::Index).collect(),
            _ => break,
        };
        let fixing = children.iter().find(|child| {
            trials = trials.saturating_sub(1);
            trials > 0 && without(&mut doc, &cursor, child, |d| T::deserialize(d).is_ok())
        });
        match (fixing, children.as_slice()) {
            (Some(child), _) => {
                cursor.push(child.clone());
                found.clone_from(&cursor);
            }
            (None, [only @ Step::Key(_)]) if trials > 0 => cursor.push(only.clone()),
            _ => break,
        }
    }
    path_text(&found)
}

/// The parts of a value, itself included.
fn nodes(value: &Value) -> usize {
    1 + match value {
        Value::Object(map) => map.values().map(nodes).sum(),
        Value::Array(items) => items.iter().map(nodes).sum(),
        _ => 0,
    }
}

/// `test` of `doc` with `child` of the part at `path` removed; then it is put back.
fn without(doc: &mut Value, path: &[Step], child: &Step, test: impl Fn(&Value) -> bool) -> bool {
    let removed = match (at(doc, path), child) {
        (Value::Object(map), Step::Key(key)) => map.remove(key),
        (Value::Array(items), Step::Index(i)) => Some(items.remove(*i)),
        _ => None,
    };
    let Some(removed) = removed else { return false };
    let result = test(doc);
    match (at(doc, path), child) {
        (Value::Object(map), Step::Key(key)) => {
            map.insert(key.clone(), removed);
        }
        (Value::Array(items), Step::Index(i)) => items.insert(*i, removed),
        _ => {}
    }
    result
}

/// A path as errors write it: `model[0].dense.units` (empty at the top).
fn path_text(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// Names, as warnings, the keys of `given` that `written` lacks, at every depth where both are
/// objects or both arrays; `path` is where they are (`model[0].dense`).
fn unknown_fields(given: &Value, written: &Value, path: &mut Vec<Step>, found: &mut Vec<String>) {
    match (given, written) {
        (Value::Object(given), Value::Object(written)) => {
            for (key, inner) in given {
                path.push(Step::Key(key.clone()));
                match written.get(key) {
                    Some(known) => unknown_fields(inner, known, path, found),
                    None if inner.is_null() || found.len() == 20 => {}
                    None => found
                        .push(format!("ignored the unknown field {}: this version does not use it", path_text(path))),
                }
                path.pop();
            }
        }
        (Value::Array(given), Value::Array(written)) => {
            for (index, (inner, known)) in given.iter().zip(written).enumerate() {
                path.push(Step::Index(index));
                unknown_fields(inner, known, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A decoding error at its path (`model[2].units`; empty at the top).
fn at_path(error: &serde_path_to_error::Error<serde_json::Error>) -> SpecError {
    let path = error.path().to_string();
    SpecError::new(if path == "." { String::new() } else { path }, describe(error.inner()))
}

/// serde_json's message, minus its line and column (the path says where).
fn describe(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_string();
    format!("is not valid: {text}")
}

/// The spec as a JSON value, every real in it written as short as the spec's f32 prints
/// (`0.15`, where serde_json's value holds the f32 widened to f64 and writes
/// `0.15000000596046448`): what links and saved experiments carry. Every real of a spec is an
/// f32, and a number is shortened only where it decodes to the same f32 (serde reads an f32 from
/// a JSON value as its f64 narrowed).
pub fn to_value(spec: &Spec) -> Value {
    let mut value = serde_json::to_value(spec).expect("a spec always serializes");
    shorten(&mut value);
    value
}

/// Rewrites each f64 of `value` that is an f32's value as the f32's shortest text, where JSON's
/// reader, reading that text as written, narrows it to the same f32. (`crate::number` rather
/// than `str::parse`, whose tables would add 15 KB to the page's wasm, gzipped.)
fn shorten(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            let Some(wide) = n.as_f64() else { return };
            let narrow = wide as f32;
            if f64::from(narrow) != wide {
                return;
            }
            let Some(short) = crate::number::number(&narrow.to_string()).and_then(serde_json::Number::from_f64) else {
                return;
            };
            let read = serde_json::from_str::<Value>(&short.to_string()).ok().and_then(|v| v.as_f64());
            if read.is_some_and(|r| r as f32 == narrow) {
                *n = short;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(shorten),
        Value::Object(map) => map.values_mut().for_each(shorten),
        _ => {}
    }
}

/// The spec as a JSON value with every field that equals what decoding would fill in removed:
/// the compact form a link carries. Correct by construction: a field is dropped only when the
/// spec decodes to the same value without it.
pub fn compact(spec: &Spec) -> Value {
    let mut value = to_value(spec);
    // Serde's own decode, as `read` does, without looking for where a failing candidate fails.
    let same = |candidate: &Value| Spec::deserialize(candidate).is_ok_and(|s| &s == spec);
    let mut path = Vec::new();
    prune(&mut value, &mut path, &same);
    value
}

/// One step of a path into a JSON value.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'a>(root: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(root, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn prune(root: &mut Value, path: &mut Vec<Step>, same: &dyn Fn(&Value) -> bool) {
    let keys: Vec<Step> = match at(root, path) {
        Value::Object(map) => map.keys().cloned().map(Step::Key).collect(),
        Value::Array(items) => (0..items.len()).map(Step::Index).collect(),
        _ => return,
    };
    for step in keys {
        if let Step::Key(key) = &step {
            let removed = at(root, path).as_object_mut().and_then(|m| m.remove(key));
            if let Some(removed) = removed {
                if same(root) {
                    continue;
                }
                at(root, path).as_object_mut().expect("still an object").insert(key.clone(), removed);
            }
        }
        path.push(step);
        prune(root, path, same);
        path.pop();
    }
}
