// The per-edge functions of Kolmogorov-Arnold layers, forward and backward side by side
// (crates/engine/src/cpu/kan.rs): B-spline features [silu(x), B₀(x), …] on a uniform grid, and
// group rationals P(x) / (1 + |Q(x)|). One thread per input number. Prepended: common.wgsl,
// activation.wgsl.

// Knots of the largest grid: MAX_KAN_GRID + 2·MAX_KAN_ORDER + 1.
const KNOTS: u32 = 75u;

fn knot(m: u32) -> f32 {
    // Words 2..5: grid, order, lo, hi.
    let h = (real(4u) - real(3u)) / f32(word(1u));
    return real(3u) + (f32(m) - f32(word(2u))) * h;
}

// B-splines of order `upto` at x by the Cox–de Boor recursion, in place (ascending j reads the
// lower order's j and j + 1 before overwriting j).
fn splines(x: f32, upto: u32, b: ptr<function, array<f32, KNOTS>>) {
    let knots = word(1u) + 2u * word(2u) + 1u;
    for (var j = 0u; j < knots - 1u; j++) {
        (*b)[j] = select(0.0, 1.0, knot(j) <= x && x < knot(j + 1u));
    }
    let h = (real(4u) - real(3u)) / f32(word(1u));
    for (var p = 1u; p <= upto; p++) {
        for (var j = 0u; j < knots - 1u - p; j++) {
            let left = (x - knot(j)) / (f32(p) * h) * (*b)[j];
            let right = (knot(j + p + 1u) - x) / (f32(p) * h) * (*b)[j + 1u];
            (*b)[j] = left + right;
        }
    }
}

// ---- kan_basis. Words: n (rows·width), grid, order, lo, hi.
@group(0) @binding(1) var<storage, read> kb_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> kb_f: array<f32>;

@compute @workgroup_size(256)
fn kan_basis(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    let basis = word(1u) + word(2u);
    let x = kb_x[i];
    let out = i * (basis + 1u);
    kb_f[out] = x * sigmoid(x);
    var b: array<f32, KNOTS>;
    splines(x, word(2u), &b);
    for (var j = 0u; j < basis; j++) {
        kb_f[out + 1u + j] = b[j];
    }
}

// ---- kan_basis_backward: dx = d₀·silu'(x) + Σ_j d_j (B_{j,k−1} − B_{j+1,k−1}) / h.
// Words: n, grid, order, lo, hi.
@group(0) @binding(1) var<storage, read> kd_x: array<f32>;
@group(0) @binding(2) var<storage, read> kd_df: array<f32>;
@group(0) @binding(3) var<storage, read_write> kd_dx: array<f32>;

@compute @workgroup_size(256)
fn kan_basis_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    if i >= word(0u) {
        return;
    }
    let basis = word(1u) + word(2u);
    let h = (real(4u) - real(3u)) / f32(word(1u));
    let x = kd_x[i];
    let d = i * (basis + 1u);
    let s = sigmoid(x);
    var total = kd_df[d] * (s + x * s * (1.0 - s));
    var b: array<f32, KNOTS>;
    splines(x, word(2u) - 1u, &b);
    for (var j = 0u; j < basis; j++) {
        total += kd_df[d + 1u + j] * (b[j] - b[j + 1u]) / h;
    }
    kd_dx[i] = total;
}

// A group's rational: P(x) = a₀ + … + a₅x⁵, Q(x) = b₁x + … + b₄x⁴ (10 coefficients, a then b).
struct Rational {
    p: f32,
    q: f32,
}

// ---- rational_forward: y = P(x) / (1 + |Q(x)|). Words: rows, width, groups.
@group(0) @binding(1) var<storage, read> rf_x: array<f32>;
@group(0) @binding(2) var<storage, read> rf_c: array<f32>;
@group(0) @binding(3) var<storage, read_write> rf_y: array<f32>;

fn eval_rational(c: u32, x: f32) -> Rational {
    var p = 0.0;
    for (var n = 0u; n < 6u; n++) {
        p = p * x + rf_c[c + 5u - n];
    }
    var q = 0.0;
    for (var n = 0u; n < 4u; n++) {
        q = q * x + rf_c[c + 9u - n];
    }
    return Rational(p, q * x);
}

@compute @workgroup_size(256)
fn rational_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let width = word(1u);
    if i >= word(0u) * width {
        return;
    }
    let group = (i % width) / (width / word(2u));
    let r = eval_rational(group * 10u, rf_x[i]);
    rf_y[i] = r.p / (1.0 + abs(r.q));
}

// ---- rational_input_grad: dx. Words: rows, width, groups.
@group(0) @binding(1) var<storage, read> ri_x: array<f32>;
@group(0) @binding(2) var<storage, read> ri_c: array<f32>;
@group(0) @binding(3) var<storage, read> ri_g: array<f32>;
@group(0) @binding(4) var<storage, read_write> ri_dx: array<f32>;

fn rational_parts(c: u32, x: f32) -> vec4<f32> {
    // (p, q, dp/dx, dq/dx)
    var p = 0.0;
    var dp = 0.0;
    for (var n = 0u; n < 6u; n++) {
        dp = dp * x + p;
        p = p * x + ri_c[c + 5u - n];
    }
    var q = 0.0;
    var dq = 0.0;
    // Q(x) = x·(b₁ + b₂x + b₃x² + b₄x³).
    for (var n = 0u; n < 4u; n++) {
        dq = dq * x + q;
        q = q * x + ri_c[c + 9u - n];
    }
    return vec4<f32>(p, q * x, dp, q + x * dq);
}

@compute @workgroup_size(256)
fn rational_input_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let width = word(1u);
    if i >= word(0u) * width {
        return;
    }
    let group = (i % width) / (width / word(2u));
    let v = rational_parts(group * 10u, ri_x[i]);
    let den = 1.0 + abs(v.y);
    ri_dx[i] = ri_g[i] * (v.z / den - v.x * sign(v.y) * v.w / (den * den));
}

// ---- rational_coeff_grad: one thread per (group, coefficient), summed over the rows and the
// group's columns. ∂F/∂a_n = xⁿ / den; ∂F/∂b_n = −p·sign(q)·xⁿ / den². Words: rows, width, groups.
@group(0) @binding(1) var<storage, read> rc_x: array<f32>;
@group(0) @binding(2) var<storage, read> rc_c: array<f32>;
@group(0) @binding(3) var<storage, read> rc_g: array<f32>;
@group(0) @binding(4) var<storage, read_write> rc_d: array<f32>;

@compute @workgroup_size(256)
fn rational_coeff_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let rows = word(0u);
    let width = word(1u);
    let count = word(2u);
    if i >= count * 10u {
        return;
    }
    let group = i / 10u;
    let n = i % 10u;
    let per = width / count;
    let c = group * 10u;
    var acc = 0.0;
    for (var r = 0u; r < rows; r++) {
        for (var col = group * per; col < (group + 1u) * per; col++) {
            let x = rc_x[r * width + col];
            var p = 0.0;
            for (var m = 0u; m < 6u; m++) {
                p = p * x + rc_c[c + 5u - m];
            }
            var q = 0.0;
            for (var m = 0u; m < 4u; m++) {
                q = q * x + rc_c[c + 9u - m];
            }
            q *= x;
            let den = 1.0 + abs(q);
            let g = rc_g[r * width + col];
            if n < 6u {
                acc += g * pow_int(x, n) / den;
            } else {
                acc -= g * p * sign(q) * pow_int(x, n - 5u) / (den * den);
            }
        }
    }
    rc_d[i] = acc;
}

fn pow_int(x: f32, n: u32) -> f32 {
    var v = 1.0;
    for (var m = 0u; m < n; m++) {
        v *= x;
    }
    return v;
}
