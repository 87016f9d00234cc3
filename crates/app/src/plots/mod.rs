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
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordu64;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// A chart over steps, as every chart of the page draws one: steps from 0 to `last` across,
/// `y` up (linear or logarithmic), light grid, short labels.
pub type StepChart<'a, Y> =
    ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordu64, <Y as AsRangedCoord>::CoordDescType>>;

/// Draws the axes of a chart over steps and gives it back for the series.
pub fn step_chart<'a, Y>(
    root: &'a DrawingArea<CanvasBackend, Shift>,
    y: Y,
    last: u64,
    y_desc: &str,
) -> Result<StepChart<'a, Y>, Box<dyn std::error::Error>>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(0u64..last, y)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc(y_desc)
        .light_line_style(WHITE.mix(0.0))
        .y_label_formatter(&|v: &f64| tick_label(*v))
        .label_style((FontFamily::SansSerif, 11))
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
}
