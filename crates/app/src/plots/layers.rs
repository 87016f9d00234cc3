//! What happens inside the layers over time: one chosen metric, one line per layer, drawn with
//! plotters. Lines differ by colour and by dash pattern, and the legend names each layer.

use layerlab_protocol::{LayerMetrics, Snapshot};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::Axis;
use super::colors::class_color;
use super::legend::{self, Corner, Key};

/// The layer metrics the page plots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerMetric {
    EffectiveRank,
    NearZero,
    GradNorm,
    UpdateRatio,
}

impl LayerMetric {
    pub const ALL: [LayerMetric; 4] =
        [LayerMetric::EffectiveRank, LayerMetric::NearZero, LayerMetric::GradNorm, LayerMetric::UpdateRatio];

    /// The stable name (the select's value).
    pub fn name(self) -> &'static str {
        match self {
            LayerMetric::EffectiveRank => "effective_rank",
            LayerMetric::NearZero => "near_zero",
            LayerMetric::GradNorm => "grad_norm",
            LayerMetric::UpdateRatio => "update_ratio",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// What the metric says, in a sentence, with the paper it comes from.
    pub fn explain(self) -> &'static str {
        match self {
            LayerMetric::EffectiveRank => {
                "Effective rank: how many directions a layer's outputs really use (\"The effective rank: A measure of effective dimensionality\"); a collapse means the layer throws information away."
            }
            LayerMetric::NearZero => {
                "Near-zero share: the fraction of a layer's outputs below 0.001 in size; dead ReLUs push it up."
            }
            LayerMetric::GradNorm => {
                "Gradient norm: how strongly the loss pulls on a layer's weights; vanishing or exploding gradients show here first."
            }
            LayerMetric::UpdateRatio => {
                "Update ratio: the size of a step relative to the weights (about 0.001 is healthy)."
            }
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LayerMetric::EffectiveRank => "Effective rank",
            LayerMetric::NearZero => "Near-zero share",
            LayerMetric::GradNorm => "Gradient norm",
            LayerMetric::UpdateRatio => "Update ratio",
        }
    }

    /// The metric of one layer, when measured.
    pub fn pick(self, layer: &LayerMetrics) -> Option<f64> {
        match self {
            LayerMetric::EffectiveRank => layer.effective_rank,
            LayerMetric::NearZero => layer.near_zero,
            LayerMetric::GradNorm => layer.grad_norm,
            LayerMetric::UpdateRatio => layer.update_ratio,
        }
        .filter(|v| v.is_finite())
    }

    /// Norms and ratios span decades: drawn on a log axis.
    pub fn logarithmic(self) -> bool {
        matches!(self, LayerMetric::GradNorm | LayerMetric::UpdateRatio)
    }
}

/// The most lines one chart holds; beyond it only the top-level blocks are drawn (the table
/// lists every layer).
pub const MAX_LINES: usize = 8;

/// One line per layer (in the order of the latest snapshot): its name and (step, value) points.
/// When there are more than [`MAX_LINES`] layers, only the top-level ones (`model[3]`, not
/// `model[3].router`) and the output.
pub fn series(history: &[Snapshot], metric: LayerMetric) -> Vec<(String, Vec<(u64, f64)>)> {
    let Some(last) = history.last() else { return Vec::new() };
    let crowded = last.layers.len() > MAX_LINES;
    last.layers
        .iter()
        .filter(|layer| !crowded || !layer.name.contains('.'))
        .take(MAX_LINES)
        .map(|layer| {
            let points = history
                .iter()
                .filter_map(|s| {
                    let same = s.layers.iter().find(|l| l.name == layer.name)?;
                    metric.pick(same).map(|v| (s.step, v))
                })
                .collect();
            (layer.name.clone(), points)
        })
        .collect()
}

/// Draws `metric` over time for every layer onto `canvas`.
pub fn draw(canvas: &HtmlCanvasElement, history: &[Snapshot], metric: LayerMetric) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let lines = series(history, metric);
    let last = history.last().map_or(1, |s| s.step.max(1));
    let values = lines.iter().flat_map(|(_, p)| p.iter().map(|&(_, v)| v));
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let result = if metric.logarithmic() {
        let (low, high) = if low.is_finite() && low > 0.0 { (low, high.max(low * 1.01)) } else { (1e-6, 1.0) };
        chart(&root, Axis::log(low * 0.8, high * 1.25), last, &lines, metric)
    } else {
        let (low, high) = if low.is_finite() { (low.min(0.0), high.max(low + 1e-6)) } else { (0.0, 1.0) };
        chart(&root, Axis::linear(low, high * 1.05), last, &lines, metric)
    };
    if let Err(error) = result {
        web_sys::console::warn_1(&format!("the layer chart could not be drawn: {error}").into());
    }
    let _ = root.present();
}

fn chart(
    root: &DrawingArea<CanvasBackend, plotters::coord::Shift>,
    axis: Axis,
    last: u64,
    lines: &[(String, Vec<(u64, f64)>)],
    metric: LayerMetric,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut chart = super::step_chart(root, axis, last, metric.label())?;
    let mut entries: Vec<(String, Key)> = Vec::with_capacity(lines.len());
    for (i, (name, points)) in lines.iter().enumerate() {
        let points = points.iter().filter_map(|&(step, v)| Some((step, axis.at(v)?)));
        let [r, g, b] = class_color(i);
        let style = RGBColor(r, g, b).stroke_width(2);
        if i % 2 == 0 {
            chart.draw_series(LineSeries::new(points, style))?;
        } else {
            chart.draw_series(DashedLineSeries::new(points, 5, 3, style))?;
        }
        entries.push((
            name.clone(),
            Box::new(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style).into_dyn()),
        ));
    }
    legend::draw(&chart.plotting_area().strip_coord_spec(), Corner::MiddleRight, 10.0, &entries)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(name: &str, rank: Option<f64>) -> LayerMetrics {
        LayerMetrics { effective_rank: rank, ..crate::plots::unmeasured_layer(name) }
    }

    #[test]
    fn series_follow_each_layer_by_name_and_skip_what_was_not_measured() {
        let history = vec![
            Snapshot { step: 0, layers: vec![layer("model[0]", Some(3.0)), layer("output", None)], similarity: None },
            Snapshot {
                step: 50,
                layers: vec![layer("model[0]", Some(2.5)), layer("output", Some(1.0))],
                similarity: None,
            },
        ];
        let lines = series(&history, LayerMetric::EffectiveRank);
        assert_eq!(lines[0], ("model[0]".to_string(), vec![(0, 3.0), (50, 2.5)]));
        assert_eq!(lines[1], ("output".to_string(), vec![(50, 1.0)]));
        let many: Vec<LayerMetrics> = (0..12).map(|i| layer(&format!("model[0].experts[{i}]"), Some(1.0))).collect();
        let crowded = vec![Snapshot {
            step: 0,
            layers: [vec![layer("model[0]", Some(2.0))], many, vec![layer("output", Some(1.0))]].concat(),
            similarity: None,
        }];
        let names: Vec<String> = series(&crowded, LayerMetric::EffectiveRank).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["model[0]", "output"], "a crowded chart keeps the top-level blocks");
        for metric in LayerMetric::ALL {
            assert_eq!(LayerMetric::from_name(metric.name()), Some(metric));
            assert!(!metric.explain().is_empty());
        }
    }
}
