//! The worker side of LayerLab: the training run behind the page, answering the messages of
//! `layerlab-protocol` (re-exported here as [`protocol`]), and backend detection.

pub mod backend;
pub mod chunks;
mod data_files;
pub mod gpu_run;
pub mod handler;
pub mod pace;
pub mod preview;
pub mod session;
pub mod web;

pub use layerlab_protocol as protocol;
pub use protocol::{BackendChoice, BackendReport, CpuReason, GpuAdapter, WorkerInput, WorkerOutput};
