//! Time per training step (forward, loss, backward, Adam) of the MLPs the peers were measured
//! at, on random inputs. `cargo xtask bench` runs this beside PyTorch and prints the ratios.

use criterion::{Criterion, criterion_group, criterion_main};
use layerlab_engine::cpu::Cpu;
use layerlab_engine::workloads::{MLPS, StepBench};

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    for &mlp in MLPS {
        let mut bench = StepBench::new(Cpu::<f32>::new(), mlp);
        group.bench_function(mlp.id, |b| b.iter(|| bench.step()));
    }
    group.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
