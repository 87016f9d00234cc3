// The optimizer's end of a step: the guard that decides whether the update goes ahead,
// clipping by the global norm, and the updates, one thread per weight, with PyTorch's formulas
// as the CPU reference has them (crates/engine/src/cpu/optim.rs). Every update reads the step's
// stats (loss, Σ g², ok) first and does nothing unless ok: nothing leaves the GPU to decide.
// Prepended: common.wgsl.

const STAT_LOSS: u32 = 0u;
const STAT_NORM: u32 = 1u;
const STAT_OK: u32 = 2u;
const STAT_HEALTHY: u32 = 3u;
const STAT_FIRST: u32 = 4u;

// Not NaN, not ±∞, by the bits (compilers may assume floats are never NaN).
fn finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// ---- guard: ok = finite loss ≤ explosion · first good loss (any, before one), finite norm,
// reach_per_norm·norm + reach_fixed ≤ max (Guard::allows in crates/engine/src/backend.rs), and,
// when sticky, no earlier refusal. Keeps the first good loss. Words: explosion, reach_per_norm,
// reach_fixed, max, sticky.
@group(0) @binding(1) var<storage, read_write> gu_stats: array<f32>;

@compute @workgroup_size(1)
fn guard() {
    let loss = gu_stats[STAT_LOSS];
    let norm = sqrt(gu_stats[STAT_NORM]);
    let sticky = word(4u) != 0u;
    let healthy = !sticky || gu_stats[STAT_HEALTHY] != 0.0;
    let first = gu_stats[STAT_FIRST];
    let below = first < 0.0 || loss <= real(0u) * max(first, 1e-6);
    let ok = healthy && finite(loss) && below && finite(norm) && real(1u) * norm + real(2u) <= real(3u);
    gu_stats[STAT_OK] = select(0.0, 1.0, ok);
    if ok && first < 0.0 {
        gu_stats[STAT_FIRST] = loss;
    }
    if sticky && !ok {
        gu_stats[STAT_HEALTHY] = 0.0;
    }
}

// ---- clip: y *= clip / (norm + 1e-6) when the norm exceeds clip. Words: n, clip.
@group(0) @binding(1) var<storage, read> cl_stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> cl_y: array<f32>;

@compute @workgroup_size(256)
fn clip(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let norm = sqrt(cl_stats[STAT_NORM]);
    if i >= word(0u) || !(norm > real(1u)) {
        return;
    }
    cl_y[i] *= real(1u) / (norm + 1e-6);
}

@group(0) @binding(1) var<storage, read> op_stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> op_p: array<f32>;
@group(0) @binding(3) var<storage, read> op_g: array<f32>;
@group(0) @binding(4) var<storage, read_write> op_m: array<f32>;
@group(0) @binding(5) var<storage, read_write> op_v: array<f32>;

// A moment below 1e-30 is zero, as on the CPU (TINY in crates/engine/src/real.rs: moments
// decaying through the subnormal numbers slow a CPU down; GPUs mostly flush those anyway).
fn flushed(x: f32) -> f32 {
    return select(x, 0.0, abs(x) < 1e-30);
}

fn skipped(i: u32) -> bool {
    return i >= word(0u) || op_stats[STAT_OK] == 0.0;
}

// ---- sgd: p -= lr·g. Words: n, lr.
@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if skipped(i) {
        return;
    }
    op_p[i] = op_p[i] - real(1u) * op_g[i];
}

// ---- momentum: m = μm + g; p -= lr·m. Words: n, lr, μ.
@compute @workgroup_size(256)
fn momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if skipped(i) {
        return;
    }
    let m = flushed(real(2u) * op_m[i] + op_g[i]);
    op_m[i] = m;
    op_p[i] = op_p[i] - real(1u) * m;
}

// ---- adam (AdamW when decay ≠ 1). Words: n, step size lr/bc1, β1, β2, ε, √bc2, decay 1−lr·wd, decays.
@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if skipped(i) {
        return;
    }
    let g = op_g[i];
    var p = op_p[i];
    if word(7u) != 0u {
        p *= real(6u);
    }
    let b1 = real(2u);
    let b2 = real(3u);
    let m = flushed(b1 * op_m[i] + (1.0 - b1) * g);
    // A gradient too small to square without a subnormal number counts as zero there, as on
    // the CPU (`squarable` in crates/engine/src/cpu/optim.rs).
    let gs = select(g, 0.0, abs(g) < 1e-15);
    let v = flushed(b2 * op_v[i] + (1.0 - b2) * gs * gs);
    op_m[i] = m;
    op_v[i] = v;
    let denom = sqrt(v) / real(5u) + real(4u);
    op_p[i] = p - real(1u) * m / denom;
}
