// Reductions to one number, in two dispatches: `partial_sums` leaves one sum per workgroup,
// `final_sum` adds those into one slot of the results buffer (so several sums leave the GPU in
// one read-back). Also the losses, which write their gradient and per-row terms to sum.
// Prepended: common.wgsl, activation.wgsl.

var<workgroup> shared_sums: array<f32, 256>;

fn tree_sum(lid: u32, value: f32) -> f32 {
    shared_sums[lid] = value;
    workgroupBarrier();
    for (var half = GROUP / 2u; half > 0u; half /= 2u) {
        if lid < half {
            shared_sums[lid] += shared_sums[lid + half];
        }
        workgroupBarrier();
    }
    return shared_sums[0];
}

// ---- partial_sums: partials[wg] = Σ x (or x²) over a grid stride. Words: n, square.
@group(0) @binding(1) var<storage, read> ps_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> ps_partials: array<f32>;

@compute @workgroup_size(256)
fn partial_sums(
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let n = word(0u);
    let square = word(1u) != 0u;
    var sum = 0.0;
    for (var i = wid.x * GROUP + lid.x; i < n; i += groups.x * GROUP) {
        let v = ps_x[i];
        sum += select(v, v * v, square);
    }
    let total = tree_sum(lid.x, sum);
    if lid.x == 0u {
        ps_partials[wid.x] = total;
    }
}

// ---- final_sum: results[slot] = scale · Σ partials[..count]. Words: count, slot, scale.
@group(0) @binding(1) var<storage, read> fs_partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> fs_results: array<f32>;

@compute @workgroup_size(256)
fn final_sum(@builtin(local_invocation_id) lid: vec3<u32>) {
    let count = word(0u);
    var sum = 0.0;
    for (var i = lid.x; i < count; i += GROUP) {
        sum += fs_partials[i];
    }
    let total = tree_sum(lid.x, sum);
    if lid.x == 0u {
        fs_results[word(1u)] = total * real(2u);
    }
}

// ---- Losses: the gradient of the mean loss in `grad` and each row's (MSE: each element's)
// loss in `terms`, summed afterwards. Words: rows, cols.
@group(0) @binding(1) var<storage, read> lo_out: array<f32>;
@group(0) @binding(2) var<storage, read> lo_t: array<f32>;
@group(0) @binding(3) var<storage, read_write> lo_grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> lo_terms: array<f32>;

@compute @workgroup_size(256)
fn mse(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let n = word(0u) * word(1u);
    if i >= n {
        return;
    }
    let d = lo_out[i] - lo_t[i];
    lo_terms[i] = d * d;
    lo_grad[i] = 2.0 * d / f32(n);
}

@compute @workgroup_size(256)
fn binary_cross_entropy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = flat(gid, groups);
    let rows = word(0u);
    if r >= rows {
        return;
    }
    let cols = word(1u);
    let z = lo_out[r * cols];
    let t = lo_t[r];
    // max(z, 0) − z·t + log(1 + e^−|z|)
    lo_terms[r] = max(z, 0.0) - z * t + log(1.0 + exp(-abs(z)));
    lo_grad[r * cols] = (sigmoid(z) - t) / f32(rows);
}

@compute @workgroup_size(256)
fn cross_entropy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = flat(gid, groups);
    let rows = word(0u);
    if r >= rows {
        return;
    }
    let cols = word(1u);
    let base = r * cols;
    var top = lo_out[base];
    for (var c = 1u; c < cols; c++) {
        top = max(top, lo_out[base + c]);
    }
    var sum = 0.0;
    for (var c = 0u; c < cols; c++) {
        sum += exp(lo_out[base + c] - top);
    }
    let log_sum = top + log(sum);
    let label = u32(lo_t[r]);
    lo_terms[r] = log_sum - lo_out[base + label];
    for (var c = 0u; c < cols; c++) {
        let p = exp(lo_out[base + c] - log_sum);
        lo_grad[base + c] = (p - select(0.0, 1.0, c == label)) / f32(rows);
    }
}
