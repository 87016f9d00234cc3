// Element-wise and row-wise ops: bias and activation with its backward, column sums, axpby,
// column copies, dropout, products, scaling, penalties and gradient noise.
// Prepended: common.wgsl, activation.wgsl, rng.wgsl. Words: see each entry point.

// ---- bias_act: z += bias (per column, when has_bias), y = act(z). Words: n, cols, act, has_bias.
@group(0) @binding(1) var<storage, read> ba_bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> ba_z: array<f32>;
@group(0) @binding(3) var<storage, read_write> ba_y: array<f32>;

@compute @workgroup_size(256)
fn bias_act(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    var z = ba_z[i];
    if word(3u) != 0u {
        z += ba_bias[i % word(1u)];
        ba_z[i] = z;
    }
    ba_y[i] = act_forward(word(2u), z);
}

// ---- act_backward: g *= act'(z). Words: n, act.
@group(0) @binding(1) var<storage, read> ab_z: array<f32>;
@group(0) @binding(2) var<storage, read> ab_y: array<f32>;
@group(0) @binding(3) var<storage, read_write> ab_g: array<f32>;

@compute @workgroup_size(256)
fn act_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    ab_g[i] *= act_derivative(word(1u), ab_z[i], ab_y[i]);
}

// ---- col_sum: out (+)= column sums of x, one thread per column. Words: rows, cols, accumulate.
@group(0) @binding(1) var<storage, read> cs_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> cs_out: array<f32>;

@compute @workgroup_size(256)
fn col_sum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = flat(gid, groups);
    let rows = word(0u);
    let cols = word(1u);
    if c >= cols {
        return;
    }
    var sum = 0.0;
    for (var r = 0u; r < rows; r++) {
        sum += cs_x[r * cols + c];
    }
    if word(2u) != 0u {
        sum += cs_out[c];
    }
    cs_out[c] = sum;
}

// ---- axpby: y = a·x + b·y (b = 0 overwrites y, as the CPU does). Words: n, a, b.
@group(0) @binding(1) var<storage, read> ax_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> ax_y: array<f32>;

@compute @workgroup_size(256)
fn axpby(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    let b = real(2u);
    if b == 0.0 {
        ax_y[i] = real(1u) * ax_x[i];
    } else {
        ax_y[i] = real(1u) * ax_x[i] + b * ax_y[i];
    }
}

// ---- copy_cols: dst[:, dst_at..][..width] (+)= src[:, src_at..][..width].
// Words: rows, width, src_cols, src_at, dst_cols, dst_at, accumulate.
@group(0) @binding(1) var<storage, read> cc_src: array<f32>;
@group(0) @binding(2) var<storage, read_write> cc_dst: array<f32>;

@compute @workgroup_size(256)
fn copy_cols(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let width = word(1u);
    if i >= word(0u) * width {
        return;
    }
    let r = i / width;
    let j = i % width;
    let v = cc_src[r * word(2u) + word(3u) + j];
    let d = r * word(4u) + word(5u) + j;
    if word(6u) != 0u {
        cc_dst[d] += v;
    } else {
        cc_dst[d] = v;
    }
}

// ---- dropout: mask = keep-or-drop (scaled), y = x ⊙ mask. Words: n, key, rate, keep scale.
@group(0) @binding(1) var<storage, read> dr_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dr_mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> dr_y: array<f32>;

@compute @workgroup_size(256)
fn dropout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    let m = select(0.0, real(3u), rand_uniform(word(1u), i) >= real(2u));
    dr_mask[i] = m;
    dr_y[i] = dr_x[i] * m;
}

// ---- mul: y = x ⊙ m. Words: n.
@group(0) @binding(1) var<storage, read> mu_x: array<f32>;
@group(0) @binding(2) var<storage, read> mu_m: array<f32>;
@group(0) @binding(3) var<storage, read_write> mu_y: array<f32>;

@compute @workgroup_size(256)
fn mul(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    mu_y[i] = mu_x[i] * mu_m[i];
}

// ---- scale: y *= s. Words: n, s.
@group(0) @binding(1) var<storage, read_write> sc_y: array<f32>;

@compute @workgroup_size(256)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    sc_y[i] *= real(1u);
}

// ---- penalty: g += l1·sign(p) + l2·p. Words: n, l1, l2.
@group(0) @binding(1) var<storage, read> pe_p: array<f32>;
@group(0) @binding(2) var<storage, read_write> pe_g: array<f32>;

@compute @workgroup_size(256)
fn penalty(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    let p = pe_p[i];
    pe_g[i] = pe_g[i] + real(1u) * sign(p) + real(2u) * p;
}

// ---- add_noise: g += std · N(0, 1). Words: n, key, std.
@group(0) @binding(1) var<storage, read_write> no_g: array<f32>;

@compute @workgroup_size(256)
fn add_noise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    no_g[i] += real(2u) * rand_normal(word(1u), i);
}
