//! Links: the whole spec in the URL fragment, compact and URL-safe, with a version tag.
//!
//! Form: `v2.` then base64url (no padding) of the raw-deflated compact JSON ([`json::compact`]).
//! A link made by any version must open in every later one: the golden links in
//! `tests/golden/` decode to the same spec forever. A field's default is part of the format:
//! changing one needs a new link version that maps old links (`upgrade` below).
//!
//! Versions: `v1` measured every 50 steps unless the link said otherwise; `v2` measures at the
//! interval `"auto"` picks for the model (the engine's `metrics/interval.rs`).
//!
//! Decoding hostile text is bounded: at most [`MAX_LINK_CHARS`] are read, inflating stops at
//! [`MAX_JSON_BYTES`], serde_json limits nesting, and validation stops counting blocks at its limit.

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};

use crate::error::SpecError;
use crate::json::{self, Decoded};
use crate::limits::{MAX_JSON_BYTES, MAX_LINK_CHARS};
use crate::spec::Spec;

/// The version tag of links this code writes.
pub const VERSION: &str = "v2";

/// The versions this code reads, oldest first: every one ever written.
const READS: [&str; 2] = ["v1", VERSION];

const DEFLATE_LEVEL: u8 = 10;

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The link fragment (without `#`) for a spec.
pub fn encode(spec: &Spec) -> String {
    let json = serde_json::to_vec(&json::compact(spec)).expect("a spec always serializes");
    let packed = miniz_oxide::deflate::compress_to_vec(&json, DEFLATE_LEVEL);
    format!("{VERSION}.{}", general_purpose::URL_SAFE_NO_PAD.encode(packed))
}

/// Reads a link fragment (with or without its `#`), then validates the spec it carries.
pub fn decode(fragment: &str) -> Result<Decoded, Vec<SpecError>> {
    let (spec, warnings) = decode_unchecked(fragment).map_err(|e| vec![e])?;
    let analysis = crate::analyse(&spec)?;
    Ok(Decoded { spec, analysis, warnings })
}

/// Reads the spec a fragment carries without validating it (with the unknown fields ignored).
pub fn decode_unchecked(fragment: &str) -> Result<(Spec, Vec<String>), SpecError> {
    let (version, json) = unpack(fragment)?;
    let json = upgrade(version, json);
    let text = std::str::from_utf8(&json).map_err(|_| link_error("does not hold text: it was cut or altered"))?;
    json::parse(text).map_err(|e| if e.path.is_empty() { link_error(e.message) } else { e })
}

/// The JSON of a link made by an earlier version, with what that version's defaults meant
/// written out: `v1` measured every 50 steps where the link did not say. JSON that does not
/// parse is left for the parser to name what is wrong.
fn upgrade(version: &str, json: Vec<u8>) -> Vec<u8> {
    if version != "v1" {
        return json;
    }
    let Ok(serde_json::Value::Object(mut spec)) = serde_json::from_slice(&json) else { return json };
    let metrics = spec.entry("metrics").or_insert_with(|| serde_json::json!({}));
    if let Some(metrics) = metrics.as_object_mut() {
        metrics.entry("every").or_insert(serde_json::json!(50));
    }
    serde_json::to_vec(&spec).expect("a JSON value always serializes")
}

/// The version tag and the JSON bytes a fragment carries.
fn unpack(fragment: &str) -> Result<(&'static str, Vec<u8>), SpecError> {
    let fragment = fragment.trim();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_LINK_CHARS {
        return Err(link_error(format!(
            "is {} characters long, beyond the limit of {MAX_LINK_CHARS} (MAX_LINK_CHARS)",
            fragment.len()
        )));
    }
    let Some((version, body)) = fragment.split_once('.') else {
        return Err(link_error(format!("is not a LayerLab link: it should start with '{VERSION}.'")));
    };
    let Some(version) = READS.iter().find(|&&v| v == version) else {
        let latest = READS.len() as u32;
        let newer = version.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n > latest);
        let why = if newer { "was made by a newer LayerLab" } else { "has an unknown version tag" };
        let reads = READS.map(|v| format!("'{v}'")).join(" and ");
        return Err(link_error(format!("{why} ('{}'): this version reads {reads} links", shorten(version))));
    };
    let packed = LENIENT
        .decode(body.as_bytes())
        .map_err(|_| link_error("is damaged: its text is not base64url (was it cut or altered?)"))?;
    miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                link_error(format!("unpacks to more than {MAX_JSON_BYTES} bytes (MAX_JSON_BYTES)"))
            }
            _ => link_error("is damaged: it does not unpack (was it cut or altered?)"),
        })
        .map(|json| (*version, json))
}

fn link_error(message: impl Into<String>) -> SpecError {
    SpecError::new("link", message)
}

fn shorten(text: &str) -> String {
    text.chars().take(16).collect()
}
