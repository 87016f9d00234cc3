//! The layer × time heatmap: one row per layer (every layer, however many), one column per
//! measurement, each cell shaded by the chosen metric — darker is larger — on a logarithmic
//! scale for norms and ratios. It shows at a glance where in depth and when a rank collapses or
//! a gradient vanishes; the table beside it has the exact latest values.

use layerlab_protocol::Snapshot;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::layers::LayerMetric;

/// Room for the layer names, left of the cells, in canvas pixels.
const NAMES: i32 = 78;
/// Room for the step labels below the cells.
const STEPS: i32 = 16;

/// The grid: the layers (of the latest measurement, in order), the steps measured, and each
/// layer's value at each step (`None` where it was not measured), already on the metric's
/// scale (log10 for norms and ratios), with the scale's low and high ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub layers: Vec<String>,
    pub steps: Vec<u64>,
    pub cells: Vec<Vec<Option<f64>>>,
    pub low: f64,
    pub high: f64,
}

/// The grid of `metric` over `history`.
pub fn grid(history: &[Snapshot], metric: LayerMetric) -> Grid {
    let layers: Vec<String> =
        history.last().map(|s| s.layers.iter().map(|l| l.name.clone()).collect()).unwrap_or_default();
    let steps = history.iter().map(|s| s.step).collect();
    let scaled = |v: f64| if metric.logarithmic() { (v > 0.0).then(|| v.log10()) } else { Some(v) };
    let cells: Vec<Vec<Option<f64>>> = layers
        .iter()
        .map(|name| {
            history
                .iter()
                .map(|s| s.layers.iter().find(|l| &l.name == name).and_then(|l| metric.pick(l)).and_then(scaled))
                .collect()
        })
        .collect();
    let (low, high) = cells
        .iter()
        .flatten()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (low, high) = if low.is_finite() { (low, high.max(low + 1e-9)) } else { (0.0, 1.0) };
    Grid { layers, steps, cells, low, high }
}

impl Grid {
    /// Where `v` lies between the low and the high end, from 0 to 1.
    pub fn share(&self, v: f64) -> f64 {
        ((v - self.low) / (self.high - self.low)).clamp(0.0, 1.0)
    }
}

/// Draws the heatmap of `metric` over `history` onto `canvas`.
pub fn draw(canvas: &HtmlCanvasElement, history: &[Snapshot], metric: LayerMetric) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let grid = grid(history, metric);
    let (width, height) = root.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let (rows, columns) = (grid.layers.len() as i32, grid.steps.len() as i32);
    if rows > 0 && columns > 0 {
        let cell_w = f64::from(width - NAMES - 4) / f64::from(columns);
        let cell_h = f64::from(height - STEPS - 2) / f64::from(rows);
        let font = (FontFamily::SansSerif, 10).into_font().color(&BLACK);
        for (r, row) in grid.cells.iter().enumerate() {
            let top = (r as f64 * cell_h) as i32;
            let bottom = ((r + 1) as f64 * cell_h) as i32;
            for (c, value) in row.iter().enumerate() {
                let left = NAMES + (c as f64 * cell_w) as i32;
                let right = NAMES + ((c + 1) as f64 * cell_w).ceil() as i32;
                let colour = match value {
                    // From near-white to the page's dark blue, darker for larger.
                    Some(v) => {
                        let t = grid.share(*v);
                        RGBColor(lerp(244, 29, t), lerp(246, 53, t), lerp(250, 87, t))
                    }
                    None => RGBColor(225, 225, 225),
                };
                let _ = root.draw(&Rectangle::new([(left, top), (right, bottom)], colour.filled()));
            }
            if cell_h >= 9.0 {
                let name = &grid.layers[r];
                let _ = root.draw(&Text::new(name.clone(), (2, top + (cell_h as i32 - 10) / 2), font.clone()));
            }
        }
        let first = grid.steps.first().copied().unwrap_or(0);
        let last = grid.steps.last().copied().unwrap_or(0);
        let baseline = height - STEPS + 3;
        let _ = root.draw(&Text::new(format!("step {first}"), (NAMES, baseline), font.clone()));
        let end = format!("{last}");
        let _ = root.draw(&Text::new(end.clone(), (width - 6 - 6 * end.len() as i32, baseline), font));
    }
    let _ = root.present();
}

fn lerp(a: u8, b: u8, t: f64) -> u8 {
    (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8
}

#[cfg(test)]
mod tests {
    use layerlab_protocol::LayerMetrics;

    use super::*;

    fn layer(name: &str, grad: Option<f64>) -> LayerMetrics {
        LayerMetrics { grad_norm: grad, ..crate::plots::unmeasured_layer(name) }
    }

    #[test]
    fn every_layer_is_a_row_every_measurement_a_column_on_the_metrics_scale() {
        let history = vec![
            Snapshot { step: 0, layers: vec![layer("model[0]", Some(1e-3)), layer("output", None)], similarity: None },
            Snapshot {
                step: 50,
                layers: vec![layer("model[0]", Some(1e-1)), layer("output", Some(10.0))],
                similarity: None,
            },
        ];
        let g = grid(&history, LayerMetric::GradNorm);
        assert_eq!(g.layers, ["model[0]", "output"]);
        assert_eq!(g.steps, [0, 50]);
        // Gradient norms on a log scale: 1e-3 … 10 is −3 … 1.
        assert_eq!(g.cells[0], [Some(-3.0), Some(-1.0)]);
        assert_eq!(g.cells[1], [None, Some(1.0)]);
        assert_eq!((g.low, g.high), (-3.0, 1.0));
        assert_eq!((g.share(-3.0), g.share(-1.0), g.share(1.0)), (0.0, 0.5, 1.0));
        // Twenty layers stay twenty rows (the line chart keeps eight).
        let many: Vec<LayerMetrics> = (0..20).map(|i| layer(&format!("model[{i}]"), Some(1.0))).collect();
        let deep = vec![Snapshot { step: 0, layers: many, similarity: None }];
        let g = grid(&deep, LayerMetric::GradNorm);
        assert_eq!(g.layers.len(), 20);
        assert_eq!((g.low, g.high), (0.0, 1e-9), "one value: a scale that still divides");
        assert!(grid(&[], LayerMetric::EffectiveRank).layers.is_empty());
    }
}
