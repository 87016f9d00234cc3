//! Same spec and seed, the same loss curve, bit for bit — with every random part switched on
//! (data, split, initial weights, batch order, dropout, stochastic depth, gradient noise).

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_spec::Spec;
use layerlab_spec::data::{Dataset, FourierInput};
use layerlab_spec::model::{Activation, Block, Dense, Dropout, Norm, NormKind, Residual};
use layerlab_spec::train::{GradientNoise, Init};

fn spec(seed: u64) -> Spec {
    let mut spec = Spec { seed, ..Spec::default() };
    spec.data.dataset = Dataset::Spiral;
    spec.data.noise = 0.2;
    spec.data.fourier = Some(FourierInput { count: 8, scale: 1.0 });
    spec.training.init = Init::Orthogonal;
    spec.training.gradient_noise = Some(GradientNoise::default());
    spec.model = vec![
        Block::Dense(Dense { units: 16, activation: Activation::Silu, bias: true }),
        Block::Residual(Residual {
            body: vec![
                Block::Norm(Norm { kind: NormKind::Batch }),
                Block::Dense(Dense { units: 16, activation: Activation::Gelu, bias: true }),
            ],
            drop_path: 0.3,
        }),
        Block::Dropout(Dropout { rate: 0.2 }),
    ];
    spec
}

fn curve(spec: &Spec) -> Vec<u64> {
    let mut trainer = Trainer::new(Cpu::<f32>::new(), spec, None).expect("a valid spec");
    let mut bits: Vec<u64> = (0..300).map(|_| trainer.step().expect("finite").to_bits()).collect();
    let eval = trainer.evaluate();
    bits.extend([eval.train_loss.to_bits(), eval.test_loss.to_bits()]);
    bits
}

#[test]
fn the_same_seed_gives_the_same_curve_bit_for_bit() {
    let first = curve(&spec(7));
    assert_eq!(first, curve(&spec(7)), "a second run differs");
    assert_ne!(first, curve(&spec(8)), "another seed gives the same curve");
}
