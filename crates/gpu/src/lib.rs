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
pub mod shaders;
mod strip;
mod unroll;

pub use context::{GpuBuf, GpuError};

use context::Context;
use kernels::{Checks, MATMUL_FEW_THREADS, MATMUL_LARGE, MATMUL_SMALL, MatmulTiles};

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
    /// Which matrix-multiply kernel runs.
    matmul: MatmulChoice,
}

/// Which compiled size of the matrix multiply runs ([`kernels::MATMUL_TILES`]), and how it was
/// compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatmulChoice {
    /// One size for every product (the benchmark and the tests); `None`: by the product's
    /// shape and the adapter, see [`MatmulChoice::tiles`].
    pub forced: Option<MatmulTiles>,
    /// The runtime checks it is compiled with natively.
    pub checks: Checks,
    /// A CPU implementation of the API rather than a GPU, and which: each suits other tiles.
    pub emulator: Option<Emulator>,
}

/// The CPU implementations of the API, which run a kernel's threads in different ways, and so
/// suit different tiles (measured with the GPU benchmark, natively, on the Intel Xeon of
/// bench/results; SwiftShader through `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`):
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emulator {
    /// Mesa's lavapipe (llvmpipe): compiles a kernel with LLVM and runs eight threads at once in
    /// vector registers, so a thread's sums must stay few: 64 × 64 tiles of 4 × 4 sums, 6.0
    /// GFLOP/s at 512³ against 4.5 with 8 × 8 sums per thread.
    Llvmpipe,
    /// Any other, such as SwiftShader, the one Chromium falls back to (and the one a browser's
    /// CPU adapter is taken for, as the browser does not name it): pays per thread and per
    /// workgroup, so few threads with many sums each: in 32 × 64 tiles of 8 × 8 sums, the
    /// large benchmark MLP's eight products per step take 117 ms against 197 in 64 × 64 tiles
    /// of 4 × 4 (1.5 against 1.2 GFLOP/s at 512³; with the multiply-adds written out, see
    /// unroll.rs). On lavapipe they fall to 3.9 GFLOP/s at 512³.
    FewThreads,
}

impl Emulator {
    /// Which emulator an adapter of this type and name is, if it is one.
    fn of(device_type: wgpu::DeviceType, name: &str) -> Option<Emulator> {
        if device_type != wgpu::DeviceType::Cpu {
            return None;
        }
        Some(if name.contains("llvmpipe") { Emulator::Llvmpipe } else { Emulator::FewThreads })
    }
}

/// From how many 128 × 128 tiles a product uses them on a GPU: two per compute unit of a large
/// one (an H200 has 132). Smaller products run in 64 × 64 tiles, four times as many workgroups:
/// on an H200 at 1024³, 20.8 TFLOP/s against 12.7 in 128 × 128 tiles; at 2048³, 32.5 in
/// 128 × 128 tiles against 26.8.
pub const LARGE_TILES: usize = 256;

impl MatmulChoice {
    /// The tiles an `m` × `n` product runs in.
    pub fn tiles(self, m: usize, n: usize) -> MatmulTiles {
        if let Some(forced) = self.forced {
            return forced;
        }
        match self.emulator {
            Some(Emulator::Llvmpipe) => MATMUL_SMALL,
            Some(Emulator::FewThreads) => MATMUL_FEW_THREADS,
            None if m.div_ceil(128) * n.div_ceil(128) >= LARGE_TILES => MATMUL_LARGE,
            None => MATMUL_SMALL,
        }
    }
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu").field("adapter", &self.ctx.adapter).finish_non_exhaustive()
    }
}

/// Workgroups of a reduction's first pass (and so the partial sums it leaves) at most: on a GPU,
/// enough to fill it.
const PARTIALS: usize = 256;

/// [`PARTIALS`], or fewer on a CPU implementation of the API, where a workgroup's eight barriers
/// cost more than its sums: natively, Σ x² over 200,704 numbers took 44–48 ms on SwiftShader in
/// 256 workgroups against 3.0 in 8 (2.3 in 4, but that would leave cores idle), and 1.6
/// against 0.4 ms on lavapipe.
fn partial_count(emulator: Option<Emulator>) -> usize {
    if emulator.is_some() { 8 } else { PARTIALS }
}

impl Gpu {
    /// Opens the default adapter's device: the browser's WebGPU, or Vulkan natively.
    pub async fn new() -> Result<Gpu, GpuError> {
        let missing = shaders::missing();
        if !missing.is_empty() {
            return Err(GpuError::NoKernels(missing.iter().map(|name| format!("{name}.wgsl")).collect()));
        }
        let mut ctx = Context::new().await?;
        let dummy = ctx.alloc(1);
        let partials = ctx.alloc(PARTIALS);
        let results = ctx.alloc(64);
        let terms = ctx.alloc(1);
        let scratch = ctx.alloc(1);
        let matmul = MatmulChoice { forced: None, checks: Checks::Nothing, emulator: ctx.emulator };
        Ok(Gpu { ctx, dummy, partials, results, results_host: vec![0.0; 64], terms, scratch, matmul })
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

    /// Which matrix-multiply kernel runs.
    pub fn matmul_choice(&self) -> MatmulChoice {
        self.matmul
    }

    /// Sets which matrix-multiply kernel runs: the benchmark compares them, the tests check each.
    pub fn set_matmul_choice(&mut self, choice: MatmulChoice) {
        self.matmul = choice;
    }

    /// The runtime checks of every kernel but the matrix multiply's (natively; see [`Checks`]).
    pub fn checks(&self) -> Checks {
        self.ctx.checks
    }

    /// Compiles the kernels used from now on with `checks` (the benchmark compares them).
    pub fn set_checks(&mut self, checks: Checks) {
        self.ctx.checks = checks;
    }

    /// Submits every op recorded so far (they run while the caller goes on).
    pub fn submit(&mut self) {
        self.ctx.flush();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Which tiles run a product, by adapter and shape: (device type, adapter name, m, n, tiles).
    #[test]
    fn the_tiles_suit_the_adapter() {
        use wgpu::DeviceType::{Cpu, DiscreteGpu};
        let cases = [
            (DiscreteGpu, "NVIDIA H200", 256, 256, MATMUL_SMALL),
            (DiscreteGpu, "NVIDIA H200", 2048, 2048, MATMUL_LARGE),
            (Cpu, "llvmpipe (LLVM 15.0.6, 256 bits)", 2048, 2048, MATMUL_SMALL),
            (Cpu, "SwiftShader Device (Subzero)", 2048, 2048, MATMUL_FEW_THREADS),
            // A browser names no adapter; its CPU one is SwiftShader in Chromium.
            (Cpu, "", 10, 8, MATMUL_FEW_THREADS),
        ];
        for (device_type, name, m, n, tiles) in cases {
            let choice =
                MatmulChoice { forced: None, checks: Checks::Nothing, emulator: Emulator::of(device_type, name) };
            assert_eq!(choice.tiles(m, n), tiles, "{name:?} {device_type:?}, {m}×{n}");
        }
    }
}
