//! The LayerLab compute core. It trains the experiment a [`layerlab_spec::Spec`] describes, on a
//! backend ([`backend::Backend`]) whose CPU implementation ([`cpu::Cpu`]) is the reference. It
//! knows nothing of the DOM, the worker or the link format.

// The backend interface, the CPU backend and what they share (crates/kernels), under this
// crate's name as before.
pub use layerlab_kernels::{activation, backend, cpu, real, rng};

pub mod data;
pub mod export;
pub mod init;
pub mod kan_refine;
pub mod layers;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod rules;
pub mod suite;
pub mod train;
pub mod workloads;
