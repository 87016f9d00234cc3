//! Cross-crate tests of LayerLab live in this crate's `tests/` folder; the browser end-to-end
//! specs, which drive the served release build in headless Chromium, live in `e2e/`.
