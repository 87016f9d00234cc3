//! Any text given as a link, or as a JSON file, gets an answer — the spec or a clear error —
//! quickly, without a panic and without a large allocation. One test function, so the
//! allocation counter below sees only the decoder's allocations.
#![allow(unsafe_code)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use layerlab_spec::{json, link};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Records the largest single allocation.
struct Largest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only records sizes.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// Bounds for one decode. Generous on purpose: they catch hangs and blow-ups, not slowness (the
/// speed lives in benchmarks). A debug build decodes a typical link in well under a millisecond.
const TIME_LIMIT: Duration = Duration::from_millis(250);
const ALLOCATION_LIMIT: usize = 2 << 20;

/// Decodes `text` as a link and as JSON; both must answer within the bounds, and every error
/// must say something.
fn check(text: &str) -> Result<(), TestCaseError> {
    for decode in [|t: &str| link::decode(t).map(|_| ()), |t: &str| json::from_json(t).map(|_| ())] {
        LARGEST.store(0, Ordering::Relaxed);
        let started = Instant::now();
        let result = decode(text);
        let (elapsed, largest) = (started.elapsed(), LARGEST.load(Ordering::Relaxed));
        prop_assert!(elapsed < TIME_LIMIT, "{elapsed:?} for {:?}", &text[..text.len().min(80)]);
        prop_assert!(largest < ALLOCATION_LIMIT, "allocated {largest} bytes for {:?}", &text[..text.len().min(80)]);
        if let Err(errors) = result {
            prop_assert!(!errors.is_empty() && errors.iter().all(|e| !e.to_string().is_empty()));
        }
    }
    Ok(())
}

fn pack(json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
    format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed))
}

fn run<S: Strategy>(strategy: S, cases: u32, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config { cases, ..Config::default() });
    runner.run(&strategy, test).unwrap();
}

#[test]
fn hostile_links_and_files_get_quick_bounded_answers() {
    // Absurd cases, made before measuring.
    let nested = format!("{{\"model\":{}{}}}", "[{\"residual\":{\"body\":".repeat(5000), "]}}".repeat(5000));
    let absurd = [
        pack(r#"{"model":[{"dense":{"units":1000000000}}]}"#),
        pack(&format!("{{\"model\":[{}{{}}]}}", "{\"dense\":{}},".repeat(1_000_000))),
        pack(&format!("{{\"model\":[{}{{\"dense\":{{}}}}]}}", "{\"dense\":{}},".repeat(15_000))),
        pack(r#"{"data":{"noise":NaN},"training":{"batch_size":1e308}}"#),
        pack(r#"{"training":{"optimizer":{"sgd":{"learning_rate":-Infinity}}}}"#),
        pack(&nested),
        pack(&format!(r#"{{"data":{{"dataset":{{"csv":{{"name":"{}"}}}}}}}}"#, "x".repeat(200_000))),
        pack(&"[".repeat(200_000)),
        format!("v1.{}", "A".repeat(20_000)),
        "v9.abc".to_string(),
        "#v1.".to_string(),
        "v1.=====".to_string(),
        String::new(),
        "\u{0}\u{feff}💥".repeat(1000),
        nested.clone(),
    ];
    for text in &absurd {
        check(text).unwrap();
    }
    // Random text, link-shaped garbage, packed garbage, and valid links cut and altered.
    run(".{0,2000}", 2000, |text| check(&text));
    run("[A-Za-z0-9_-]{0,3000}", 2000, |body| check(&format!("v1.{body}")));
    run(".{0,1000}", 1000, |json| check(&pack(&json)));
    run(".{0,1000}", 500, |json| check(&pack(&json).replacen("v1.", "v2.", 1)));
    let edits = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6);
    run((common::valid_mlp(), edits), 1000, |(spec, edits)| {
        let mut bytes = link::encode(&spec).into_bytes();
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ => {}
            }
        }
        check(&String::from_utf8_lossy(&bytes))
    });
}
