// The engine's counter-based random numbers (crates/engine/src/rng.rs), bit for bit: the PCG
// hash in 32-bit arithmetic, so a dropout mask is the same on every backend.

fn pcg(x: u32) -> u32 {
    let state = x * 747796405u + 2891336453u;
    let w = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (w >> 22u) ^ w;
}

fn rand_uniform(key: u32, index: u32) -> f32 {
    return f32(pcg(key ^ pcg(index)) >> 8u) * (1.0 / 16777216.0);
}

fn rand_normal(key: u32, index: u32) -> f32 {
    let u1 = max(rand_uniform(key, index * 2u), 1.0 / 16777216.0);
    let u2 = rand_uniform(key, index * 2u + 1u);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
