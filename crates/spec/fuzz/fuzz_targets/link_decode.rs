//! Any bytes, given as a link, as a JSON file, and packed into a well-formed link (so the
//! fuzzer reaches the JSON and validation layers behind base64 and deflate), must get an
//! answer without a panic. Run with `cargo xtask fuzz`.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = layerlab_spec::link::decode(&text);
    let _ = layerlab_spec::json::from_json(&text);
    let packed = miniz_oxide::deflate::compress_to_vec(data, 1);
    let link = format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed));
    let _ = layerlab_spec::link::decode(&link);
});
