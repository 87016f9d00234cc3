//! Single-precision matrix multiply for the CPU backend.
//!
//! [`sgemm`] takes one of two paths:
//! - The blocked path, for all but small or thin products: the GotoBLAS/BLIS blocking, with B
//!   packed into k-major panels `NR` columns wide and A into k-major strips `MR` rows tall (or read
//!   where it lies when few panels would reuse a packed copy), and a register-blocked micro-kernel
//!   that computes each `MR×NR` tile of C with its accumulators in registers. The packing absorbs
//!   the transposes, so the kernels see one layout.
//! - The direct path, for tiny products and thin shapes (one or two rows, one or two columns, a
//!   very short k) where whole tiles would be mostly padding: plain loops that the compiler
//!   vectorises, with no packing (`prefers_direct` has the rules).
//!
//! The micro-kernel is chosen at compile time on wasm (`simd128.rs`, when built with `+simd128`;
//! with `+relaxed-simd` too, by the product's width), at
//! run time on x86-64 (`x86.rs`: AVX-512F, else AVX2+FMA), and is the portable `scalar.rs` otherwise.
//! [`gemm_reference`] is the plain triple loop they are all tested against.

// Unused by the simd128 build except in its tests, which check it there too.
#[cfg(any(test, not(all(target_arch = "wasm32", target_feature = "simd128"))))]
mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;
#[cfg(test)]
mod tests;
#[cfg(target_arch = "x86_64")]
mod x86;

/// C (m×n, row-major, leading dimension n) = A·B, or C += A·B when `accumulate`.
/// A is m×k row-major, or stored k×m when `a_trans` (so A = storedᵀ); B is k×n, or stored n×k when `b_trans`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gemm {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a_trans: bool,
    pub b_trans: bool,
    pub accumulate: bool,
}

/// Packing buffers reused across calls, so the training loop does not allocate per step.
#[derive(Debug, Default)]
pub struct Scratch {
    a: Vec<f32>,
    b: Vec<f32>,
}

/// C = A·B or C += A·B in f32, as `g` describes. Panics if a slice's length does not match m, n, k.
pub fn sgemm(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32], scratch: &mut Scratch) {
    check_lengths(g, a.len(), b.len(), c.len());
    if g.m == 0 || g.n == 0 {
        return;
    }
    if g.k == 0 {
        if !g.accumulate {
            c.fill(0.0);
        }
        return;
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    if simd128::prefers_wide(g.n) {
        return run(simd128::TILE_3X12, g, a, b, c, scratch);
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    run(simd128::TILE_4X8, g, a, b, c, scratch);
    #[cfg(target_arch = "x86_64")]
    if let Some(kernel) = x86::Avx512::detect() {
        run(kernel, g, a, b, c, scratch);
    } else if let Some(kernel) = x86::Avx2::detect() {
        run(kernel, g, a, b, c, scratch);
    } else {
        run(scalar::Scalar, g, a, b, c, scratch);
    }
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    run(scalar::Scalar, g, a, b, c, scratch);
}

/// Products with at most this many multiply-adds (`m·n·k`) take the direct path whatever their shape.
const TINY_WORK: usize = 128;

/// Whether the direct path beats kernel `K`'s blocked path on this shape (measured: see the
/// benchmarks). The blocked path computes whole `MR×NR` tiles and pays per tile and for packing,
/// so it loses on tiny products, on one or two rows (a matrix-vector product: most of each tile
/// would be padding), on one or two columns with a long k (a dot product per row), and, for
/// kernels that say so, on very short k.
fn prefers_direct<K: Kernel>(g: Gemm) -> bool {
    g.m * g.n * g.k <= TINY_WORK || g.m <= 2 || (g.n <= 2 && g.k >= 16) || g.k <= K::DIRECT_MAX_K
}

fn run<K: Kernel>(kernel: K, g: Gemm, a: &[f32], b: &[f32], c: &mut [f32], scratch: &mut Scratch) {
    if prefers_direct::<K>(g) { direct(g, a, b, c, scratch) } else { blocked(kernel, g, a, b, c, scratch) }
}

/// The plain triple loop, the reference the fast paths are tested against (generic so the engine's
/// f64 backend can use it).
pub fn gemm_reference<T>(g: Gemm, a: &[T], b: &[T], c: &mut [T])
where
    T: Copy + std::ops::Add<Output = T> + std::ops::Mul<Output = T> + Default,
{
    check_lengths(g, a.len(), b.len(), c.len());
    for i in 0..g.m {
        for j in 0..g.n {
            let mut sum = T::default();
            for p in 0..g.k {
                sum = sum + a_at(g, a, i, p) * b_at(g, b, p, j);
            }
            let out = &mut c[i * g.n + j];
            *out = if g.accumulate { *out + sum } else { sum };
        }
    }
}

fn check_lengths(g: Gemm, a: usize, b: usize, c: usize) {
    assert_eq!(a, g.m * g.k, "gemm: A has {a} elements, expected m·k = {}·{} = {}", g.m, g.k, g.m * g.k);
    assert_eq!(b, g.k * g.n, "gemm: B has {b} elements, expected k·n = {}·{} = {}", g.k, g.n, g.k * g.n);
    assert_eq!(c, g.m * g.n, "gemm: C has {c} elements, expected m·n = {}·{} = {}", g.m, g.n, g.m * g.n);
}

/// A(i, p), whichever way A is stored.
#[inline(always)]
fn a_at<T: Copy>(g: Gemm, a: &[T], i: usize, p: usize) -> T {
    if g.a_trans { a[p * g.m + i] } else { a[i * g.k + p] }
}

/// B(p, j), whichever way B is stored.
#[inline(always)]
fn b_at<T: Copy>(g: Gemm, b: &[T], p: usize, j: usize) -> T {
    if g.b_trans { b[j * g.k + p] } else { b[p * g.n + j] }
}

/// Grows a buffer to at least `len` and returns that much of it, starting on a 64-byte boundary
/// (a cache line), so that no vector load of a packed panel straddles two lines, wherever the
/// allocator put it. In Chromium on the AMD EPYC of bench/results (2026-12-06), relaxed build,
/// runs alternated: 512³ at 44.1 and 47.9 GFLOP/s with the buffers 8 bytes past a line, 48.7 and
/// 48.8 on one; the MLP steps alike within the noise.
fn buffer(v: &mut Vec<f32>, len: usize) -> &mut [f32] {
    const LINE: usize = 64 / size_of::<f32>();
    if v.len() < len + LINE {
        v.resize(len + LINE, 0.0);
    }
    let skip = v.as_ptr().align_offset(64).min(LINE);
    &mut v[skip..skip + len]
}

/// The direct path, for products too small or too thin for the blocked one. It packs nothing
/// (bar a transposed copy of a B with a tiny dimension) and takes one of two forms:
/// - rows: each row of C is `Σ_p A(i,p)·B(p,:)`, an auto-vectorised loop over contiguous rows of B;
/// - dots: each element of C is a dot product of a row of A and a column of B, both contiguous.
///
/// Rows suit a B stored k×n, dots a B stored n×k; a B stored the other way is copied only when the
/// copy is small (n ≤ 2 for dots, k ≤ 4 for rows).
fn direct(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32], scratch: &mut Scratch) {
    let (m, n, k) = (g.m, g.n, g.k);
    let dots = if g.b_trans { k > 4 } else { n <= 2 };
    if dots {
        // B's columns, each contiguous: as given (stored n×k), or copied out of a k×n B.
        let b_cols: &[f32] = if g.b_trans { b } else { transpose(b, k, n, &mut scratch.b) };
        for (i, c_row) in c.chunks_exact_mut(n).enumerate() {
            let a_row: &[f32] = if g.a_trans {
                let row = buffer(&mut scratch.a, k);
                row.iter_mut().zip(a[i..].iter().step_by(m)).for_each(|(r, &x)| *r = x);
                row
            } else {
                &a[i * k..][..k]
            };
            for (out, b_col) in c_row.iter_mut().zip(b_cols.chunks_exact(k)) {
                let sum = super::dot::<f32, 16>(a_row, b_col);
                *out = if g.accumulate { *out + sum } else { sum };
            }
        }
    } else {
        // B's rows, each contiguous: as given (stored k×n), or copied out of an n×k B.
        let b_rows: &[f32] = if g.b_trans { transpose(b, n, k, &mut scratch.b) } else { b };
        for (i, c_row) in c.chunks_exact_mut(n).enumerate() {
            if !g.accumulate {
                c_row.fill(0.0);
            }
            for (p, b_row) in b_rows.chunks_exact(n).enumerate() {
                let x = if g.a_trans { a[p * m + i] } else { a[i * k + p] };
                c_row.iter_mut().zip(b_row).for_each(|(out, &y)| *out += x * y);
            }
        }
    }
}

/// Copies the `rows×cols` row-major `src` into `buf` as its `cols×rows` transpose.
fn transpose<'b>(src: &[f32], rows: usize, cols: usize, buf: &'b mut Vec<f32>) -> &'b [f32] {
    let dst = buffer(buf, rows * cols);
    for (r, line) in src.chunks_exact(cols).enumerate() {
        for (j, &x) in line.iter().enumerate() {
            dst[j * rows + r] = x;
        }
    }
    dst
}

/// Where a micro-kernel's `MR×NR` result goes: C from the tile's top-left element on, rows `ldc`
/// apart; only `rows×cols` of the tile lies inside C, and `add` says C += result rather than C = result.
#[derive(Debug, Clone, Copy)]
struct Tile {
    ldc: usize,
    rows: usize,
    cols: usize,
    add: bool,
}

/// An `MR×kc` strip of A as a kernel reads it: A(r, p) = `data[r·rs + p·cs]`. A packed strip has
/// `rs = 1, cs = MR`; a row-major A read in place has `rs = k, cs = 1`.
#[derive(Debug, Clone, Copy)]
struct Strip<'a> {
    data: &'a [f32],
    rs: usize,
    cs: usize,
}

/// A `kc×NR` panel of B as a kernel reads it: B(p, j) = `data[p·rs + j]`. A packed panel has
/// `rs = NR`; a row-major B read in place has `rs = n`.
#[derive(Debug, Clone, Copy)]
struct Panel<'a> {
    data: &'a [f32],
    rs: usize,
}

/// A register-blocked micro-kernel and the cache blocking that suits it.
trait Kernel: Copy {
    /// Rows of C per tile: the height of a packed A strip.
    const MR: usize;
    /// Columns of C per tile: the width of a packed B panel.
    const NR: usize;
    /// Greatest depth of a packed block (`blocked` splits k into equal blocks no deeper): an `MR×KC`
    /// strip of A and a `KC×NR` panel of B stay in L1.
    const KC: usize;
    /// Rows of A packed at once (best a multiple of MR): the `MC×KC` block stays in L2.
    const MC: usize;
    /// Columns of B packed at once (best a multiple of NR): the `KC×NC` block stays in the outer caches.
    const NC: usize;
    /// Up to this many columns of C (so few visits to each strip of A), a row-major A is read in
    /// place rather than packed: packing would cost more than it saves.
    const A_IN_PLACE_MAX_N: usize;
    /// The same for a transposed A (stored k×m).
    const AT_IN_PLACE_MAX_N: usize;
    /// Up to this many rows of C (so few visits to each panel of B), a row-major B is read in
    /// place rather than packed.
    const B_IN_PLACE_MAX_M: usize;
    /// Up to this k, the direct path beats this kernel's blocked one.
    const DIRECT_MAX_K: usize;

    /// The tile (+)= a·b over `kc` steps.
    fn tile(self, kc: usize, a: Strip<'_>, b: Panel<'_>, c: &mut [f32], t: Tile);
}

/// The five loops of the GotoBLAS/BLIS blocking around kernel `K`.
fn blocked<K: Kernel>(kernel: K, g: Gemm, a: &[f32], b: &[f32], c: &mut [f32], scratch: &mut Scratch) {
    let (m, n, k) = (g.m, g.n, g.k);
    let (mr, nr) = (K::MR, K::NR);
    let a_in_place = n <= if g.a_trans { K::AT_IN_PLACE_MAX_N } else { K::A_IN_PLACE_MAX_N };
    let b_in_place = !g.b_trans && m <= K::B_IN_PLACE_MAX_M;
    // k in equal blocks of at most KC: 784 = 2·392 rather than 512 + 272 (or, at KC 256,
    // 3·256 + 16, whose last block pays a pass over C for 2 % of the work).
    let kc_max = k.div_ceil(k.div_ceil(K::KC));
    let a_len = K::MC.min(m).next_multiple_of(mr) * kc_max;
    let b_len = K::NC.min(n).next_multiple_of(nr) * kc_max;
    let (a_buf, b_buf) = (buffer(&mut scratch.a, a_len), buffer(&mut scratch.b, b_len));
    for jc in (0..n).step_by(K::NC) {
        let nc = K::NC.min(n - jc);
        let panels = nc.div_ceil(nr);
        for pc in (0..k).step_by(kc_max) {
            let kc = kc_max.min(k - pc);
            // Read in place, B's full panels are used where they lie (rows n apart), and only a
            // ragged last panel is packed, with zero columns.
            let first_packed_b = if b_in_place { nc / nr } else { 0 };
            let j_packed = jc + first_packed_b * nr;
            let b_packed = &mut b_buf[..(panels - first_packed_b) * nr * kc];
            pack_b::<K>(g, b, b_packed, (pc, kc), (j_packed, jc + nc - j_packed));
            let b_packed = &*b_packed;
            let add = g.accumulate || pc > 0;
            for ic in (0..m).step_by(K::MC) {
                let mc = K::MC.min(m - ic);
                let strips = mc.div_ceil(mr);
                // Likewise A's full strips (rows k apart, or steps m apart when transposed).
                let first_packed_a = if a_in_place { mc / mr } else { 0 };
                let i_packed = ic + first_packed_a * mr;
                let a_packed = &mut a_buf[..(strips - first_packed_a) * mr * kc];
                pack_a::<K>(g, a, a_packed, (i_packed, ic + mc - i_packed), (pc, kc));
                let a_packed = &*a_packed;
                for q in 0..panels {
                    let j = jc + q * nr;
                    let panel = match q.checked_sub(first_packed_b) {
                        None => Panel { data: &b[pc * n + j..], rs: n },
                        Some(q) => Panel { data: &b_packed[q * nr * kc..][..nr * kc], rs: nr },
                    };
                    let cols = nr.min(jc + nc - j);
                    for s in 0..strips {
                        let i = ic + s * mr;
                        let strip = match s.checked_sub(first_packed_a) {
                            None if g.a_trans => Strip { data: &a[pc * m + i..], rs: 1, cs: m },
                            None => Strip { data: &a[i * k + pc..], rs: k, cs: 1 },
                            Some(s) => Strip { data: &a_packed[s * mr * kc..][..mr * kc], rs: 1, cs: mr },
                        };
                        let tile = Tile { ldc: n, rows: mr.min(ic + mc - i), cols, add };
                        kernel.tile(kc, strip, panel, &mut c[i * n + j..], tile);
                    }
                }
            }
        }
    }
}

/// Packs `A[ic..ic+mc, pc..pc+kc]` into strips of `MR` rows, each k-major (`MR` values per step),
/// the rows past `m` zero.
fn pack_a<K: Kernel>(g: Gemm, a: &[f32], dst: &mut [f32], (ic, mc): (usize, usize), (pc, kc): (usize, usize)) {
    let mr = K::MR;
    for (s, strip) in dst.chunks_exact_mut(mr * kc).enumerate() {
        let i0 = ic + s * mr;
        let rows = mr.min(ic + mc - i0);
        if g.a_trans {
            // A(i, p) = a[p·m + i]: each step's `MR` values are contiguous.
            for (p, out) in strip.chunks_exact_mut(mr).enumerate() {
                let src = &a[(pc + p) * g.m + i0..];
                if rows == mr {
                    out.copy_from_slice(&src[..mr]);
                } else {
                    out[..rows].copy_from_slice(&src[..rows]);
                    out[rows..].fill(0.0);
                }
            }
        } else {
            // A(i, p) = a[i·k + p]: each row is contiguous, and becomes a column of the strip.
            transpose_into(strip, mr, kc, rows, |r| &a[(i0 + r) * g.k + pc..][..kc]);
        }
    }
}

/// Packs `B[pc..pc+kc, jc..jc+nc]` into panels of `NR` columns, each k-major (`NR` values per step),
/// the columns past `n` zero.
fn pack_b<K: Kernel>(g: Gemm, b: &[f32], dst: &mut [f32], (pc, kc): (usize, usize), (jc, nc): (usize, usize)) {
    let nr = K::NR;
    for (s, panel) in dst.chunks_exact_mut(nr * kc).enumerate() {
        let j0 = jc + s * nr;
        let cols = nr.min(jc + nc - j0);
        if g.b_trans {
            // B(p, j) = b[j·k + p]: each column is contiguous, and becomes a column of the panel.
            transpose_into(panel, nr, kc, cols, |q| &b[(j0 + q) * g.k + pc..][..kc]);
        } else {
            // B(p, j) = b[p·n + j]: each step's `NR` values are contiguous.
            for (p, out) in panel.chunks_exact_mut(nr).enumerate() {
                let src = &b[(pc + p) * g.n + j0..];
                if cols == nr {
                    out.copy_from_slice(&src[..nr]);
                } else {
                    out[..cols].copy_from_slice(&src[..cols]);
                    out[cols..].fill(0.0);
                }
            }
        }
    }
}

/// Writes `lines` source lines of `len` values each (`line(r)`) as the columns of `dst`, a
/// `len×width` row-major block, and zeroes its columns `lines..width`. (In chunks of 8, which
/// spares the bounds checks of a plain strided loop.)
#[inline(always)]
fn transpose_into<'s>(dst: &mut [f32], width: usize, len: usize, lines: usize, line: impl Fn(usize) -> &'s [f32]) {
    const STEP: usize = 8;
    let whole = len - len % STEP;
    for r in 0..width {
        if r < lines {
            let src = line(r);
            for (block, out) in src[..whole].chunks_exact(STEP).zip(dst.chunks_exact_mut(STEP * width)) {
                for (q, &x) in block.iter().enumerate() {
                    out[q * width + r] = x;
                }
            }
            for (p, &x) in src.iter().enumerate().skip(whole) {
                dst[p * width + r] = x;
            }
        } else {
            dst[r..].iter_mut().step_by(width).for_each(|out| *out = 0.0);
        }
    }
}

/// Writes a tile's results, held row-major `nr` to a row in `acc`, into the part of the tile inside C.
fn store_tile(acc: &[f32], nr: usize, c: &mut [f32], t: Tile) {
    for (r, src) in acc.chunks_exact(nr).take(t.rows).enumerate() {
        let dst = &mut c[r * t.ldc..][..t.cols];
        if t.add {
            dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
        } else {
            dst.copy_from_slice(&src[..t.cols]);
        }
    }
}
