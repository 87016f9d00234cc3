// Optimizer updates, one thread per weight, with PyTorch's formulas as the CPU reference has
// them (crates/engine/src/cpu/optim.rs). Prepended: common.wgsl.

@group(0) @binding(1) var<storage, read_write> op_p: array<f32>;
@group(0) @binding(2) var<storage, read> op_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> op_m: array<f32>;
@group(0) @binding(4) var<storage, read_write> op_v: array<f32>;

// ---- sgd: p -= lr·g. Words: n, lr.
@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    op_p[i] = op_p[i] - real(1u) * op_g[i];
}

// ---- momentum: m = μm + g; p -= lr·m. Words: n, lr, μ.
@compute @workgroup_size(256)
fn momentum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    let m = real(2u) * op_m[i] + op_g[i];
    op_m[i] = m;
    op_p[i] = op_p[i] - real(1u) * m;
}

// ---- adam (AdamW when decay ≠ 1). Words: n, step size lr/bc1, β1, β2, ε, √bc2, decay 1−lr·wd, decays.
@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    let g = op_g[i];
    var p = op_p[i];
    if word(7u) != 0u {
        p *= real(6u);
    }
    let b1 = real(2u);
    let b2 = real(3u);
    let m = b1 * op_m[i] + (1.0 - b1) * g;
    let v = b2 * op_v[i] + (1.0 - b2) * g * g;
    op_m[i] = m;
    op_v[i] = v;
    let denom = sqrt(v) / real(5u) + real(4u);
    op_p[i] = p - real(1u) * m / denom;
}
