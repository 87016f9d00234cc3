//! The WGSL files (`src/wgsl/`: one per op family, and the shared `common`, `activation` and
//! `rng`) and where their text comes from. With the default `bundled-shaders` feature they are
//! embedded, stripped of comments by the build script. Without it (the page's worker: a machine
//! that trains on the CPU never needs them, 37 KB raw and 8 KB gzipped of the page's module, by
//! hand) a file is absent until the host [`supply`]s it, fetched as served: stripped as the build
//! strips it (what `cargo xtask` puts in `dist/wgsl/`), or the source itself, comments and all
//! (what Trunk alone copies), which is stripped here. Either is checked against the size and
//! checksum of the file this build was compiled from. [`Gpu::new`](crate::Gpu::new) refuses to
//! start while a file is absent, so a kernel always finds its text.

use std::sync::{Mutex, PoisonError};

use layerlab_engine::data::fnv1a;

use crate::strip::strip;

/// One WGSL file (`src/wgsl/<name>.wgsl`): the length and checksum of its source and of its
/// stripped text, taken when this build was compiled, and with `bundled-shaders` the stripped
/// text itself (without the feature only the numbers are kept).
pub struct Source {
    pub name: &'static str,
    source: Fingerprint,
    stripped: Fingerprint,
    #[cfg(feature = "bundled-shaders")]
    text: &'static str,
}

/// A file's length and FNV-1a checksum.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    length: usize,
    checksum: u64,
}

impl Fingerprint {
    const fn of(bytes: &[u8]) -> Fingerprint {
        Fingerprint { length: bytes.len(), checksum: fnv1a(bytes) }
    }
}

macro_rules! source {
    ($name:literal) => {{
        const SOURCE: &[u8] = include_bytes!(concat!("wgsl/", $name, ".wgsl"));
        const STRIPPED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".wgsl"));
        Source {
            name: $name,
            source: Fingerprint::of(SOURCE),
            stripped: Fingerprint::of(STRIPPED),
            #[cfg(feature = "bundled-shaders")]
            text: include_str!(concat!(env!("OUT_DIR"), "/", $name, ".wgsl")),
        }
    }};
}

/// Every WGSL file.
pub const FILES: [Source; 11] = [
    source!("common"),
    source!("activation"),
    source!("rng"),
    source!("matmul"),
    source!("elementwise"),
    source!("reduce"),
    source!("optim"),
    source!("norm"),
    source!("sequence"),
    source!("moe"),
    source!("kan"),
];

/// File `name`'s embedded text.
fn bundled(name: &str) -> Option<&'static str> {
    #[cfg(feature = "bundled-shaders")]
    return FILES.iter().find(|s| s.name == name).map(|s| s.text);
    #[cfg(not(feature = "bundled-shaders"))]
    {
        let _ = name;
        None
    }
}

/// Files the host supplied, stripped. Each is kept for the life of the program (at most one
/// per file, so leaked rather than reference-counted, and [`text`] gives embedded and supplied
/// files alike as `&'static str`).
static SUPPLIED: Mutex<Vec<(&str, &str)>> = Mutex::new(Vec::new());

/// File `name`'s text as the backend compiles it, when it is at hand.
pub fn text(name: &str) -> Option<&'static str> {
    if let Some(text) = bundled(name) {
        return Some(text);
    }
    let supplied = SUPPLIED.lock().unwrap_or_else(PoisonError::into_inner);
    supplied.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The files not at hand yet, in [`FILES`]' order.
pub fn missing() -> Vec<&'static str> {
    FILES.iter().map(|s| s.name).filter(|name| text(name).is_none()).collect()
}

/// Gives the backend file `name` as served: its stripped text or its source, as this build was
/// compiled from (their lengths and checksums); anything else is refused with what was expected.
/// Supplying a file that is already at hand changes nothing.
pub fn supply(name: &str, bytes: &[u8]) -> Result<(), String> {
    let Some(&Source { name, source, stripped, .. }) = FILES.iter().find(|s| s.name == name) else {
        return Err(format!("there is no WGSL file named {name}"));
    };
    let got = Fingerprint::of(bytes);
    if got != stripped && got != source {
        return Err(format!(
            "{name}.wgsl is {} bytes with checksum {:016x}, neither the {} bytes with checksum {:016x} nor the \
             {} bytes with checksum {:016x} (its source) this version of LayerLab was built with: the page and \
             its kernels come from different builds (reload the page)",
            got.length, got.checksum, stripped.length, stripped.checksum, source.length, source.checksum
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| format!("{name}.wgsl is not UTF-8 text"))?;
    let mut supplied = SUPPLIED.lock().unwrap_or_else(PoisonError::into_inner);
    if bundled(name).is_none() && !supplied.iter().any(|(n, _)| *n == name) {
        let text = if got == stripped { text.to_string() } else { strip(text) };
        supplied.push((name, Box::leak(text.into_boxed_str())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_listed_and_a_supplied_one_is_checked() {
        let listed: Vec<&str> = FILES.iter().map(|s| s.name).collect();
        let mut on_disk: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/wgsl"))
            .unwrap()
            .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(sorted, on_disk);
        assert_eq!(missing(), Vec::<&str>::new(), "the tests embed every file");
        // The served file is the source or its stripped text, which is what the build embeds;
        // anything else is refused.
        let source = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/src/wgsl/optim.wgsl")).unwrap();
        let stripped = strip(std::str::from_utf8(&source).unwrap());
        assert!(stripped.len() < source.len() && !stripped.contains("//"));
        assert_eq!(stripped, text("optim").unwrap());
        assert_eq!(supply("optim", &source), Ok(()));
        assert_eq!(supply("optim", stripped.as_bytes()), Ok(()));
        let foreign = supply("optim", b"fn main() {}").unwrap_err();
        let expected = format!(
            "neither the {} bytes with checksum {:016x} nor the {} bytes",
            stripped.len(),
            fnv1a(stripped.as_bytes()),
            source.len()
        );
        assert!(
            foreign.contains("optim.wgsl is 12 bytes")
                && foreign.contains(&expected)
                && foreign.contains("different builds"),
            "{foreign}"
        );
        assert_eq!(supply("nothing", &source), Err("there is no WGSL file named nothing".to_string()));
    }
}
