//! The backend interface ([`backend::Backend`]) and its CPU implementation ([`cpu::Cpu`]), the
//! reference every other backend is tested against, with the number type ([`real::Real`]), the
//! activations and the random streams ([`rng`]) the kernels share with the engine. It knows
//! nothing of models, datasets or training: the engine (`layerlab-engine`) builds those on it and
//! re-exports these modules under its own name.
//!
//! A crate of its own so that the page's build compiles these kernels for speed (opt-level 3:
//! vectorised loops) and the rest of the engine for size (see the workspace's Cargo.toml).

pub mod activation;
pub mod backend;
pub mod cpu;
pub mod real;
pub mod rng;
