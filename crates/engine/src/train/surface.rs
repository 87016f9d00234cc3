//! The decision surface of a 2D task: the model's answer on a square grid over the data's range,
//! what the page paints behind the points (TensorFlow Playground's output picture); and every
//! hidden unit's output over the same plane, TensorFlow Playground's small neuron pictures.

use layerlab_spec::data::Task;
use layerlab_spec::train::Loss;
use serde::{Deserialize, Serialize};

use crate::real::Real;

use super::{EVAL_ROWS, Trainer};
use crate::backend::Backend;
use crate::data::PlanarEncoder;
use crate::layers::Pass;
use crate::metrics;

/// The neuron pictures' grid side: one evaluation batch of points.
pub const NEURON_SIDE: usize = 16;
/// Layers wider than this have no neuron pictures (a wall of tiny maps says nothing).
pub const MAX_NEURONS: usize = 32;

/// Every hidden unit's output on a `side × side` grid over the data's range (pixel order, as
/// [`Surface`]), layer by layer in the metrics' order and names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeuronMaps {
    pub side: u32,
    pub layers: Vec<NeuronLayer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeuronLayer {
    pub name: String,
    pub kind: String,
    /// `units[j]`: unit j's output at each grid point.
    pub units: Vec<Vec<f32>>,
}

/// The model's answer at `side × side` points evenly spaced over `[-extent, extent]²`, row by
/// row from the top (largest y) down and, in a row, from the left (smallest x): the order of an
/// image's pixels. Each point is the centre of its cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    pub side: u32,
    pub extent: f32,
    pub values: SurfaceValues,
}

/// What is known at each grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurfaceValues {
    /// Two classes: the probability of class 1.
    Binary { p: Vec<f32> },
    /// More classes: the most likely class and its probability.
    Classes { classes: u32, class: Vec<u32>, confidence: Vec<f32> },
    /// Regression: the predicted value, and the range of the grid's values.
    Values { v: Vec<f32>, min: f32, max: f32 },
}

impl<B: Backend> Trainer<B> {
    /// The decision surface on a `side × side` grid, in evaluation mode; `None` when the data is
    /// not a 2D set (no point-to-input encoder) or `side` is 0.
    pub fn surface(&mut self, side: usize) -> Option<Surface> {
        let encoder = self.data.encoder.clone()?;
        if side == 0 {
            return None;
        }
        let out = self.predict(&grid(&encoder, side));
        let values = answers(&out, self.loss, self.task, side * side);
        Some(Surface { side: side as u32, extent: encoder.extent(), values })
    }

    /// Every hidden layer's units (of layers at most [`MAX_NEURONS`] wide, one vector per
    /// example) over a [`NEURON_SIDE`]² grid, in evaluation mode; `None` when the data is not
    /// a 2D set.
    pub fn neurons(&mut self) -> Option<NeuronMaps> {
        let encoder = self.data.encoder.clone()?;
        let side = NEURON_SIDE;
        let rows = side * side;
        debug_assert!(rows <= EVAL_ROWS);
        let inputs = grid(&encoder, side);
        self.host_x.clear();
        self.host_x.extend(inputs.iter().map(|&v| B::R::of(f64::from(v))));
        self.b.upload(&mut self.eval_x, &self.host_x);
        let pass = Pass { train: false, seed: self.seed, step: self.steps() };
        let rule = self.rule.as_mut();
        crate::rules::forward(&mut self.b, &mut self.model, rule, &mut self.eval_acts, &self.eval_x, rows, pass);
        let visits = metrics::walk(&self.model.nodes, &self.eval_acts);
        let mut layers = Vec::new();
        for v in visits.iter().filter(|v| v.tokens == 1 && v.name != "output") {
            let width = v.node.width();
            if width == 0 || width > MAX_NEURONS {
                continue;
            }
            let y = crate::model::read(&mut self.b, &v.acts.y);
            let units = (0..width).map(|j| (0..rows).map(|r| y[r * width + j] as f32).collect()).collect();
            layers.push(NeuronLayer { name: v.name.clone(), kind: metrics::kind(v.node).to_string(), units });
        }
        Some(NeuronMaps { side: side as u32, layers })
    }
}

/// The model's inputs at the centres of a `side × side` grid over the encoder's range, in
/// pixel order (top row first).
fn grid(encoder: &PlanarEncoder, side: usize) -> Vec<f32> {
    let extent = encoder.extent();
    let width = encoder.width();
    let mut inputs = vec![0.0f32; side * side * width];
    let at = |i: usize| -extent + (2.0 * i as f32 + 1.0) * extent / side as f32;
    for row in 0..side {
        for col in 0..side {
            let cell = row * side + col;
            encoder.encode(at(col), at(side - 1 - row), &mut inputs[cell * width..][..width]);
        }
    }
    inputs
}

/// Turns the model's raw outputs at `points` points into the surface's values.
fn answers(out: &[f32], loss: Loss, task: Task, points: usize) -> SurfaceValues {
    let outputs = out.len() / points.max(1);
    match (task, loss) {
        (Task::Classify { .. }, Loss::BinaryCrossEntropy) => {
            SurfaceValues::Binary { p: out.iter().map(|&z| 1.0 / (1.0 + (-z).exp())).collect() }
        }
        (Task::Classify { .. }, Loss::Mse) if outputs == 1 => {
            SurfaceValues::Binary { p: out.iter().map(|v| v.clamp(0.0, 1.0)).collect() }
        }
        (Task::Classify { classes }, _) => {
            let mut class = Vec::with_capacity(points);
            let mut confidence = Vec::with_capacity(points);
            let mut p1 = Vec::with_capacity(points);
            for row in out.chunks(outputs) {
                let probs = probabilities(row, loss);
                let (best, top) = probs
                    .iter()
                    .enumerate()
                    .fold((0, f32::NEG_INFINITY), |b, (i, &p)| if p > b.1 { (i, p) } else { b });
                class.push(best as u32);
                confidence.push(top);
                p1.push(probs.get(1).copied().unwrap_or(0.0));
            }
            if classes == 2 {
                SurfaceValues::Binary { p: p1 }
            } else {
                SurfaceValues::Classes { classes, class, confidence }
            }
        }
        _ => {
            let v: Vec<f32> = out.iter().step_by(outputs.max(1)).copied().collect();
            let min = v.iter().copied().fold(f32::INFINITY, f32::min);
            let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            SurfaceValues::Values { v, min, max }
        }
    }
}

/// Class probabilities of one output row: softmax of logits (cross-entropy), or the outputs
/// clamped and normalised (MSE on one-hot targets).
fn probabilities(row: &[f32], loss: Loss) -> Vec<f32> {
    if loss == Loss::CrossEntropy {
        let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let e: Vec<f32> = row.iter().map(|&z| (z - top).exp()).collect();
        let sum: f32 = e.iter().sum();
        e.iter().map(|v| v / sum).collect()
    } else {
        let c: Vec<f32> = row.iter().map(|v| v.clamp(0.0, 1.0)).collect();
        let sum = c.iter().sum::<f32>().max(1e-12);
        c.iter().map(|v| v / sum).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::Cpu;

    /// The first hidden layer's pictures are tanh(x·W + b) of the grid's points, computed here
    /// from the weights; layers wider than the limit and the output have none.
    #[test]
    fn neuron_pictures_are_each_units_output_over_the_plane() {
        let mut spec = layerlab_spec::Spec::default();
        spec.model.push(layerlab_spec::model::Block::Dense(layerlab_spec::model::Dense {
            units: MAX_NEURONS as u32 + 1,
            ..Default::default()
        }));
        let mut t = Trainer::new(Cpu::<f32>::new(), &spec, None).unwrap();
        for _ in 0..10 {
            t.step().unwrap();
        }
        let maps = t.neurons().expect("circle is a 2D task");
        let names: Vec<&str> = maps.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["model[0]", "model[1]"]);
        assert_eq!((maps.layers[0].units.len(), maps.layers[0].units[0].len()), (4, NEURON_SIDE * NEURON_SIDE));
        let w = crate::model::read(&mut t.b, &t.model.params[0].value);
        let bias = crate::model::read(&mut t.b, &t.model.params[1].value);
        let inputs = grid(t.data.encoder.as_ref().unwrap(), NEURON_SIDE);
        for (j, unit) in maps.layers[0].units.iter().enumerate() {
            for (r, &got) in unit.iter().enumerate() {
                let z: f64 = (0..2).map(|i| f64::from(inputs[r * 2 + i]) * w[i * 4 + j]).sum::<f64>() + bias[j];
                assert!((f64::from(got) - z.tanh()).abs() < 1e-5, "unit {j} point {r}: {got} vs {}", z.tanh());
            }
        }
    }

    #[test]
    fn answers_are_probabilities_classes_or_values() {
        let binary = answers(&[0.0, 2.0, -2.0], Loss::BinaryCrossEntropy, Task::Classify { classes: 2 }, 3);
        let SurfaceValues::Binary { p } = binary else { panic!("two classes give probabilities") };
        assert!((p[0] - 0.5).abs() < 1e-6 && (p[1] - 0.880_797).abs() < 1e-5 && (p[2] - 0.119_203).abs() < 1e-5);

        let three = answers(&[0.0, 0.0, 3.0, 1.0, 0.0, 0.0], Loss::CrossEntropy, Task::Classify { classes: 3 }, 2);
        let SurfaceValues::Classes { class, confidence, .. } = three else { panic!("three classes") };
        assert_eq!(class, vec![2, 0]);
        let e3 = 3.0f32.exp();
        assert!((confidence[0] - e3 / (e3 + 2.0)).abs() < 1e-6);

        let values = answers(&[0.5, -1.5, 2.0], Loss::Mse, Task::Regress { outputs: 1 }, 3);
        assert_eq!(values, SurfaceValues::Values { v: vec![0.5, -1.5, 2.0], min: -1.5, max: 2.0 });
    }
}
