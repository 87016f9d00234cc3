//! The WebGPU backend of the LayerLab compute core: [`Gpu`] implements the engine's
//! [`Backend`](layerlab_engine::backend::Backend) with wgpu, so the same model code trains on
//! the GPU (WebGPU in a browser, Vulkan natively) and is checked against the CPU reference by
//! one test suite.
//!
//! Every op runs as a WGSL kernel, one file per op family under `wgsl/`: the tiled matrix
//! multiply with its transposed variants, bias and activation with their backward, the
//! element-wise ops, the reductions behind the losses, the optimizer updates, the norms, the
//! sequence ops (embedding, pooling, axis swaps, attention), mixture-of-experts routing and
//! gating, and the KAN features (B-splines, group rationals). Numbers leave the GPU only when
//! asked for: `download`, a loss, a sum of squares.
//!
//! This crate knows nothing of the DOM, the spec's link format or the worker's protocol.

mod backend;
mod context;
pub mod kernels;

pub use context::{GpuBuf, GpuError};

use context::Context;

/// The GPU backend: a wgpu device with its pipelines and the scratch buffers of its reductions.
pub struct Gpu {
    ctx: Context,
    /// Bound where an op has no buffer to give (a bias-free layer's bias).
    dummy: GpuBuf,
    /// One sum per workgroup of a reduction's first pass.
    partials: GpuBuf,
    /// Reduced numbers waiting to be read back together.
    results: GpuBuf,
    results_host: Vec<f32>,
    /// Per-row (or per-element) terms of a loss.
    terms: GpuBuf,
    /// The attention scores' gradient between its two backward dispatches.
    scratch: GpuBuf,
    /// Products with at least this many rows and columns use the 128 × 128 tiles.
    large_tiles: usize,
}

/// From which size (rows and columns) a product uses the large tiles on a GPU. On a CPU
/// implementation of the API (lavapipe) the small tiles measured faster at every size
/// (1.6 against 1.1 GFLOP/s at 512³), so there they are used throughout.
pub const LARGE_TILES: usize = 256;

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu").field("adapter", &self.ctx.adapter).finish_non_exhaustive()
    }
}

/// Workgroups of a reduction's first pass (and so the partial sums it leaves).
const PARTIALS: usize = 256;

impl Gpu {
    /// Opens the default adapter's device: the browser's WebGPU, or Vulkan natively.
    pub async fn new() -> Result<Gpu, GpuError> {
        let mut ctx = Context::new().await?;
        let dummy = ctx.alloc(1);
        let partials = ctx.alloc(PARTIALS);
        let results = ctx.alloc(64);
        let terms = ctx.alloc(1);
        let scratch = ctx.alloc(1);
        let large_tiles = if ctx.emulated { usize::MAX } else { LARGE_TILES };
        Ok(Gpu { ctx, dummy, partials, results, results_host: vec![0.0; 64], terms, scratch, large_tiles })
    }

    /// [`Gpu::new`], waiting for the device (natively; a browser cannot block).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn native() -> Result<Gpu, GpuError> {
        pollster::block_on(Gpu::new())
    }

    /// The adapter's name and API ("llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)").
    pub fn adapter(&self) -> &str {
        &self.ctx.adapter
    }

    /// From which size products use the 128 × 128 tiles (`usize::MAX`: never).
    pub fn large_tiles(&self) -> usize {
        self.large_tiles
    }

    /// Products with at least `from` rows and columns use the 128 × 128 tiles (`usize::MAX`:
    /// never), for the benchmark that compares the two matrix-multiply kernels.
    pub fn set_large_tiles(&mut self, from: usize) {
        self.large_tiles = from;
    }

    /// Reads the first `len` numbers of `buf` back without blocking (see `Context::read_async`):
    /// how a browser reads, where nothing may wait for the GPU.
    pub fn read_async(
        &mut self,
        buf: &GpuBuf,
        len: usize,
    ) -> impl std::future::Future<Output = Result<Vec<f32>, String>> + use<> {
        self.ctx.read_async(buf, len)
    }

    /// Destroys the device, as a driver reset would: every later op is a no-op and
    /// [`Backend::fault`](layerlab_engine::backend::Backend::fault) says why (tests of the
    /// fallback to the CPU use it).
    pub fn destroy_device(&self) {
        self.ctx.destroy();
    }

    /// Makes sure `buf` holds at least `len` numbers (the reductions' scratch grows on demand).
    fn ensure(ctx: &mut Context, buf: &mut GpuBuf, len: usize) {
        if buf.len < len {
            *buf = ctx.alloc(len.next_power_of_two());
        }
    }
}
