//! Same spec and seed, the same loss curve, bit for bit — with every random part switched on
//! (data, split, initial weights, batch order, dropout, stochastic depth, gradient noise).

use layerlab_engine::backend::Backend;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::{Trainer, resume};
use layerlab_spec::Spec;
use layerlab_spec::data::{Dataset, FourierInput};
use layerlab_spec::model::{Activation, Block, Dense, Dropout, Norm, NormKind, Residual};
use layerlab_spec::train::{GradientNoise, Init, LearningRule};

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

/// The first `n` initial weights of the run `spec` builds.
fn first_weights(trainer: &mut Trainer<Cpu<f32>>, n: usize) -> Vec<f32> {
    let (b, buffers) = trainer.state_buffers();
    let mut out = vec![0.0; n];
    b.download(buffers[0], &mut out);
    out
}

#[test]
fn a_new_draw_of_the_data_keeps_the_initial_weights_and_the_first_draw_is_the_seeds_own() {
    let first = spec(7);
    let mut redrawn = spec(7);
    redrawn.data.draw = 1;
    let mut a = Trainer::new(Cpu::<f32>::new(), &first, None).expect("a valid spec");
    let mut b = Trainer::new(Cpu::<f32>::new(), &redrawn, None).expect("a valid spec");
    assert_ne!(a.data.train.points, b.data.train.points, "a new draw gives new examples");
    assert_eq!(a.data.train.len, b.data.train.len, "as many as before");
    assert_eq!(first_weights(&mut a, 16), first_weights(&mut b, 16), "and the same initial weights");
    // Draw 0 is the data every link made before draws existed has: the seed's own.
    let mut again = spec(7);
    again.data.draw = 0;
    assert_eq!(curve(&first), curve(&again));
    let mut twice = spec(7);
    twice.data.draw = 1;
    assert_eq!(curve(&redrawn), curve(&twice), "a draw is as repeatable as a seed");
}

/// A Forward-Forward run on a three-armed spiral: its negatives (a wrong label of two, for each
/// example) are drawn on the host, step by step.
fn forward_forward(seed: u64) -> Spec {
    let mut spec = Spec { seed, ..Spec::default() };
    spec.data.dataset = Dataset::ArmSpiral { arms: 3 };
    spec.training.rule = LearningRule::ForwardForward { threshold: 2.0 };
    spec.model = vec![Block::Dense(Dense { units: 16, activation: Activation::Relu, bias: true }); 2];
    spec
}

#[test]
fn a_run_carried_to_a_new_trainer_by_its_checkpoint_goes_on_bit_for_bit() {
    let cases: [(&str, Spec); 2] =
        [("every random part", spec(7)), ("Forward-Forward's negatives", forward_forward(7))];
    for (what, spec) in cases {
        let mut whole = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("a valid spec");
        for _ in 0..40 {
            whole.step().expect("finite");
        }
        let mut carried = resume(Cpu::<f32>::new(), &spec, None, &whole.checkpoint(), 40).expect("carries over");
        let after =
            |t: &mut Trainer<Cpu<f32>>| (0..40).map(|_| t.step().expect("finite").to_bits()).collect::<Vec<_>>();
        assert_eq!(after(&mut whole), after(&mut carried), "{what}: the carried run trains differently");
    }
}
