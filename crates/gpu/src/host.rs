//! The ops whose kernels are not written yet run on the host: their buffers are read back, the
//! CPU reference computes, and the outputs are written again. Correct and slow (each is a wait
//! for the GPU); the backend test suite checks them like every other op.

use layerlab_engine::backend::{
    AttentionOp, Backend, EmbedOp, GateOp, KanOp, MoeOp, NormOp, NormSaved, PoolOp, RationalOp, SwapAxes,
};

use crate::Gpu;
use crate::context::GpuBuf;

/// The backend ops that run on the host for now.
pub const HOST_OPS: &[&str] = &[
    "norm_forward",
    "norm_backward",
    "embed_forward",
    "embed_backward",
    "pool_forward",
    "pool_backward",
    "swap_axes",
    "kan_basis",
    "kan_basis_backward",
    "rational_forward",
    "rational_backward",
    "moe_route",
    "moe_route_backward",
    "gate_rows",
    "gate_grad",
    "attention_forward",
    "attention_backward",
];

impl Gpu {
    fn pull(&mut self, buf: &GpuBuf) -> Vec<f32> {
        let mut host = vec![0.0; buf.len];
        self.ctx.download(buf, &mut host);
        host
    }

    fn push(&mut self, buf: &GpuBuf, host: &[f32]) {
        self.ctx.upload(buf, host);
    }

    fn pull_opt(&mut self, buf: Option<&GpuBuf>) -> Option<Vec<f32>> {
        buf.map(|b| self.pull(b))
    }

    #[allow(clippy::too_many_arguments, clippy::needless_pass_by_value)]
    pub(crate) fn host_norm_forward(
        &mut self,
        op: NormOp,
        x: &GpuBuf,
        gain: &GpuBuf,
        shift: Option<&GpuBuf>,
        running: Option<(&mut GpuBuf, &mut GpuBuf)>,
        saved: NormSaved<'_, Self>,
        y: &mut GpuBuf,
    ) {
        let (hx, hgain, hshift) = (self.pull(x), self.pull(gain), self.pull_opt(shift));
        let mut hrunning = running.map(|(m, v)| {
            let pair = (self.pull(m), self.pull(v));
            (m, v, pair)
        });
        let (mut hxhat, mut hinv, mut hy) = (self.pull(saved.xhat), self.pull(saved.inv_std), self.pull(y));
        let host_saved = NormSaved { xhat: &mut hxhat, inv_std: &mut hinv };
        let host_running = hrunning.as_mut().map(|(_, _, (m, v))| (m, v));
        self.host.norm_forward(op, &hx, &hgain, hshift.as_ref(), host_running, host_saved, &mut hy);
        self.push(saved.xhat, &hxhat);
        self.push(saved.inv_std, &hinv);
        self.push(y, &hy);
        if let Some((m, v, (hm, hv))) = hrunning {
            self.push(m, &hm);
            self.push(v, &hv);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn host_norm_backward(
        &mut self,
        op: NormOp,
        g: &GpuBuf,
        gain: &GpuBuf,
        xhat: &GpuBuf,
        inv_std: &GpuBuf,
        d_gain: &mut GpuBuf,
        d_shift: Option<&mut GpuBuf>,
        dx: Option<&mut GpuBuf>,
    ) {
        let (hg, hgain, hxhat, hinv) = (self.pull(g), self.pull(gain), self.pull(xhat), self.pull(inv_std));
        let mut hd_gain = self.pull(d_gain);
        let mut hd_shift = d_shift.as_deref().map(|b| self.pull(b));
        let mut hdx = dx.as_deref().map(|b| self.pull(b));
        self.host.norm_backward(op, &hg, &hgain, &hxhat, &hinv, &mut hd_gain, hd_shift.as_mut(), hdx.as_mut());
        self.push(d_gain, &hd_gain);
        if let (Some(b), Some(h)) = (d_shift, hd_shift) {
            self.push(b, &h);
        }
        if let (Some(b), Some(h)) = (dx, hdx) {
            self.push(b, &h);
        }
    }

    pub(crate) fn host_embed_forward(
        &mut self,
        op: EmbedOp,
        ids: &GpuBuf,
        table: &GpuBuf,
        pos: &GpuBuf,
        y: &mut GpuBuf,
    ) {
        let (hids, htable, hpos, mut hy) = (self.pull(ids), self.pull(table), self.pull(pos), self.pull(y));
        self.host.embed_forward(op, &hids, &htable, &hpos, &mut hy);
        self.push(y, &hy);
    }

    pub(crate) fn host_embed_backward(
        &mut self,
        op: EmbedOp,
        ids: &GpuBuf,
        g: &GpuBuf,
        d_table: &mut GpuBuf,
        d_pos: Option<&mut GpuBuf>,
    ) {
        let (hids, hg, mut hd_table) = (self.pull(ids), self.pull(g), self.pull(d_table));
        let mut hd_pos = d_pos.as_deref().map(|b| self.pull(b));
        self.host.embed_backward(op, &hids, &hg, &mut hd_table, hd_pos.as_mut());
        self.push(d_table, &hd_table);
        if let (Some(b), Some(h)) = (d_pos, hd_pos) {
            self.push(b, &h);
        }
    }

    pub(crate) fn host_pool_forward(&mut self, op: PoolOp, x: &GpuBuf, y: &mut GpuBuf) {
        let (hx, mut hy) = (self.pull(x), self.pull(y));
        self.host.pool_forward(op, &hx, &mut hy);
        self.push(y, &hy);
    }

    pub(crate) fn host_pool_backward(&mut self, op: PoolOp, g: &GpuBuf, dx: &mut GpuBuf) {
        let (hg, mut hdx) = (self.pull(g), self.pull(dx));
        self.host.pool_backward(op, &hg, &mut hdx);
        self.push(dx, &hdx);
    }

    pub(crate) fn host_swap_axes(&mut self, op: SwapAxes, x: &GpuBuf, y: &mut GpuBuf) {
        let (hx, mut hy) = (self.pull(x), self.pull(y));
        self.host.swap_axes(op, &hx, &mut hy);
        self.push(y, &hy);
    }

    pub(crate) fn host_kan_basis(&mut self, op: KanOp, x: &GpuBuf, features: &mut GpuBuf) {
        let (hx, mut hf) = (self.pull(x), self.pull(features));
        self.host.kan_basis(op, &hx, &mut hf);
        self.push(features, &hf);
    }

    pub(crate) fn host_kan_basis_backward(&mut self, op: KanOp, x: &GpuBuf, d_features: &GpuBuf, dx: &mut GpuBuf) {
        let (hx, hdf, mut hdx) = (self.pull(x), self.pull(d_features), self.pull(dx));
        self.host.kan_basis_backward(op, &hx, &hdf, &mut hdx);
        self.push(dx, &hdx);
    }

    pub(crate) fn host_rational_forward(&mut self, op: RationalOp, x: &GpuBuf, coeffs: &GpuBuf, y: &mut GpuBuf) {
        let (hx, hc, mut hy) = (self.pull(x), self.pull(coeffs), self.pull(y));
        self.host.rational_forward(op, &hx, &hc, &mut hy);
        self.push(y, &hy);
    }

    pub(crate) fn host_rational_backward(
        &mut self,
        op: RationalOp,
        x: &GpuBuf,
        coeffs: &GpuBuf,
        g: &GpuBuf,
        d_coeffs: &mut GpuBuf,
        dx: Option<&mut GpuBuf>,
    ) {
        let (hx, hc, hg, mut hdc) = (self.pull(x), self.pull(coeffs), self.pull(g), self.pull(d_coeffs));
        let mut hdx = dx.as_deref().map(|b| self.pull(b));
        self.host.rational_backward(op, &hx, &hc, &hg, &mut hdc, hdx.as_mut());
        self.push(d_coeffs, &hdc);
        if let (Some(b), Some(h)) = (dx, hdx) {
            self.push(b, &h);
        }
    }

    pub(crate) fn host_moe_route(
        &mut self,
        op: MoeOp,
        logits: &GpuBuf,
        probs: &mut GpuBuf,
        gates: &mut GpuBuf,
        aux: &mut GpuBuf,
    ) {
        let (hl, mut hp, mut hg, mut ha) = (self.pull(logits), self.pull(probs), self.pull(gates), self.pull(aux));
        self.host.moe_route(op, &hl, &mut hp, &mut hg, &mut ha);
        self.push(probs, &hp);
        self.push(gates, &hg);
        self.push(aux, &ha);
    }

    pub(crate) fn host_moe_route_backward(
        &mut self,
        op: MoeOp,
        probs: &GpuBuf,
        gates: &GpuBuf,
        d_gates: &GpuBuf,
        d_logits: &mut GpuBuf,
    ) {
        let (hp, hg, hdg, mut hdl) = (self.pull(probs), self.pull(gates), self.pull(d_gates), self.pull(d_logits));
        self.host.moe_route_backward(op, &hp, &hg, &hdg, &mut hdl);
        self.push(d_logits, &hdl);
    }

    pub(crate) fn host_gate_rows(&mut self, op: GateOp, gates: &GpuBuf, x: &GpuBuf, y: &mut GpuBuf) {
        let (hg, hx, mut hy) = (self.pull(gates), self.pull(x), self.pull(y));
        self.host.gate_rows(op, &hg, &hx, &mut hy);
        self.push(y, &hy);
    }

    pub(crate) fn host_gate_grad(&mut self, op: GateOp, g: &GpuBuf, x: &GpuBuf, d_gates: &mut GpuBuf) {
        let (hg, hx, mut hd) = (self.pull(g), self.pull(x), self.pull(d_gates));
        self.host.gate_grad(op, &hg, &hx, &mut hd);
        self.push(d_gates, &hd);
    }

    pub(crate) fn host_attention_forward(&mut self, op: AttentionOp, qkv: &GpuBuf, probs: &mut GpuBuf, o: &mut GpuBuf) {
        let (hq, mut hp, mut ho) = (self.pull(qkv), self.pull(probs), self.pull(o));
        self.host.attention_forward(op, &hq, &mut hp, &mut ho);
        self.push(probs, &hp);
        self.push(o, &ho);
    }

    pub(crate) fn host_attention_backward(
        &mut self,
        op: AttentionOp,
        qkv: &GpuBuf,
        probs: &GpuBuf,
        d_o: &GpuBuf,
        d_qkv: &mut GpuBuf,
    ) {
        let (hq, hp, hdo, mut hdq) = (self.pull(qkv), self.pull(probs), self.pull(d_o), self.pull(d_qkv));
        self.host.attention_backward(op, &hq, &hp, &hdo, &mut hdq);
        self.push(d_qkv, &hdq);
    }
}
