//! The worker side of LayerLab: the serde message protocol spoken between the page and the
//! Web Worker that will train networks, and the worker's message handling.
//!
//! The page (crate `layerlab-app`) sends [`WorkerInput`]s and receives [`WorkerOutput`]s; both
//! cross the boundary as plain JavaScript objects made by `serde-wasm-bindgen`. Later issues add
//! messages (train, pause, metric snapshots) to these enums; the plumbing stays as it is.

pub mod backend;
pub mod gpu_run;
pub mod handler;
pub mod pace;
pub mod preview;
pub mod protocol;
pub mod session;

pub use protocol::{BackendChoice, BackendReport, CpuReason, GpuAdapter, WorkerInput, WorkerOutput};
