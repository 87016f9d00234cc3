// C = A·B or C += A·B, with either operand stored transposed (training needs A·B, A·Bᵀ and
// Aᵀ·B). A workgroup of WY × WX threads computes a TM × TN tile of C through DEPTH-deep
// slices of A and B staged in workgroup memory; each thread keeps PM × PN sums in registers
// (TM = WY·PM, TN = WX·PN). The thread's rows come four in a row, 4WY·g + 4y + c, and so do its
// columns, so it reads workgroup memory four numbers at a time. While the workgroup multiplies
// one slice, each thread already fetches its share of the next into registers (stored after the
// multiply), so global memory's latency hides behind the arithmetic. A slice's rows in
// workgroup memory lie PAD numbers further apart than they need, so that the threads storing
// one column of A (a row of the slice apart) write to different banks.
// Shapes need not be multiples of the tile: loads outside A or B read zero, writes outside C
// are skipped. Compiled at several sizes: kernels.rs prepends TM, TN, PM, PN, DEPTH and PAD
// (TM·DEPTH and TN·DEPTH multiples of the threads; PM, PN and PAD multiples of 4).
// Prepended: common.wgsl, the sizes. Appended: multiply (unroll.rs).
// Words: m, n, k, A transposed, B transposed, accumulate.

@group(0) @binding(1) var<storage, read> mm_a: array<f32>;
@group(0) @binding(2) var<storage, read> mm_b: array<f32>;
@group(0) @binding(3) var<storage, read_write> mm_c: array<f32>;

const WX: u32 = TN / PN;
const WY: u32 = TM / PM;
const THREADS: u32 = WX * WY;
const LOADS_A: u32 = TM * DEPTH / THREADS;
const LOADS_B: u32 = TN * DEPTH / THREADS;
// Numbers between two depths of a slice in workgroup memory.
const STRIDE_A: u32 = TM + PAD;
const STRIDE_B: u32 = TN + PAD;

var<workgroup> tile_a: array<vec4<f32>, STRIDE_A * DEPTH / 4u>; // [depth][row]
var<workgroup> tile_b: array<vec4<f32>, STRIDE_B * DEPTH / 4u>; // [depth][column]

// The thread's share of the next slice, fetched from A and B.
var<private> next_a: array<f32, LOADS_A>;
var<private> next_b: array<f32, LOADS_B>;
// The thread's PM × PN sums, a row's four at a time (its columns come four in a row).
var<private> sums: array<vec4<f32>, PM * PN / 4u>;

// The thread's i-th row (or column) within the tile, from its place y among w threads (or x).
fn own(y: u32, i: u32, w: u32) -> u32 {
    return (i / 4u) * 4u * w + y * 4u + i % 4u;
}

// Where the e-th number of A's slice sits in the tile: (row, depth). Walks memory in the order
// A is stored, so a warp reads contiguous words.
fn a_place(e: u32, a_trans: bool) -> vec2<u32> {
    if a_trans {
        return vec2(e % TM, e / TM);
    }
    return vec2(e / DEPTH, e % DEPTH);
}

// (column, depth) of the e-th number of B's slice, likewise.
fn b_place(e: u32, b_trans: bool) -> vec2<u32> {
    if b_trans {
        return vec2(e / DEPTH, e % DEPTH);
    }
    return vec2(e % TN, e / TN);
}

fn load_a(at: vec2<u32>, row0: u32, k0: u32, a_trans: bool) -> f32 {
    let m = word(0u);
    let k = word(2u);
    let r = row0 + at.x;
    let d = k0 + at.y;
    if r >= m || d >= k {
        return 0.0;
    }
    if a_trans {
        return mm_a[d * m + r];
    }
    return mm_a[r * k + d];
}

fn load_b(at: vec2<u32>, col0: u32, k0: u32, b_trans: bool) -> f32 {
    let n = word(1u);
    let k = word(2u);
    let c = col0 + at.x;
    let d = k0 + at.y;
    if c >= n || d >= k {
        return 0.0;
    }
    if b_trans {
        return mm_b[c * k + d];
    }
    return mm_b[d * n + c];
}

// Fetches the thread's share of the slice from depth k0 into registers.
fn fetch(t: u32, row0: u32, col0: u32, k0: u32, a_trans: bool, b_trans: bool) {
    for (var l = 0u; l < LOADS_A; l++) {
        next_a[l] = load_a(a_place(t + l * THREADS, a_trans), row0, k0, a_trans);
    }
    for (var l = 0u; l < LOADS_B; l++) {
        next_b[l] = load_b(b_place(t + l * THREADS, b_trans), col0, k0, b_trans);
    }
}

// Stores the fetched share into workgroup memory.
fn stash(t: u32, a_trans: bool, b_trans: bool) {
    for (var l = 0u; l < LOADS_A; l++) {
        let at = a_place(t + l * THREADS, a_trans);
        let x = at.y * STRIDE_A + at.x;
        tile_a[x / 4u][x % 4u] = next_a[l];
    }
    for (var l = 0u; l < LOADS_B; l++) {
        let at = b_place(t + l * THREADS, b_trans);
        let x = at.y * STRIDE_B + at.x;
        tile_b[x / 4u][x % 4u] = next_b[l];
    }
}

// multiply(lid), which adds the products of the slice in workgroup memory to the thread's sums,
// is written out for the tile size by unroll.rs and appended: written as loops, it indexes the
// sums with loop counters, and a compiler that does not unroll them keeps the sums in memory.

@compute @workgroup_size(WX, WY)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let m = word(0u);
    let n = word(1u);
    let k = word(2u);
    let a_trans = word(3u) != 0u;
    let b_trans = word(4u) != 0u;
    let row0 = wid.y * TM;
    let col0 = wid.x * TN;
    let t = lid.y * WX + lid.x;
    fetch(t, row0, col0, 0u, a_trans, b_trans);
    for (var k0 = 0u; k0 < k; k0 += DEPTH) {
        stash(t, a_trans, b_trans);
        workgroupBarrier();
        if k0 + DEPTH < k {
            fetch(t, row0, col0, k0 + DEPTH, a_trans, b_trans);
        }
        multiply(lid);
        workgroupBarrier();
    }
    let accumulate = word(5u) != 0u;
    for (var i = 0u; i < PM; i++) {
        let r = row0 + own(lid.y, i, WY);
        for (var j = 0u; j < PN; j++) {
            let c = col0 + own(lid.x, j, WX);
            if r < m && c < n {
                let at = r * n + c;
                let sum = sums[i * (PN / 4u) + j / 4u][j % 4u];
                mm_c[at] = select(sum, sum + mm_c[at], accumulate);
            }
        }
    }
}
