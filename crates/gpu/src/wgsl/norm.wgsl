// LayerNorm, RMSNorm and BatchNorm, forward and backward side by side, as the CPU reference
// computes them (crates/engine/src/cpu/norm.rs): y = x̂·γ + β; with ĝ = g·γ,
// dx = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) / σ over the normalised axis (RMSNorm drops mean(ĝ)).
// Rows normalise one thread per row, BatchNorm one thread per column. Prepended: common.wgsl.

const LAYER: u32 = 0u;
const RMS: u32 = 1u;

// ---- rows_forward (LayerNorm, RMSNorm). Words: rows, cols, eps, kind, has_shift.
@group(0) @binding(1) var<storage, read> rf_x: array<f32>;
@group(0) @binding(2) var<storage, read> rf_gain: array<f32>;
@group(0) @binding(3) var<storage, read> rf_shift: array<f32>;
@group(0) @binding(4) var<storage, read_write> rf_xhat: array<f32>;
@group(0) @binding(5) var<storage, read_write> rf_inv: array<f32>;
@group(0) @binding(6) var<storage, read_write> rf_y: array<f32>;

@compute @workgroup_size(256)
fn rows_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = flat(gid, groups);
    let cols = word(1u);
    if r >= word(0u) {
        return;
    }
    let base = r * cols;
    var mean = 0.0;
    if word(3u) == LAYER {
        for (var c = 0u; c < cols; c++) {
            mean += rf_x[base + c];
        }
        mean /= f32(cols);
    }
    var ss = 0.0;
    for (var c = 0u; c < cols; c++) {
        let d = rf_x[base + c] - mean;
        ss += d * d;
    }
    let inv = 1.0 / sqrt(ss / f32(cols) + real(2u));
    rf_inv[r] = inv;
    let shifted = word(4u) != 0u;
    for (var c = 0u; c < cols; c++) {
        let h = (rf_x[base + c] - mean) * inv;
        rf_xhat[base + c] = h;
        rf_y[base + c] = h * rf_gain[c] + select(0.0, rf_shift[c], shifted);
    }
}

// ---- batch_forward. Words: rows, cols, eps, train, has_running, momentum, has_shift.
@group(0) @binding(1) var<storage, read> bf_x: array<f32>;
@group(0) @binding(2) var<storage, read> bf_gain: array<f32>;
@group(0) @binding(3) var<storage, read> bf_shift: array<f32>;
@group(0) @binding(4) var<storage, read_write> bf_mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> bf_var: array<f32>;
@group(0) @binding(6) var<storage, read_write> bf_xhat: array<f32>;
@group(0) @binding(7) var<storage, read_write> bf_inv: array<f32>;
@group(0) @binding(8) var<storage, read_write> bf_y: array<f32>;

@compute @workgroup_size(256)
fn batch_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = flat(gid, groups);
    let rows = word(0u);
    let cols = word(1u);
    if c >= cols {
        return;
    }
    var mean: f32;
    var inv: f32;
    if word(3u) != 0u {
        mean = 0.0;
        for (var r = 0u; r < rows; r++) {
            mean += bf_x[r * cols + c];
        }
        mean /= f32(rows);
        var ss = 0.0;
        for (var r = 0u; r < rows; r++) {
            let d = bf_x[r * cols + c] - mean;
            ss += d * d;
        }
        if word(4u) != 0u {
            // The running variance is unbiased, as PyTorch keeps it.
            let unbiased = select(ss, ss / f32(rows - 1u), rows > 1u);
            let m = real(5u);
            bf_mean[c] = (1.0 - m) * bf_mean[c] + m * mean;
            bf_var[c] = (1.0 - m) * bf_var[c] + m * unbiased;
        }
        inv = 1.0 / sqrt(ss / f32(rows) + real(2u));
    } else {
        mean = bf_mean[c];
        inv = 1.0 / sqrt(bf_var[c] + real(2u));
    }
    bf_inv[c] = inv;
    for (var r = 0u; r < rows; r++) {
        let h = (bf_x[r * cols + c] - mean) * inv;
        bf_xhat[r * cols + c] = h;
        bf_y[r * cols + c] = h * bf_gain[c] + select(0.0, bf_shift[c], word(6u) != 0u);
    }
}

// ---- param_grads: d_gain = Σ_rows g·x̂, d_shift = Σ_rows g. Words: rows, cols, has_shift.
@group(0) @binding(1) var<storage, read> pg_g: array<f32>;
@group(0) @binding(2) var<storage, read> pg_xhat: array<f32>;
@group(0) @binding(3) var<storage, read_write> pg_gain: array<f32>;
@group(0) @binding(4) var<storage, read_write> pg_shift: array<f32>;

@compute @workgroup_size(256)
fn param_grads(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = flat(gid, groups);
    let rows = word(0u);
    let cols = word(1u);
    if c >= cols {
        return;
    }
    var dg = 0.0;
    var ds = 0.0;
    for (var r = 0u; r < rows; r++) {
        let g = pg_g[r * cols + c];
        dg += g * pg_xhat[r * cols + c];
        ds += g;
    }
    pg_gain[c] = dg;
    if word(2u) != 0u {
        pg_shift[c] = ds;
    }
}

// ---- input_grad. Words: rows, cols, mode (0 LayerNorm, 1 RMSNorm, 2 BatchNorm training,
// 3 BatchNorm evaluation). One thread per row (0, 1), per column (2), per element (3).
@group(0) @binding(1) var<storage, read> ig_g: array<f32>;
@group(0) @binding(2) var<storage, read> ig_gain: array<f32>;
@group(0) @binding(3) var<storage, read> ig_xhat: array<f32>;
@group(0) @binding(4) var<storage, read> ig_inv: array<f32>;
@group(0) @binding(5) var<storage, read_write> ig_dx: array<f32>;

@compute @workgroup_size(256)
fn input_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let rows = word(0u);
    let cols = word(1u);
    let mode = word(2u);
    if mode == 3u {
        if i < rows * cols {
            let c = i % cols;
            ig_dx[i] = ig_g[i] * ig_gain[c] * ig_inv[c];
        }
        return;
    }
    // Rows: walk the columns of row i; BatchNorm: walk the rows of column i.
    var count: u32;
    var start: u32;
    var stride: u32;
    if mode == 2u {
        if i >= cols {
            return;
        }
        count = rows;
        start = i;
        stride = cols;
    } else {
        if i >= rows {
            return;
        }
        count = cols;
        start = i * cols;
        stride = 1u;
    }
    var mean_g = 0.0;
    var mean_gx = 0.0;
    for (var n = 0u; n < count; n++) {
        let at = start + n * stride;
        let gh = ig_g[at] * ig_gain[at % cols];
        mean_g += gh;
        mean_gx += gh * ig_xhat[at];
    }
    mean_g = select(mean_g / f32(count), 0.0, mode == RMS);
    mean_gx /= f32(count);
    let inv = ig_inv[i];
    for (var n = 0u; n < count; n++) {
        let at = start + n * stride;
        let gh = ig_g[at] * ig_gain[at % cols];
        ig_dx[at] = (gh - mean_g - ig_xhat[at] * mean_gx) * inv;
    }
}
