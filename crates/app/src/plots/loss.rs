//! The loss curves, drawn with plotters on a canvas: training loss as a solid line, test loss
//! dashed (so the two differ without colour), on a linear or logarithmic axis, with a cursor at
//! the step whose exact values the page reads out. A linear axis stops short of a diverging run's
//! peak ([`cut_off`]), so the rest of the curve stays readable.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use super::Axis;
use super::legend::{self, Corner, Key};
use crate::run::Point;

const TRAIN: RGBColor = RGBColor(29, 53, 87);
const TEST: RGBColor = RGBColor(214, 96, 12);

/// Where the steps lie across the canvas: the plotting area's left and right edges in canvas
/// pixels, and the last step (at the right edge).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub left: f64,
    pub right: f64,
    pub last: u64,
}

impl Span {
    /// The step at canvas pixel `x` (clamped to the axis).
    pub fn step_at(self, x: f64) -> u64 {
        let width = (self.right - self.left).max(1.0);
        let share = ((x - self.left) / width).clamp(0.0, 1.0);
        (share * self.last as f64).round() as u64
    }
}

/// Draws `history` onto `canvas`, with a vertical cursor at step `cursor`; an empty history
/// draws the empty axes. Gives back where the steps lie, for reading a position back.
pub fn draw(canvas: &HtmlCanvasElement, history: &[Point], log_scale: bool, cursor: Option<u64>) -> Option<Span> {
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let last = history.last().map_or(1, |p| p.step.max(1));
    let losses = history.iter().flat_map(|p| [p.train_loss, p.test_loss]).filter(|v| v.is_finite() && *v > 0.0);
    let (low, high) = losses.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (low, high) = if low.is_finite() { (low, high.max(low * 1.01)) } else { (0.01, 1.0) };
    let result = if log_scale {
        chart(&root, Axis::log(low * 0.8, high * 1.25), last, history, cursor)
    } else {
        chart(&root, Axis::linear(0.0, cut_off(history).unwrap_or(high) * 1.05), last, history, cursor)
    };
    let _ = root.present();
    match result {
        Ok((left, right)) => Some(Span { left: f64::from(left), right: f64::from(right), last }),
        Err(error) => {
            web_sys::console::warn_1(&format!("the loss chart could not be drawn: {error}").into());
            None
        }
    }
}

/// Where the linear axis stops short of `history`'s highest loss, if it does (a diverging run:
/// [`super::cut_off`]); higher losses are drawn along its top edge.
pub fn cut_off(history: &[Point]) -> Option<f64> {
    let curve = |pick: fn(&Point) -> f64| history.iter().map(pick);
    super::cut_off(&[curve(|p| p.train_loss), curve(|p| p.test_loss)])
}

fn chart(
    root: &DrawingArea<CanvasBackend, plotters::coord::Shift>,
    axis: Axis,
    last: u64,
    history: &[Point],
    cursor: Option<u64>,
) -> Result<(i32, i32), Box<dyn std::error::Error>> {
    let mut chart = super::step_chart(root, axis, last, "loss")?;
    let finite = |v: f64| v.is_finite() && v > 0.0;
    // A loss above a linear axis's top lies along its edge.
    let on_axis = |v: f64| axis.at(v.min(axis.high));
    let (across, down) = chart.plotting_area().get_pixel_range();
    if let Some(step) = cursor {
        let share = step.min(last) as f64 / last.max(1) as f64;
        let x = across.start + (share * f64::from(across.end - across.start)).round() as i32;
        root.draw(&PathElement::new(vec![(x, down.start), (x, down.end)], BLACK.mix(0.4)))?;
    }
    chart.draw_series(LineSeries::new(
        history.iter().filter(|p| finite(p.train_loss)).filter_map(|p| Some((p.step, on_axis(p.train_loss)?))),
        TRAIN.stroke_width(2),
    ))?;
    chart.draw_series(DashedLineSeries::new(
        history.iter().filter(|p| finite(p.test_loss)).filter_map(|p| Some((p.step, on_axis(p.test_loss)?))),
        6,
        4,
        TEST.stroke_width(2),
    ))?;
    let key = |style: ShapeStyle| -> Key {
        Box::new(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style).into_dyn())
    };
    let entries =
        [("train".to_string(), key(TRAIN.stroke_width(2))), ("test (dashed)".to_string(), key(TEST.stroke_width(2)))];
    legend::draw(&chart.plotting_area().strip_coord_spec(), Corner::MiddleRight, 11.0, &entries)?;
    Ok((across.start, across.end))
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn a_position_across_the_chart_is_a_step() {
        let span = Span { left: 56.0, right: 312.0, last: 1000 };
        assert_eq!(span.step_at(56.0), 0);
        assert_eq!(span.step_at(312.0), 1000);
        assert_eq!(span.step_at(184.0), 500);
        assert_eq!((span.step_at(0.0), span.step_at(400.0)), (0, 1000), "clamped to the axis");
        assert_eq!(Span { right: 56.0, ..span }.step_at(60.0), 1000, "a zero-width axis divides by nothing");
    }
}
