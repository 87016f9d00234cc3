// Ops on sequences of tokens, forward and backward side by side (crates/engine/src/cpu/sequence.rs):
// the token and position embedding, pooling, swapping two middle axes (Mixer's transposes and
// cutting images into patches), and multi-head scaled dot-product attention. A batch of
// sequences is rows · len token rows of dim numbers. Scatters (an embedding's gradient, the
// keys' and values' gradients) are written as gathers, one thread per output, so no two
// threads add to one number. Prepended: common.wgsl.

const MAX_SEQUENCE: u32 = 256u;

fn token(v: f32, vocab: u32) -> u32 {
    // Ids outside the vocabulary (which the data never holds) are clamped, as on the CPU.
    if v > 0.0 {
        return min(u32(v), vocab - 1u);
    }
    return 0u;
}

// ---- embed_forward: y[e, t] = table[ids[e, t]] + pos[t]. Words: rows, len, vocab, dim.
@group(0) @binding(1) var<storage, read> ef_ids: array<f32>;
@group(0) @binding(2) var<storage, read> ef_table: array<f32>;
@group(0) @binding(3) var<storage, read> ef_pos: array<f32>;
@group(0) @binding(4) var<storage, read_write> ef_y: array<f32>;

@compute @workgroup_size(256)
fn embed_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let len = word(1u);
    let dim = word(3u);
    if i >= word(0u) * len * dim {
        return;
    }
    let row = i / dim;
    let c = i % dim;
    let t = row % len;
    ef_y[i] = ef_table[token(ef_ids[row], word(2u)) * dim + c] + ef_pos[t * dim + c];
}

// ---- embed_table_grad: d_table[v, c] = Σ over tokens with id v of g. Words: rows, len, vocab, dim.
@group(0) @binding(1) var<storage, read> et_ids: array<f32>;
@group(0) @binding(2) var<storage, read> et_g: array<f32>;
@group(0) @binding(3) var<storage, read_write> et_d: array<f32>;

@compute @workgroup_size(256)
fn embed_table_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let vocab = word(2u);
    let dim = word(3u);
    if i >= vocab * dim {
        return;
    }
    let v = i / dim;
    let c = i % dim;
    var sum = 0.0;
    let tokens = word(0u) * word(1u);
    for (var n = 0u; n < tokens; n++) {
        if token(et_ids[n], vocab) == v {
            sum += et_g[n * dim + c];
        }
    }
    et_d[i] = sum;
}

// ---- embed_pos_grad: d_pos[t, c] = Σ_e g[e, t, c]. Words: rows, len, dim.
@group(0) @binding(1) var<storage, read> ep_g: array<f32>;
@group(0) @binding(2) var<storage, read_write> ep_d: array<f32>;

@compute @workgroup_size(256)
fn embed_pos_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let len = word(1u);
    let dim = word(2u);
    if i >= len * dim {
        return;
    }
    var sum = 0.0;
    for (var e = 0u; e < word(0u); e++) {
        sum += ep_g[e * len * dim + i];
    }
    ep_d[i] = sum;
}

// ---- pool_forward: the mean or the last of each sequence. Words: rows, len, dim, last.
@group(0) @binding(1) var<storage, read> pf_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> pf_y: array<f32>;

@compute @workgroup_size(256)
fn pool_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let len = word(1u);
    let dim = word(2u);
    if i >= word(0u) * dim {
        return;
    }
    let e = i / dim;
    let c = i % dim;
    if word(3u) != 0u {
        pf_y[i] = pf_x[(e * len + len - 1u) * dim + c];
        return;
    }
    var sum = 0.0;
    for (var t = 0u; t < len; t++) {
        sum += pf_x[(e * len + t) * dim + c];
    }
    pf_y[i] = sum * (1.0 / f32(len));
}

// ---- pool_backward. Words: rows, len, dim, last.
@group(0) @binding(1) var<storage, read> pb_g: array<f32>;
@group(0) @binding(2) var<storage, read_write> pb_dx: array<f32>;

@compute @workgroup_size(256)
fn pool_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = flat(gid, groups);
    let len = word(1u);
    let dim = word(2u);
    if i >= word(0u) * len * dim {
        return;
    }
    let row = i / dim;
    let e = row / len;
    let t = row % len;
    let g = pb_g[e * dim + i % dim];
    if word(3u) != 0u {
        pb_dx[i] = select(0.0, g, t == len - 1u);
    } else {
        pb_dx[i] = g * (1.0 / f32(len));
    }
}

// ---- swap_axes: y[e, o, j, i, k] = x[e, o, i, j, k]. Words: blocks (examples·outer), a, b, inner.
@group(0) @binding(1) var<storage, read> sw_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> sw_y: array<f32>;

@compute @workgroup_size(256)
fn swap_axes(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = flat(gid, groups);
    let a = word(1u);
    let b = word(2u);
    let inner = word(3u);
    let block = a * b * inner;
    if n >= word(0u) * block {
        return;
    }
    let base = n - n % block;
    let k = n % inner;
    let ji = (n % block) / inner;
    let j = ji / a;
    let i = ji % a;
    sw_y[n] = sw_x[base + (i * b + j) * inner + k];
}

// ---- Attention. Words: rows, len, dim, heads, causal. `qkv` rows are [q | k | v].
fn qkv_at(e: u32, t: u32, part: u32, h: u32) -> u32 {
    let len = word(1u);
    let dim = word(2u);
    let head = dim / word(3u);
    return (e * len + t) * 3u * dim + part * dim + h * head;
}

// attention_forward: one thread per (example, head, query token).
@group(0) @binding(1) var<storage, read> af_qkv: array<f32>;
@group(0) @binding(2) var<storage, read_write> af_probs: array<f32>;
@group(0) @binding(3) var<storage, read_write> af_o: array<f32>;

@compute @workgroup_size(256)
fn attention_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = flat(gid, groups);
    let len = word(1u);
    let dim = word(2u);
    let heads = word(3u);
    if n >= word(0u) * heads * len {
        return;
    }
    let i = n % len;
    let h = (n / len) % heads;
    let e = n / (len * heads);
    let head = dim / heads;
    let scale = 1.0 / sqrt(f32(head));
    let visible = select(len, i + 1u, word(4u) != 0u);
    var scores: array<f32, MAX_SEQUENCE>;
    var top = -3.4e38;
    let q = qkv_at(e, i, 0u, h);
    for (var j = 0u; j < visible; j++) {
        let k = qkv_at(e, j, 1u, h);
        var s = 0.0;
        for (var c = 0u; c < head; c++) {
            s += af_qkv[q + c] * af_qkv[k + c];
        }
        scores[j] = s * scale;
        top = max(top, scores[j]);
    }
    var sum = 0.0;
    for (var j = 0u; j < visible; j++) {
        scores[j] = exp(scores[j] - top);
        sum += scores[j];
    }
    let p = n * len;
    for (var j = 0u; j < len; j++) {
        af_probs[p + j] = select(0.0, scores[j] / sum, j < visible);
    }
    let out = (e * len + i) * dim + h * head;
    for (var c = 0u; c < head; c++) {
        var acc = 0.0;
        for (var j = 0u; j < visible; j++) {
            acc += af_probs[p + j] * af_qkv[qkv_at(e, j, 2u, h) + c];
        }
        af_o[out + c] = acc;
    }
}

// attention_scores_grad: one thread per (example, head, query token i): the scores' gradient
// ds[i, j] = p_ij (dp_ij − Σ_j' p_ij' dp_ij') / √d with dp_ij = do_i · v_j, kept for the keys,
// and the query's gradient dq_i = Σ_j ds_ij k_j.
@group(0) @binding(1) var<storage, read> as_qkv: array<f32>;
@group(0) @binding(2) var<storage, read> as_probs: array<f32>;
@group(0) @binding(3) var<storage, read> as_do: array<f32>;
@group(0) @binding(4) var<storage, read_write> as_ds: array<f32>;
@group(0) @binding(5) var<storage, read_write> as_dqkv: array<f32>;

@compute @workgroup_size(256)
fn attention_scores_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = flat(gid, groups);
    let len = word(1u);
    let dim = word(2u);
    let heads = word(3u);
    if n >= word(0u) * heads * len {
        return;
    }
    let i = n % len;
    let h = (n / len) % heads;
    let e = n / (len * heads);
    let head = dim / heads;
    let scale = 1.0 / sqrt(f32(head));
    let visible = select(len, i + 1u, word(4u) != 0u);
    let grad = (e * len + i) * dim + h * head;
    let p = n * len;
    var dot = 0.0;
    for (var j = 0u; j < visible; j++) {
        let v = qkv_at(e, j, 2u, h);
        var d = 0.0;
        for (var c = 0u; c < head; c++) {
            d += as_do[grad + c] * as_qkv[v + c];
        }
        as_ds[p + j] = d;
        dot += as_probs[p + j] * d;
    }
    for (var j = 0u; j < len; j++) {
        as_ds[p + j] = select(0.0, as_probs[p + j] * (as_ds[p + j] - dot) * scale, j < visible);
    }
    let dq = qkv_at(e, i, 0u, h);
    for (var c = 0u; c < head; c++) {
        var acc = 0.0;
        for (var j = 0u; j < visible; j++) {
            acc += as_ds[p + j] * as_qkv[qkv_at(e, j, 1u, h) + c];
        }
        as_dqkv[dq + c] = acc;
    }
}

// attention_kv_grad: one thread per (example, head, key token j): dk_j = Σ_i ds_ij q_i and
// dv_j = Σ_i p_ij do_i (causal: only queries i ≥ j see key j, and their p_ij, ds_ij are 0 otherwise).
@group(0) @binding(1) var<storage, read> akv_qkv: array<f32>;
@group(0) @binding(2) var<storage, read> akv_probs: array<f32>;
@group(0) @binding(3) var<storage, read> akv_do: array<f32>;
@group(0) @binding(4) var<storage, read> akv_ds: array<f32>;
@group(0) @binding(5) var<storage, read_write> akv_dqkv: array<f32>;

@compute @workgroup_size(256)
fn attention_kv_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let n = flat(gid, groups);
    let len = word(1u);
    let dim = word(2u);
    let heads = word(3u);
    if n >= word(0u) * heads * len {
        return;
    }
    let j = n % len;
    let h = (n / len) % heads;
    let e = n / (len * heads);
    let head = dim / heads;
    let rows_of_head = (e * heads + h) * len;
    let dk = qkv_at(e, j, 1u, h);
    let dv = qkv_at(e, j, 2u, h);
    for (var c = 0u; c < head; c++) {
        var k_acc = 0.0;
        var v_acc = 0.0;
        for (var i = 0u; i < len; i++) {
            let at = (rows_of_head + i) * len + j;
            k_acc += akv_ds[at] * akv_qkv[qkv_at(e, i, 0u, h) + c];
            v_acc += akv_probs[at] * akv_do[(e * len + i) * dim + h * head + c];
        }
        akv_dqkv[dk + c] = k_acc;
        akv_dqkv[dv + c] = v_acc;
    }
}
