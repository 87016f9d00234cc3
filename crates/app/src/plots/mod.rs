//! The output pictures: loss curves and layer metrics over time, as lines or as a layer × time
//! heatmap (plotters on a canvas), and the decision surface with the data (pixels and markers
//! on a canvas). `colors` holds the pure colour functions.

pub mod colors;
pub mod compare;
pub mod heatmap;
pub mod layers;
pub mod legend;
pub mod loss;
pub mod surface;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, ValueFormatter};
use plotters::coord::types::{RangedCoordf64, RangedCoordu64};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// A chart over steps, as every chart of the page draws one: steps across, an [`Axis`] up.
pub type StepChart<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordu64, YCoord>>;

/// The most ticks on a y axis (plotters' default).
const LABELS: usize = 11;

/// A chart's y axis from `low` to `high`, linear or logarithmic. A logarithmic axis is drawn as
/// a linear one over the values' base-10 logarithms, ticked at powers of ten (or at 1, 2 and 5
/// times them, or every digit, where it spans too few decades for three ticks): every chart
/// then has one coordinate type, and plotters' chart code is compiled once rather than once
/// per kind of axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub low: f64,
    pub high: f64,
    pub log: bool,
}

impl Axis {
    pub fn linear(low: f64, high: f64) -> Self {
        Axis { low, high, log: false }
    }

    /// A logarithmic axis; `low` must be above zero.
    pub fn log(low: f64, high: f64) -> Self {
        Axis { low, high, log: true }
    }

    /// Where `v` lies on the axis, or None where it cannot be drawn (not finite, or not above
    /// zero on a logarithmic axis).
    pub fn at(self, v: f64) -> Option<f64> {
        let at = if self.log { v.log10() } else { v };
        at.is_finite().then_some(at)
    }

    /// The axis's range on the axis, finite whatever the data (a diverging loss of 1e308 makes
    /// `high` infinite, and ticks over an infinite range would never end).
    fn range(self) -> std::ops::Range<f64> {
        let (low, high) = (self.low.max(-f64::MAX), self.high.min(f64::MAX));
        if self.log { low.max(f64::MIN_POSITIVE).log10()..high.max(f64::MIN_POSITIVE).log10() } else { low..high }
    }

    /// The ticks, where they lie on the axis: at most [`LABELS`].
    fn ticks(self) -> Vec<f64> {
        let range = self.range();
        if !self.log {
            return RangedCoordf64::from(range).key_points(LABELS);
        }
        let decades = range.start.floor() as i32..=range.end.ceil() as i32;
        let at = |mantissas: &[f64]| -> Vec<f64> {
            let ticks = decades.clone().flat_map(|e| mantissas.iter().map(move |m| (m * 10f64.powi(e)).log10()));
            ticks.filter(|t| (range.start - 1e-9..=range.end + 1e-9).contains(t)).collect()
        };
        let mut ticks = at(&[1.0]);
        for mantissas in [&[1.0, 2.0, 5.0][..], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]] {
            if ticks.len() >= 3 {
                break;
            }
            ticks = at(mantissas);
        }
        let every = ticks.len().div_ceil(LABELS).max(1);
        ticks.into_iter().step_by(every).collect()
    }

    /// A tick's label: the value at `at` on the axis.
    fn label(self, at: f64) -> String {
        tick_label(if self.log { 10f64.powf(at) } else { at })
    }
}

/// An [`Axis`] as plotters reads it: its range and its ticks, where they lie on the axis.
#[derive(Clone)]
pub struct YCoord {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for YCoord {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    /// The ticks for the labels and bold grid lines; no light grid lines.
    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// Plain numbers; [`step_chart`] labels a logarithmic axis's ticks itself.
impl ValueFormatter<f64> for YCoord {
    fn format(value: &f64) -> String {
        tick_label(*value)
    }
}

/// Draws the axes of a chart over steps and gives it back for the series.
pub fn step_chart<'a>(
    root: &'a DrawingArea<CanvasBackend, Shift>,
    axis: Axis,
    last: u64,
    y_desc: &str,
) -> Result<StepChart<'a>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        // The step labels and, under them, the axis's name "step", apart (at 28 pixels the
        // name touched the middle label).
        .x_label_area_size(34)
        .y_label_area_size(48)
        .build_cartesian_2d(0u64..last, YCoord { inner: axis.range().into(), ticks: axis.ticks() })?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc(y_desc)
        // Five step labels fit across a narrow chart at 100,000 steps; ten overlapped.
        .x_labels(5)
        .light_line_style(WHITE.mix(0.0))
        .y_label_formatter(&|at: &f64| axis.label(*at))
        .label_style((FontFamily::SansSerif, 11))
        .axis_desc_style((FontFamily::SansSerif, 11))
        .draw()?;
    Ok(chart)
}

/// An axis label: plain for ordinary numbers, in powers of ten for very large or small ones
/// (a log axis of gradient norms spans 1e-6 to 1).
pub fn tick_label(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".to_string()
    } else if !(0.01..1000.0).contains(&a) {
        format!("{v:.0e}")
    } else {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// How many times where it started a curve may rise and still set a linear axis's top.
pub const RISE: f64 = 10.0;

/// Where a linear axis of losses stops short of the highest value, if it does: when a curve
/// rose more than [`RISE`] times its first value (a run diverging, a test loss climbing while
/// the model overfits), an axis up to its peak would flatten every other value into a line
/// along the bottom, so the axis stops at the highest value within that bound and the charts
/// draw higher ones along its top edge. Each curve is one run's values in step order; only
/// finite values above zero count. None when every value fits.
pub fn cut_off<I: Iterator<Item = f64> + Clone>(curves: &[I]) -> Option<f64> {
    let counted = |curve: &I| curve.clone().filter(|v| v.is_finite() && *v > 0.0);
    let start = curves.iter().filter_map(|c| counted(c).next()).fold(0.0, f64::max);
    let bound = start * RISE;
    let (mut top, mut over) = (0.0f64, false);
    for v in curves.iter().flat_map(counted) {
        if v > bound { over = true } else { top = top.max(v) }
    }
    over.then_some(top)
}

/// Says in words that a linear axis stops short at `top` ([`cut_off`]); `what` the values are
/// ("Losses"). The axis reaches 5 % above `top`, as the charts draw it.
pub fn cut_sentence(what: &str, top: f64) -> String {
    format!(
        "{what} above {} (over {RISE} times where they started) are drawn along the top edge; the log scale shows them all.",
        tick_label(top * 1.05)
    )
}

/// A dense layer's metrics with nothing measured, for the plots' tests to fill in.
#[cfg(test)]
pub(crate) fn unmeasured_layer(name: &str) -> layerlab_protocol::LayerMetrics {
    let json = serde_json::json!({ "name": name, "kind": "dense", "width": 4 });
    serde_json::from_value(json).expect("a layer's metrics with its name, kind and width")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tick_labels_are_short() {
        let cases = [
            (0.0, "0"),
            (0.5, "0.5"),
            (2.0, "2"),
            (0.25, "0.25"),
            (9.999e-5, "1e-4"),
            (1e-6, "1e-6"),
            (12000.0, "1e4"),
        ];
        for (v, label) in cases {
            assert_eq!(super::tick_label(v), label, "{v}");
        }
    }

    /// A linear axis stops short of a curve that rose more than ten times where it started,
    /// at the highest value within that bound; anything else fits whole.
    #[test]
    fn a_diverging_curve_is_cut_off() {
        let inf = f64::INFINITY;
        let cases: &[(&[&[f64]], Option<f64>)] = &[
            (&[&[0.7, 0.5, 0.2], &[0.72, 0.6, 0.4]], None),
            (&[&[0.7, 0.3, 6.9]], None),
            (&[&[0.7, 0.3, 2.0, 69.0, 40.0]], Some(2.0)),
            (&[&[0.7, 0.5], &[0.8, 9.0, 1e9]], Some(0.8)),
            (&[&[f64::NAN, 0.0, 0.5, 0.4, 6.0, inf]], Some(0.5)),
            (&[&[1e4, 3.0, 0.01]], None),
            (&[&[], &[f64::NAN]], None),
        ];
        for (curves, want) in cases {
            let iters: Vec<_> = curves.iter().map(|c| c.iter().copied()).collect();
            assert_eq!(super::cut_off(&iters), *want, "{curves:?}");
        }
    }

    /// A logarithmic axis's tick labels: decades where it spans three or more, else 1-2-5 or
    /// every digit; never more than eleven, finite even over an infinite range; a linear axis's
    /// as plotters picks them.
    #[test]
    fn axes_are_ticked_at_round_values() {
        use super::Axis;
        let labels = |axis: Axis| -> Vec<String> { axis.ticks().into_iter().map(|t| axis.label(t)).collect() };
        let cases: &[(Axis, &[&str])] = &[
            (Axis::log(8e-7, 1.25), &["1e-6", "1e-5", "1e-4", "1e-3", "0.01", "0.1", "1"]),
            (Axis::log(0.08, 2.5), &["0.1", "0.2", "0.5", "1", "2"]),
            (Axis::log(0.25, 0.9), &["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]),
            (Axis::log(1e-12, 1e6), &["1e-12", "1e-10", "1e-8", "1e-6", "1e-4", "0.01", "1", "100", "1e4", "1e6"]),
            (Axis::linear(0.0, 1.0), &["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"]),
        ];
        for (axis, want) in cases {
            assert_eq!(labels(*axis), *want, "{axis:?}");
        }
        for axis in [Axis::log(1e-300, f64::INFINITY), Axis::linear(0.0, f64::INFINITY), Axis::log(0.0, f64::NAN)] {
            let ticks = axis.ticks();
            assert!(ticks.len() <= 11 && ticks.iter().all(|t| t.is_finite()), "{axis:?}: {ticks:?}");
        }
        assert_eq!(Axis::log(0.1, 1.0).at(0.0), None, "zero is not on a logarithmic axis");
        assert_eq!(Axis::linear(0.0, 1.0).at(f64::NAN), None);
        assert_eq!(Axis::log(0.1, 10.0).at(100.0), Some(2.0));
    }
}
