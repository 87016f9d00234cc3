//! A training step allocates nothing: every buffer is made once, when the trainer is built.
//! The global allocator below counts the allocations of the test's own thread (the engine starts
//! none): the test harness's main thread allocates too, at moments of its own, and counting it
//! failed this test now and then.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{
    Activation, Attention, Block, Dense, Dropout, Kan, KanBasis, Merge, Mixer, Moe, Norm, NormKind, Parallel, Patchify,
    Pool, PoolMode, Residual,
};
use layerlab_spec::train::{GradientNoise, Optimizer};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations count: only the test's.
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn dense(units: u32, activation: Activation) -> Block {
    Block::Dense(Dense { units, activation, bias: true })
}

#[test]
fn training_steps_allocate_nothing() {
    COUNTED.with(|c| c.set(true));
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Spiral;
    spec.training.batch_size = 32;
    spec.training.optimizer =
        Optimizer::AdamW { learning_rate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.01 };
    spec.training.clip_norm = Some(1.0);
    spec.training.l2 = 1e-4;
    spec.training.gradient_noise = Some(GradientNoise::default());
    // Every kind of node the engine trains: containers, norms, dropout, wide and narrow matmuls.
    spec.model = vec![
        dense(64, Activation::Gelu),
        Block::Norm(Norm { kind: NormKind::Batch }),
        Block::Residual(Residual {
            body: vec![dense(64, Activation::Relu), Block::Norm(Norm { kind: NormKind::Layer })],
            drop_path: 0.2,
        }),
        Block::Parallel(Parallel {
            branches: vec![vec![dense(16, Activation::Tanh)], vec![], vec![Block::Norm(Norm { kind: NormKind::Rms })]],
            merge: Merge::Concat,
        }),
        Block::Dropout(Dropout { rate: 0.1 }),
        dense(8, Activation::Silu),
        Block::Kan(Kan { units: 8, ..Kan::default() }),
        Block::Kan(Kan { units: 6, basis: KanBasis::GroupRational, groups: 4, ..Kan::default() }),
        Block::Moe(Moe { experts: 3, top_k: 2, hidden: 8, units: 6, balance: 0.1 }),
    ];
    // And the sequence blocks: patches of the digits images, mixers, attention, pooling.
    let mut sequences = spec.clone();
    sequences.data.dataset = Dataset::Digits;
    sequences.model = vec![
        Block::Patchify(Patchify { patch: 2, dim: 8 }),
        Block::Mixer(Mixer { token_hidden: 8, channel_hidden: 16 }),
        Block::Attention(Attention { heads: 2, causal: true, skip: true, mlp_hidden: 8 }),
        Block::Pool(Pool { mode: PoolMode::Mean }),
    ];
    for spec in [spec, sequences] {
        steps_and_evaluation_allocate_nothing(&spec);
    }
}

fn steps_and_evaluation_allocate_nothing(spec: &Spec) {
    let mut trainer = Trainer::new(Cpu::<f32>::new(), spec, None).expect("a valid spec");
    // The first steps may size the matrix multiply's packing buffers.
    for _ in 0..3 {
        trainer.step().expect("finite");
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..200 {
        trainer.step().expect("finite");
    }
    let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(during, 0, "200 training steps made {during} allocations");
    // Evaluation reuses its buffers too.
    trainer.evaluate();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let eval = trainer.evaluate();
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed) - before, 0, "an evaluation allocated");
    assert!(eval.train_loss.is_finite());
}
