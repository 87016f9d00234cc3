//! The comparison's chart: one curve per run over the steps, each in its own colour, its own
//! line pattern and its own marker shape, so the runs tell apart without colour; the legend
//! names them. A linear axis stops short of a diverging run's peak, as the loss chart's does.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::Axis;
use super::colors::PALETTE;
use super::legend::{self, Corner, Key};
use crate::compare::Curve;
use crate::run::Point;

/// The line pattern of run `i`: (dash, gap) in pixels; solid for the first.
const PATTERNS: [(u32, u32); 4] = [(0, 0), (8, 4), (2, 3), (12, 3)];

/// Draws each run's `curve` (label, history); `log_scale` for the losses.
pub fn draw(canvas: &HtmlCanvasElement, runs: &[(&str, &[Point])], curve: Curve, log_scale: bool) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let last = runs.iter().filter_map(|(_, h)| h.last()).map(|p| p.step).max().unwrap_or(1).max(1);
    let values = runs.iter().flat_map(|(_, h)| h.iter().filter_map(|p| curve.value(p)));
    let (low, high) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let result = match curve {
        Curve::TestAccuracy => chart(&root, Axis::linear(0.0, 1.0), last, runs, curve),
        _ if log_scale && low.is_finite() && low > 0.0 => {
            chart(&root, Axis::log(low * 0.8, high.max(low * 1.01) * 1.25), last, runs, curve)
        }
        _ => {
            let top = cut_off(runs, curve).unwrap_or(high);
            chart(&root, Axis::linear(0.0, if top > 0.0 { top * 1.05 } else { 1.0 }), last, runs, curve)
        }
    };
    let _ = root.present();
    if let Err(error) = result {
        web_sys::console::warn_1(&format!("the comparison chart could not be drawn: {error}").into());
    }
}

/// Where a linear axis of the runs' `curve` stops short of its highest value, if it does (a run
/// that diverged: [`super::cut_off`]); higher values are drawn along its top edge. Never for
/// the accuracy, whose axis is 0 to 1.
pub fn cut_off(runs: &[(&str, &[Point])], curve: Curve) -> Option<f64> {
    if curve == Curve::TestAccuracy {
        return None;
    }
    let curves: Vec<_> = runs.iter().map(|(_, h)| h.iter().filter_map(move |p| curve.value(p))).collect();
    super::cut_off(&curves)
}

fn chart(
    root: &DrawingArea<CanvasBackend, plotters::coord::Shift>,
    axis: Axis,
    last: u64,
    runs: &[(&str, &[Point])],
    curve: Curve,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut chart = super::step_chart(root, axis, last, curve.title())?;
    let mut entries: Vec<(String, Key)> = Vec::with_capacity(runs.len());
    for (i, (label, history)) in runs.iter().enumerate() {
        let [r, g, b] = PALETTE[i % PALETTE.len()];
        let color = RGBColor(r, g, b);
        let style = color.stroke_width(2);
        let points: Vec<(u64, f64)> =
            history.iter().filter_map(|p| axis.at(curve.value(p)?.min(axis.high)).map(|at| (p.step, at))).collect();
        let (dash, gap) = PATTERNS[i % PATTERNS.len()];
        if dash == 0 {
            chart.draw_series(LineSeries::new(points.clone(), style))?;
        } else {
            chart.draw_series(DashedLineSeries::new(points.clone(), dash, gap, style))?;
        }
        entries.push((label.to_string(), Box::new(move |(x, y)| marker(i, (x + 9, y), color))));
        // A marker every tenth of the run, in the run's shape.
        let every = (points.len() / 10).max(1);
        chart.draw_series(points.iter().step_by(every).map(|&p| marker(i, p, color)))?;
    }
    legend::draw(&chart.plotting_area().strip_coord_spec(), Corner::UpperRight, 11.0, &entries)?;
    Ok(())
}

/// Run `i`'s marker at `at` (a pixel in the legend, a point in the chart): circle, triangle,
/// square, cross.
fn marker<C: Clone + 'static>(i: usize, at: C, color: RGBColor) -> DynElement<'static, CanvasBackend, C> {
    let anchor = EmptyElement::at(at);
    match i % 4 {
        0 => (anchor + Circle::new((0, 0), 4, color.filled())).into_dyn(),
        1 => (anchor + TriangleMarker::new((0, 0), 5, color.filled())).into_dyn(),
        2 => (anchor + Rectangle::new([(-4, -4), (4, 4)], color.filled())).into_dyn(),
        _ => (anchor + Cross::new((0, 0), 4, color.stroke_width(2))).into_dyn(),
    }
}
