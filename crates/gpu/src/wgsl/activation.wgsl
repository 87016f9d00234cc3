// Activation functions and their derivatives, numbered as the Rust side's `act_code`.
// The same formulas as the CPU reference (crates/engine/src/activation.rs).

const RELU: u32 = 0u;
const LEAKY_RELU: u32 = 1u;
const GELU: u32 = 2u;
const SILU: u32 = 3u;
const TANH: u32 = 4u;
const SIGMOID: u32 = 5u;
const SINE: u32 = 6u;
const IDENTITY: u32 = 7u;
const LEAKY_SLOPE: f32 = 0.01;

fn sigmoid(z: f32) -> f32 {
    if z >= 0.0 {
        return 1.0 / (1.0 + exp(-z));
    }
    let e = exp(z);
    return e / (1.0 + e);
}

// Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7 (WGSL has no erf).
fn erf(x: f32) -> f32 {
    let a = abs(x);
    let t = 1.0 / (1.0 + 0.3275911 * a);
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let y = 1.0 - poly * exp(-a * a);
    return select(y, -y, x < 0.0);
}

fn act_forward(act: u32, z: f32) -> f32 {
    switch act {
        case RELU: { return max(z, 0.0); }
        case LEAKY_RELU: { return select(z * LEAKY_SLOPE, z, z > 0.0); }
        case GELU: { return 0.5 * z * (1.0 + erf(z * 0.70710678118654752)); }
        case SILU: { return z * sigmoid(z); }
        // tanh saturates in f32 long before 15; clamping keeps drivers that compute it from
        // exponentials away from inf / inf.
        case TANH: { return tanh(clamp(z, -15.0, 15.0)); }
        case SIGMOID: { return sigmoid(z); }
        case SINE: { return sin(z); }
        default: { return z; }
    }
}

fn act_derivative(act: u32, z: f32, y: f32) -> f32 {
    switch act {
        case RELU: { return select(0.0, 1.0, z > 0.0); }
        case LEAKY_RELU: { return select(LEAKY_SLOPE, 1.0, z > 0.0); }
        case GELU: {
            let cdf = 0.5 * (1.0 + erf(z * 0.70710678118654752));
            let pdf = exp(-0.5 * z * z) * 0.3989422804014327;
            return cdf + z * pdf;
        }
        case SILU: {
            let s = sigmoid(z);
            return s * (1.0 + z * (1.0 - s));
        }
        case TANH: { return 1.0 - y * y; }
        case SIGMOID: { return y * (1.0 - y); }
        case SINE: { return cos(z); }
        default: { return 1.0; }
    }
}
