// Shared by every kernel: the dispatch's parameters (binding 0, sixteen 32-bit words read by
// position) and the index of a thread of a one-dimensional dispatch folded into two dimensions.

struct Params {
    w: array<vec4<u32>, 4>,
}

@group(0) @binding(0) var<uniform> params: Params;

fn word(i: u32) -> u32 {
    return params.w[i / 4u][i % 4u];
}

fn real(i: u32) -> f32 {
    return bitcast<f32>(word(i));
}

const GROUP: u32 = 256u;

fn flat(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
    return gid.y * groups.x * GROUP + gid.x;
}
