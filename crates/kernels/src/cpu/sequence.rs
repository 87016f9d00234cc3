//! Ops on sequences of tokens, forward and backward side by side: the token and position
//! embedding, pooling a sequence into one vector, and multi-head scaled dot-product attention.
//! A batch of sequences is `rows · len` token rows of `dim` numbers, example by example.

use super::dot;
use super::elementwise::axpby;
use crate::backend::{AttentionOp, EmbedOp, PoolOp, SwapAxes};
use crate::real::Real;
use layerlab_spec::limits::MAX_SEQUENCE;
use layerlab_spec::model::PoolMode;

/// The token id at `i` as an index; ids outside the vocabulary (which the data never holds)
/// are clamped rather than read out of bounds.
fn id<R: Real>(ids: &[R], i: usize, vocab: usize) -> usize {
    let v = ids[i].to64();
    if v.is_finite() && v > 0.0 { (v as usize).min(vocab - 1) } else { 0 }
}

/// `y[e, t] = table[ids[e, t]] + pos[t]`.
pub fn embed_forward<R: Real>(op: EmbedOp, ids: &[R], table: &[R], pos: &[R], y: &mut [R]) {
    let EmbedOp { rows, len, vocab, dim } = op;
    for e in 0..rows {
        for t in 0..len {
            let token = id(ids, e * len + t, vocab);
            let out = &mut y[(e * len + t) * dim..][..dim];
            for ((o, &w), &p) in out.iter_mut().zip(&table[token * dim..][..dim]).zip(&pos[t * dim..][..dim]) {
                *o = w + p;
            }
        }
    }
}

/// Scatters the output gradient back onto the rows of the table and (when they are learned)
/// the positions.
pub fn embed_backward<R: Real>(op: EmbedOp, ids: &[R], g: &[R], d_table: &mut [R], mut d_pos: Option<&mut [R]>) {
    let EmbedOp { rows, len, vocab, dim } = op;
    d_table.iter_mut().for_each(|v| *v = R::zero());
    if let Some(d) = d_pos.as_deref_mut() {
        d.iter_mut().for_each(|v| *v = R::zero());
    }
    for e in 0..rows {
        for t in 0..len {
            let token = id(ids, e * len + t, vocab);
            let grad = &g[(e * len + t) * dim..][..dim];
            for (d, &v) in d_table[token * dim..][..dim].iter_mut().zip(grad) {
                *d += v;
            }
            if let Some(d_pos) = d_pos.as_deref_mut() {
                for (d, &v) in d_pos[t * dim..][..dim].iter_mut().zip(grad) {
                    *d += v;
                }
            }
        }
    }
}

/// One vector per sequence: the mean of its tokens, or its last token.
pub fn pool_forward<R: Real>(op: PoolOp, x: &[R], y: &mut [R]) {
    let PoolOp { rows, len, dim, mode } = op;
    let scale = R::of(1.0 / len as f64);
    for e in 0..rows {
        let out = &mut y[e * dim..][..dim];
        match mode {
            PoolMode::Mean => {
                out.iter_mut().for_each(|v| *v = R::zero());
                for t in 0..len {
                    for (o, &v) in out.iter_mut().zip(&x[(e * len + t) * dim..][..dim]) {
                        *o += v;
                    }
                }
                out.iter_mut().for_each(|v| *v *= scale);
            }
            PoolMode::Last => out.copy_from_slice(&x[(e * len + len - 1) * dim..][..dim]),
        }
    }
}

pub fn pool_backward<R: Real>(op: PoolOp, g: &[R], dx: &mut [R]) {
    let PoolOp { rows, len, dim, mode } = op;
    let scale = R::of(1.0 / len as f64);
    for e in 0..rows {
        let grad = &g[e * dim..][..dim];
        for t in 0..len {
            let d = &mut dx[(e * len + t) * dim..][..dim];
            match mode {
                PoolMode::Mean => d.iter_mut().zip(grad).for_each(|(d, &v)| *d = v * scale),
                PoolMode::Last if t == len - 1 => d.copy_from_slice(grad),
                PoolMode::Last => d.iter_mut().for_each(|v| *v = R::zero()),
            }
        }
    }
}

/// Where head `h` of the query, key and value of token `t` of example `e` start in `qkv`, whose
/// rows are `[q | k | v]`, each `dim` wide and split into `heads` slices of `dim / heads`.
fn at(op: AttentionOp, e: usize, t: usize, part: usize, h: usize) -> usize {
    let head = op.dim / op.heads;
    (e * op.len + t) * 3 * op.dim + part * op.dim + h * head
}

/// Lanes of a dot product over a head's few numbers.
const HEAD_LANES: usize = 4;

/// `o = softmax(q kᵀ / √d_head + mask) v` per example and head; the attention probabilities go
/// to `probs` (`rows × heads × len × len`), for the backward pass and for plotting. In the
/// backend's precision, as PyTorch's f32 softmax; the sum of the exponentials in f64.
pub fn attention_forward<R: Real>(op: AttentionOp, qkv: &[R], probs: &mut [R], o: &mut [R]) {
    let AttentionOp { rows, len, dim, heads, causal } = op;
    let head = dim / heads;
    let scale = R::of(1.0 / (head as f64).sqrt());
    // On the stack: a step allocates nothing (the spec caps sequences at MAX_SEQUENCE).
    let mut scores = [R::zero(); MAX_SEQUENCE as usize];
    let scores = &mut scores[..len];
    for e in 0..rows {
        for h in 0..heads {
            for i in 0..len {
                let q = &qkv[at(op, e, i, 0, h)..][..head];
                let visible = if causal { i + 1 } else { len };
                let mut max = R::neg_infinity();
                for (j, s) in scores[..visible].iter_mut().enumerate() {
                    *s = dot::<R, HEAD_LANES>(q, &qkv[at(op, e, j, 1, h)..][..head]) * scale;
                    max = max.max(*s);
                }
                let mut sum = 0.0;
                for s in &mut scores[..visible] {
                    *s = (*s - max).exp();
                    sum += s.to64();
                }
                let inverse = R::of(1.0 / sum);
                let p = &mut probs[((e * heads + h) * len + i) * len..][..len];
                for (j, pj) in p.iter_mut().enumerate() {
                    *pj = if j < visible { scores[j] * inverse } else { R::zero() };
                }
                let out = &mut o[(e * len + i) * dim + h * head..][..head];
                out.iter_mut().for_each(|v| *v = R::zero());
                for (j, &pj) in p[..visible].iter().enumerate() {
                    axpby(head, pj.to64(), &qkv[at(op, e, j, 2, h)..][..head], 1.0, out);
                }
            }
        }
    }
}

/// From the gradient of `o` to the gradient of `qkv` (written, not added):
/// `dv = pᵀ do`, `dp = do vᵀ`, `ds = p ⊙ (dp − rowsum(p ⊙ dp))`, `dq = ds k / √d`, `dk = dsᵀ q / √d`.
pub fn attention_backward<R: Real>(op: AttentionOp, qkv: &[R], probs: &[R], d_o: &[R], d_qkv: &mut [R]) {
    let AttentionOp { rows, len, dim, heads, causal } = op;
    let head = dim / heads;
    let scale = 1.0 / (head as f64).sqrt();
    d_qkv[..rows * len * 3 * dim].iter_mut().for_each(|v| *v = R::zero());
    let mut ds = [0.0f64; MAX_SEQUENCE as usize];
    let ds = &mut ds[..len];
    for e in 0..rows {
        for h in 0..heads {
            for i in 0..len {
                let visible = if causal { i + 1 } else { len };
                let p = &probs[((e * heads + h) * len + i) * len..][..len];
                let grad = &d_o[(e * len + i) * dim + h * head..][..head];
                let mut dot_p = 0.0;
                for (j, d) in ds[..visible].iter_mut().enumerate() {
                    *d = dot::<R, HEAD_LANES>(grad, &qkv[at(op, e, j, 2, h)..][..head]).to64();
                    dot_p += p[j].to64() * *d;
                }
                for (j, d) in ds[..visible].iter_mut().enumerate() {
                    let pj = p[j].to64();
                    *d = pj * (*d - dot_p) * scale;
                    // dv_j += p_ij · do_i
                    axpby(head, pj, grad, 1.0, &mut d_qkv[at(op, e, j, 2, h)..][..head]);
                }
                // dq_i += Σ_j ds_ij · k_j, then dk_j += ds_ij · q_i. The key of token j and the
                // query of token i sit at the same offsets in `qkv` and in its gradient.
                let dq = at(op, e, i, 0, h);
                let q = &qkv[dq..][..head];
                for (j, &d) in ds[..visible].iter().enumerate() {
                    axpby(head, d, &qkv[at(op, e, j, 1, h)..][..head], 1.0, &mut d_qkv[dq..][..head]);
                }
                for (j, &d) in ds[..visible].iter().enumerate() {
                    axpby(head, d, q, 1.0, &mut d_qkv[at(op, e, j, 1, h)..][..head]);
                }
            }
        }
    }
}

/// `y[e, o, j, i, k] = x[e, o, i, j, k]`.
pub fn swap_axes<R: Real>(op: SwapAxes, x: &[R], y: &mut [R]) {
    let SwapAxes { examples, outer, a, b, inner } = op;
    let block = a * b * inner;
    for e in 0..examples * outer {
        let (src, dst) = (&x[e * block..][..block], &mut y[e * block..][..block]);
        for i in 0..a {
            for j in 0..b {
                dst[(j * a + i) * inner..][..inner].copy_from_slice(&src[(i * b + j) * inner..][..inner]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swapping_the_middle_axes_cuts_an_image_into_patches_and_transposes_tokens() {
        // A 4×4 image, 2×2 patches: (patch row, pixel row, patch column, pixel column).
        let image: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let cut = SwapAxes { examples: 1, outer: 2, a: 2, b: 2, inner: 2 };
        let mut patches = vec![0.0; 16];
        swap_axes(cut, &image, &mut patches);
        let want = [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15].map(|v| v as f32);
        assert_eq!(patches, want);
        let mut back = vec![0.0; 16];
        swap_axes(cut.inverse(), &patches, &mut back);
        assert_eq!(back, image);
        // Two examples of 2 tokens × 3 channels to 3 channels × 2 tokens.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
        let mut y = [0.0; 12];
        swap_axes(SwapAxes { examples: 2, outer: 1, a: 2, b: 3, inner: 1 }, &x, &mut y);
        assert_eq!(y, [1.0, 4.0, 2.0, 5.0, 3.0, 6.0, 7.0, 10.0, 8.0, 11.0, 9.0, 12.0]);
    }

    #[test]
    fn causal_attention_sees_only_the_past() {
        // One example, 3 tokens, width 2, one head: the first token can only attend to itself.
        let op = AttentionOp { rows: 1, len: 3, dim: 2, heads: 1, causal: true };
        let qkv: Vec<f64> = (0..18).map(|v| (v as f64 * 0.37).sin()).collect();
        let (mut probs, mut o) = (vec![0.0; 9], vec![0.0; 6]);
        attention_forward(op, &qkv, &mut probs, &mut o);
        assert_eq!(&probs[..3], &[1.0, 0.0, 0.0]);
        assert_eq!(probs[5], 0.0);
        for row in probs.chunks(3) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(&o[..2], &qkv[4..6], "token 0's output is its own value");
    }
}
