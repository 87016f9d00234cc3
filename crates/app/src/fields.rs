//! Editing a value through its serde form: the fields of a block's or a dataset's payload, each
//! with its type, and writing one back from what the user typed. One mechanism for every block
//! kind and every dataset, so a new field appears on the page without page code.

use layerlab_spec::{json, number};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One editable field, as the page renders it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: String,
    pub value: FieldValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A whole number (widths, heads, experts, grid sizes).
    Whole(u64),
    /// A real number (rates, weights).
    Real(f64),
    Flag(bool),
    /// Free text (a CSV's column name).
    Text(String),
    /// One of a fixed set of names (activation, basis, merge…).
    Choice {
        value: String,
        options: Vec<String>,
    },
    /// Not editable inline yet (nested blocks, optional settings): a summary.
    Summary(String),
}

/// The fields of the payload of `value`, a serde enum whose variant is named `kind` (a block, a
/// dataset), in the order serde writes them. A variant without fields has none.
pub fn fields<T: Serialize>(value: &T, kind: &str) -> Vec<Field> {
    let payload = payload(value, kind);
    let Value::Object(map) = payload else { return Vec::new() };
    map.into_iter()
        .map(|(key, value)| {
            let value = match value {
                Value::Number(n) if n.is_u64() => FieldValue::Whole(n.as_u64().unwrap_or_default()),
                Value::Number(n) => FieldValue::Real(n.as_f64().unwrap_or_default()),
                Value::Bool(b) => FieldValue::Flag(b),
                Value::String(s) => match choices(kind, &key) {
                    options if options.is_empty() => FieldValue::Text(s),
                    options => FieldValue::Choice { options, value: s },
                },
                Value::Array(items) => FieldValue::Summary(format!("{} blocks", items.len())),
                Value::Null => FieldValue::Summary("off".to_string()),
                Value::Object(_) => FieldValue::Summary("set".to_string()),
            };
            Field { key, value }
        })
        .collect()
}

/// `value` (of variant `kind`) with field `key` set from the text `raw` the user typed or
/// picked. The text must have the field's type; its range is checked by the spec's validation
/// afterwards.
pub fn set_field<T: Serialize + DeserializeOwned>(value: &T, kind: &str, key: &str, raw: &str) -> Result<T, String> {
    let json = edited(payload(value, kind), kind, key, raw)?;
    // The spec crate's decoder, whose code the page has already for links and files.
    json::decode(&json).map(|(value, _)| value).map_err(|e| format!("{key} {}", e.message))
}

/// `{kind: payload}` with field `key` of `payload` set from `raw`: [`set_field`]'s part that is
/// the same for every type, compiled once rather than once per type.
fn edited(mut payload: Value, kind: &str, key: &str, raw: &str) -> Result<Value, String> {
    let Some(slot) = payload.get_mut(key) else { return Err(format!("{kind} has no field '{key}'")) };
    let raw = raw.trim();
    *slot = match slot {
        Value::Number(n) if n.is_u64() => raw
            .parse::<u64>()
            .map(Value::from)
            .map_err(|_| format!("{key} must be a whole number of 0 or more, not '{raw}'"))?,
        Value::Number(_) => match number::number(raw) {
            Some(v) => Value::from(v),
            None => return Err(format!("{key} must be a number, not '{raw}'")),
        },
        Value::Bool(_) => Value::Bool(raw == "true"),
        Value::String(_) => Value::String(raw.to_string()),
        _ => return Err(format!("{key} cannot be edited here yet")),
    };
    Ok(serde_json::json!({ kind: payload }))
}

/// The payload of variant `kind` of `value` as JSON (`Null` for a variant without one).
fn payload<T: Serialize>(value: &T, kind: &str) -> Value {
    let mut json = serde_json::to_value(value).unwrap_or(Value::Null);
    json.get_mut(kind).map(Value::take).unwrap_or(Value::Null)
}

/// The valid names of an enum-valued field.
fn choices(kind: &str, key: &str) -> Vec<String> {
    let names: &[&str] = match (kind, key) {
        (_, "activation") => &["relu", "leaky_relu", "gelu", "silu", "tanh", "sigmoid", "sine", "identity"],
        ("norm", "kind") => &["layer", "rms", "batch"],
        ("glu", "kind") => &["glu", "bilinear", "swiglu"],
        (_, "basis") => &["b_spline", "group_rational"],
        (_, "merge") => &["sum", "concat"],
        (_, "positions") => &["learned", "sinusoidal"],
        (_, "mode") => &["mean", "last"],
        ("formula", "formula") => &["exp_sin_square", "product", "bessel_ring", "sin_cos"],
        ("image", "image") => &["scene", "checker"],
        _ => &[],
    };
    names.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use layerlab_spec::data::Dataset;
    use layerlab_spec::model::{Activation, Block, Dense};

    use super::*;

    #[test]
    fn fields_are_edited_with_their_types_checked() {
        let dense = Block::Dense(Dense { units: 4, activation: Activation::Tanh, bias: true });
        let cases: &[(&str, &str, Result<Block, &str>)] = &[
            ("units", " 12 ", Ok(Block::Dense(Dense { units: 12, activation: Activation::Tanh, bias: true }))),
            ("activation", "relu", Ok(Block::Dense(Dense { units: 4, activation: Activation::Relu, bias: true }))),
            ("bias", "false", Ok(Block::Dense(Dense { units: 4, activation: Activation::Tanh, bias: false }))),
            ("units", "-3", Err("whole number")),
            ("units", "wide", Err("whole number")),
            ("activation", "swish", Err("unknown variant")),
            ("heads", "2", Err("no field 'heads'")),
        ];
        for (key, raw, expected) in cases {
            match (set_field(&dense, "dense", key, raw), expected) {
                (Ok(block), Ok(want)) => assert_eq!(&block, want),
                (Err(message), Err(words)) => assert!(message.contains(words), "{key}={raw}: {message}"),
                (got, want) => panic!("{key}={raw}: got {got:?}, expected {want:?}"),
            }
        }
        let dropout = Block::defaults().into_iter().find(|b| b.kind() == "dropout").unwrap();
        assert!(set_field(&dropout, "dropout", "rate", "0.25").is_ok());
        assert!(set_field(&dropout, "dropout", "rate", "NaN").unwrap_err().contains("number"));
    }

    #[test]
    fn every_block_and_dataset_offers_its_fields_with_valid_choices() {
        let kinds = Block::defaults().into_iter().map(|b| (serde_json::to_value(&b).unwrap(), b.kind().to_string()));
        let sets = Dataset::catalogue().into_iter().map(|d| (serde_json::to_value(&d).unwrap(), d.name()));
        for (value, kind) in kinds.chain(sets) {
            for field in fields(&value, &kind) {
                if let FieldValue::Choice { value, options } = &field.value {
                    assert!(options.contains(value), "{kind} {}: {value} not in {options:?}", field.key);
                }
            }
        }
        let checkerboard = Dataset::Checkerboard { cells: 4 };
        assert_eq!(fields(&checkerboard, "checkerboard"), [Field { key: "cells".into(), value: FieldValue::Whole(4) }]);
        assert_eq!(set_field(&checkerboard, "checkerboard", "cells", "6"), Ok(Dataset::Checkerboard { cells: 6 }));
        assert!(fields(&Dataset::Spiral, "spiral").is_empty());
        let image = Dataset::catalogue().into_iter().find(|d| d.name() == "image").unwrap();
        assert!(set_field(&image, "image", "image", "photo").unwrap_err().contains("unknown variant"));
    }
}
