//! The output pictures: loss curves and layer metrics over time (plotters on a canvas) and the decision surface with the
//! data (pixels and markers on a canvas). `colors` holds the pure colour functions.

pub mod colors;
pub mod layers;
pub mod loss;
pub mod surface;

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
