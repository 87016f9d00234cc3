//! The loss curves, drawn with plotters on a canvas: training loss as a solid line, test loss
//! dashed (so the two differ without colour), on a linear or logarithmic axis.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

use crate::run::Point;

const TRAIN: RGBColor = RGBColor(29, 53, 87);
const TEST: RGBColor = RGBColor(214, 96, 12);

/// Draws `history` onto `canvas`; an empty history draws the empty axes.
pub fn draw(canvas: &HtmlCanvasElement, history: &[Point], log_scale: bool) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let last = history.last().map_or(1, |p| p.step.max(1));
    let losses = history.iter().flat_map(|p| [p.train_loss, p.test_loss]).filter(|v| v.is_finite() && *v > 0.0);
    let (low, high) = losses.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (low, high) = if low.is_finite() { (low, high.max(low * 1.01)) } else { (0.01, 1.0) };
    let result = if log_scale {
        chart(&root, (low * 0.8..high * 1.25).log_scale(), last, history)
    } else {
        chart(&root, 0.0..high * 1.05, last, history)
    };
    if let Err(error) = result {
        web_sys::console::warn_1(&format!("the loss chart could not be drawn: {error}").into());
    }
    let _ = root.present();
}

fn chart<Y>(
    root: &DrawingArea<CanvasBackend, plotters::coord::Shift>,
    y: Y,
    last: u64,
    history: &[Point],
) -> Result<(), Box<dyn std::error::Error>>
where
    Y: plotters::coord::ranged1d::AsRangedCoord<Value = f64>,
    <Y as plotters::coord::ranged1d::AsRangedCoord>::CoordDescType: plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let mut chart = super::step_chart(root, y, last, "loss")?;
    let finite = |v: f64| v.is_finite() && v > 0.0;
    chart
        .draw_series(LineSeries::new(
            history.iter().filter(|p| finite(p.train_loss)).map(|p| (p.step, p.train_loss)),
            TRAIN.stroke_width(2),
        ))?
        .label("train")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], TRAIN.stroke_width(2)));
    chart
        .draw_series(DashedLineSeries::new(
            history.iter().filter(|p| finite(p.test_loss)).map(|p| (p.step, p.test_loss)),
            6,
            4,
            TEST.stroke_width(2),
        ))?
        .label("test (dashed)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], TEST.stroke_width(2)));
    chart
        .configure_series_labels()
        .border_style(BLACK.mix(0.3))
        .background_style(WHITE.mix(0.9))
        .label_font(("sans-serif", 11))
        .draw()?;
    Ok(())
}
