// C = A·B or C += A·B, with either operand stored transposed (training needs A·B, A·Bᵀ and
// Aᵀ·B). A workgroup of 16 × 16 threads computes a TILE × TILE tile of C through DEPTH-deep
// slices of A and B staged in workgroup memory; each thread keeps PER × PER sums in registers,
// at rows y + 16i and columns x + 16j, so neighbouring threads read neighbouring words.
// Shapes need not be multiples of the tile: loads outside A or B read zero, writes outside C
// are skipped. Compiled twice (kernels.rs prepends the sizes): 64 × 64 tiles, 16 deep, 4 × 4
// sums; and 128 × 128 tiles, 8 deep, 8 × 8 sums, four times the work per number staged, for
// products large enough to fill a GPU with such tiles. Prepended: common.wgsl, the sizes.
// Words: m, n, k, A transposed, B transposed, accumulate.

@group(0) @binding(1) var<storage, read> mm_a: array<f32>;
@group(0) @binding(2) var<storage, read> mm_b: array<f32>;
@group(0) @binding(3) var<storage, read_write> mm_c: array<f32>;

var<workgroup> tile_a: array<f32, TILE * DEPTH>; // [depth][row]
var<workgroup> tile_b: array<f32, TILE * DEPTH>; // [depth][column]

@compute @workgroup_size(16, 16)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
    let m = word(0u);
    let n = word(1u);
    let k = word(2u);
    let a_trans = word(3u) != 0u;
    let b_trans = word(4u) != 0u;
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let t = lid.y * 16u + lid.x;
    var sums: array<f32, PER * PER>;
    for (var k0 = 0u; k0 < k; k0 += DEPTH) {
        for (var l = 0u; l < TILE * DEPTH / 256u; l++) {
            let e = t + l * 256u;
            // Walk memory in the order the operand is stored, so a warp reads contiguous words.
            var r: u32;
            var d: u32;
            if a_trans {
                d = e / TILE;
                r = e % TILE;
            } else {
                r = e / DEPTH;
                d = e % DEPTH;
            }
            var va = 0.0;
            if row0 + r < m && k0 + d < k {
                if a_trans {
                    va = mm_a[(k0 + d) * m + row0 + r];
                } else {
                    va = mm_a[(row0 + r) * k + k0 + d];
                }
            }
            tile_a[d * TILE + r] = va;
            var c: u32;
            if b_trans {
                c = e / DEPTH;
                d = e % DEPTH;
            } else {
                d = e / TILE;
                c = e % TILE;
            }
            var vb = 0.0;
            if col0 + c < n && k0 + d < k {
                if b_trans {
                    vb = mm_b[(col0 + c) * k + k0 + d];
                } else {
                    vb = mm_b[(k0 + d) * n + col0 + c];
                }
            }
            tile_b[d * TILE + c] = vb;
        }
        workgroupBarrier();
        for (var d = 0u; d < DEPTH; d++) {
            var av: array<f32, PER>;
            var bv: array<f32, PER>;
            for (var i = 0u; i < PER; i++) {
                av[i] = tile_a[d * TILE + lid.y + 16u * i];
                bv[i] = tile_b[d * TILE + lid.x + 16u * i];
            }
            for (var i = 0u; i < PER; i++) {
                for (var j = 0u; j < PER; j++) {
                    sums[i * PER + j] = fma(av[i], bv[j], sums[i * PER + j]);
                }
            }
        }
        workgroupBarrier();
    }
    let accumulate = word(5u) != 0u;
    for (var i = 0u; i < PER; i++) {
        let r = row0 + lid.y + 16u * i;
        for (var j = 0u; j < PER; j++) {
            let c = col0 + lid.x + 16u * j;
            if r < m && c < n {
                let at = r * n + c;
                mm_c[at] = select(sums[i * PER + j], sums[i * PER + j] + mm_c[at], accumulate);
            }
        }
    }
}
