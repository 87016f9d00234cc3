//! The page's components. [`App`] owns the state and the worker; the others only show it.

mod app;
mod header;
mod notices;
mod panels;

pub use app::{App, WorkerStatus};
