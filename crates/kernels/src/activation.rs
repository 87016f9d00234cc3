//! Activation functions, each with its derivative beside it (TensorFlow Playground keeps them as
//! `{output, der}` pairs for the same reason: a function and its derivative are never apart).

use layerlab_spec::model::Activation;

use crate::real::Real;

/// Negative slope of the leaky ReLU (PyTorch's default).
pub const LEAKY_SLOPE: f64 = 0.01;

/// `act(z)`.
pub fn forward<R: Real>(act: Activation, z: R) -> R {
    let (zero, one, half) = (R::zero(), R::one(), R::of(0.5));
    match act {
        Activation::Relu => {
            if z > zero {
                z
            } else {
                zero
            }
        }
        Activation::LeakyRelu => {
            if z > zero {
                z
            } else {
                z * R::of(LEAKY_SLOPE)
            }
        }
        // The exact form, x·Φ(x), as PyTorch's default.
        Activation::Gelu => half * z * (one + (z * R::of(std::f64::consts::FRAC_1_SQRT_2)).erf()),
        Activation::Silu => z * sigmoid(z),
        Activation::Tanh => z.fast_tanh(),
        Activation::Sigmoid => sigmoid(z),
        Activation::Sine => z.sin(),
        Activation::Identity => z,
    }
}

/// `act'(z)`, given `z` and `y = act(z)` (some derivatives are cheapest from the output).
pub fn derivative<R: Real>(act: Activation, z: R, y: R) -> R {
    let (zero, one) = (R::zero(), R::one());
    match act {
        Activation::Relu => {
            if z > zero {
                one
            } else {
                zero
            }
        }
        Activation::LeakyRelu => {
            if z > zero {
                one
            } else {
                R::of(LEAKY_SLOPE)
            }
        }
        Activation::Gelu => {
            // Φ(z) = (1 + erf(z/√2)) / 2 and φ(z) = exp(−z²/2) / √(2π), one exponential for both.
            let (erf, gauss) = (z * R::of(std::f64::consts::FRAC_1_SQRT_2)).erf_and_gauss();
            R::of(0.5) * (one + erf) + z * gauss * R::of(0.398_942_280_401_432_7)
        }
        Activation::Silu => {
            let s = sigmoid(z);
            s * (one + z * (one - s))
        }
        Activation::Tanh => one - y * y,
        Activation::Sigmoid => y * (one - y),
        Activation::Sine => z.cos(),
        Activation::Identity => one,
    }
}

/// The logistic function, stable for large |z|.
pub fn sigmoid<R: Real>(z: R) -> R {
    if z >= R::zero() {
        R::one() / (R::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (R::one() + e)
    }
}
