//! The page's components. [`App`] owns the state and the worker; the others show and edit it.

mod app;
pub mod architecture;
mod block_card;
mod compare;
mod controls;
mod csv;
mod data;
mod details;
mod export;
mod field;
mod focus;
mod header;
mod layers;
mod library;
mod neurons;
mod notices;
mod output;
mod preview;
mod recipe;
mod rule;
mod share;
mod similarity;

pub use app::{App, Sender, WorkerStatus};
