// Mixture-of-experts routing and gating, forward and backward side by side
// (crates/engine/src/cpu/moe.rs, Switch Transformer's conventions): a softmax router picks each
// row's top-k experts; the load-balancing loss balance · E · Σ_e f_e · P_e. Prepended: common.wgsl.

const MAX_EXPERTS: u32 = 64u;
// Below this a probability is 0, and a chosen expert with such a probability gets it as its
// gate (RULED_OUT in crates/engine/src/cpu/moe.rs: it keeps the numbers off the subnormals).
const RULED_OUT: f32 = 1e-20;

// ---- route_rows: probabilities and gates, one thread per row. Words: rows, experts, top_k.
@group(0) @binding(1) var<storage, read> rr_logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> rr_probs: array<f32>;
@group(0) @binding(3) var<storage, read_write> rr_gates: array<f32>;

@compute @workgroup_size(256)
fn route_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = flat(gid, groups);
    let experts = word(1u);
    if r >= word(0u) {
        return;
    }
    let base = r * experts;
    var top = -3.4e38;
    for (var e = 0u; e < experts; e++) {
        top = max(top, rr_logits[base + e]);
    }
    var sum = 0.0;
    for (var e = 0u; e < experts; e++) {
        sum += exp(rr_logits[base + e] - top);
    }
    for (var e = 0u; e < experts; e++) {
        let q = exp(rr_logits[base + e] - top) / sum;
        rr_probs[base + e] = select(q, 0.0, q < RULED_OUT);
        rr_gates[base + e] = 0.0;
    }
    // Top-k by probability; ties go to the lower index, as on the CPU.
    for (var n = 0u; n < word(2u); n++) {
        var best = experts;
        for (var e = 0u; e < experts; e++) {
            if rr_gates[base + e] == 0.0 && (best == experts || rr_probs[base + e] > rr_probs[base + best]) {
                best = e;
            }
        }
        let p = rr_probs[base + best];
        rr_gates[base + best] = select(RULED_OUT, p, p > 0.0);
    }
}

// ---- balance_loss: aux[0] = balance · E · Σ_e (chosen_e / (rows·k)) · (mean p_e), one thread.
// Words: rows, experts, top_k, balance.
@group(0) @binding(1) var<storage, read> bl_probs: array<f32>;
@group(0) @binding(2) var<storage, read> bl_gates: array<f32>;
@group(0) @binding(3) var<storage, read_write> bl_aux: array<f32>;

@compute @workgroup_size(1)
fn balance_loss() {
    let rows = word(0u);
    let experts = word(1u);
    let n = f32(max(rows, 1u));
    var loss = 0.0;
    for (var e = 0u; e < experts; e++) {
        var chosen = 0.0;
        var mean_p = 0.0;
        for (var r = 0u; r < rows; r++) {
            chosen += select(0.0, 1.0, bl_gates[r * experts + e] != 0.0);
            mean_p += bl_probs[r * experts + e];
        }
        loss += (chosen / (n * f32(word(2u)))) * (mean_p / n);
    }
    bl_aux[0] = real(3u) * f32(experts) * loss;
}

// ---- route_backward: the router logits' gradient, one thread per row (each counts the
// experts' shares itself: rows are few hundred, experts at most 64). Words: rows, experts, top_k, balance.
@group(0) @binding(1) var<storage, read> rb_probs: array<f32>;
@group(0) @binding(2) var<storage, read> rb_gates: array<f32>;
@group(0) @binding(3) var<storage, read> rb_dgates: array<f32>;
@group(0) @binding(4) var<storage, read_write> rb_dlogits: array<f32>;

@compute @workgroup_size(256)
fn route_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = flat(gid, groups);
    let rows = word(0u);
    let experts = word(1u);
    if r >= rows {
        return;
    }
    let n = f32(max(rows, 1u));
    let k = f32(word(2u));
    let weight = real(3u) * f32(experts);
    var dp: array<f32, MAX_EXPERTS>;
    var dot = 0.0;
    let base = r * experts;
    for (var e = 0u; e < experts; e++) {
        var share = 0.0;
        for (var s = 0u; s < rows; s++) {
            share += select(0.0, 1.0, rb_gates[s * experts + e] != 0.0);
        }
        let chosen = rb_gates[base + e] != 0.0;
        dp[e] = select(0.0, rb_dgates[base + e], chosen) + weight * (share / (n * k)) / n;
        dot += rb_probs[base + e] * dp[e];
    }
    for (var e = 0u; e < experts; e++) {
        rb_dlogits[base + e] = rb_probs[base + e] * (dp[e] - dot);
    }
}

// ---- gate_rows: y (+)= gates[:, expert] ⊙ x. Words: rows, cols, experts, expert, accumulate.
@group(0) @binding(1) var<storage, read> gr_gates: array<f32>;
@group(0) @binding(2) var<storage, read> gr_x: array<f32>;
@group(0) @binding(3) var<storage, read_write> gr_y: array<f32>;

@compute @workgroup_size(256)
fn gate_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let cols = word(1u);
    if i >= word(0u) * cols {
        return;
    }
    let v = gr_gates[(i / cols) * word(2u) + word(3u)] * gr_x[i];
    gr_y[i] = select(v, gr_y[i] + v, word(4u) != 0u);
}

// ---- gate_grad: d_gates[:, expert] = rowsum(g ⊙ x). Words: rows, cols, experts, expert.
@group(0) @binding(1) var<storage, read> gg_g: array<f32>;
@group(0) @binding(2) var<storage, read> gg_x: array<f32>;
@group(0) @binding(3) var<storage, read_write> gg_d: array<f32>;

@compute @workgroup_size(256)
fn gate_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = flat(gid, groups);
    let cols = word(1u);
    if r >= word(0u) {
        return;
    }
    var dot = 0.0;
    for (var c = 0u; c < cols; c++) {
        dot += gg_g[r * cols + c] * gg_x[r * cols + c];
    }
    gg_d[r * word(2u) + word(3u)] = dot;
}
