//! Colours of the output pictures, as pure functions (tested natively). Colour never carries
//! meaning alone: classes also differ by marker shape, train and test points by fill.

use layerlab_protocol::{Surface, SurfaceValues};

/// TensorFlow Playground's two class colours: orange for class 0, blue for class 1.
pub const CLASS0: [u8; 3] = [245, 147, 34];
pub const CLASS1: [u8; 3] = [8, 119, 189];
/// Further classes (three-arm spirals, digits), distinct in hue and lightness.
pub const PALETTE: [[u8; 3]; 8] =
    [CLASS0, CLASS1, [46, 139, 87], [150, 60, 160], [200, 40, 40], [110, 90, 30], [0, 150, 150], [90, 90, 90]];

/// The colour of class `class`.
pub fn class_color(class: usize) -> [u8; 3] {
    PALETTE[class % PALETTE.len()]
}

/// `color` blended towards white: `amount` 0 is white, 1 the colour itself.
fn tint(color: [u8; 3], amount: f32) -> [u8; 3] {
    let a = amount.clamp(0.0, 1.0);
    color.map(|c| (255.0 + (f32::from(c) - 255.0) * a).round() as u8)
}

/// The colour of a value in [0, 1] on the orange–white–blue scale (0.5 is white).
pub fn diverging(t: f32) -> [u8; 3] {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.5 };
    if t < 0.5 { tint(CLASS0, (0.5 - t) * 2.0) } else { tint(CLASS1, (t - 0.5) * 2.0) }
}

/// The surface as RGBA pixels, row by row from the top, `side × side`. Colours are kept light
/// (at most 70% of the class colour) so the points stay visible on top.
pub fn surface_pixels(surface: &Surface) -> Vec<u8> {
    let light = |c: [u8; 3]| tint(c, 0.7);
    let colors: Vec<[u8; 3]> = match &surface.values {
        SurfaceValues::Binary { p } => p.iter().map(|&p| light(diverging(p))).collect(),
        SurfaceValues::Classes { classes, class, confidence } => {
            let share = 1.0 / (*classes).max(2) as f32;
            class
                .iter()
                .zip(confidence)
                .map(|(&c, &conf)| {
                    // Confidence at chance is white, certainty the full (light) class colour.
                    light(tint(class_color(c as usize), (conf - share) / (1.0 - share)))
                })
                .collect()
        }
        SurfaceValues::Values { v, min, max } => {
            let span = (max - min).max(1e-6);
            v.iter().map(|&x| light(diverging((x - min) / span))).collect()
        }
    };
    colors.iter().flat_map(|c| [c[0], c[1], c[2], 255]).collect()
}

/// One unit's outputs as RGBA pixels on the orange–white–blue scale, scaled by the largest
/// |value| so that 0 is white, the most negative output full orange, the most positive full blue.
pub fn unit_pixels(values: &[f32]) -> Vec<u8> {
    let top = values.iter().filter(|v| v.is_finite()).fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
    values
        .iter()
        .flat_map(|&v| {
            let [r, g, b] = diverging((v / top + 1.0) / 2.0);
            [r, g, b, 255]
        })
        .collect()
}

/// A grey picture (brightness in [0, 1], clamped) as RGBA pixels.
pub fn grey_pixels(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&v| {
            let g = if v.is_finite() { (v.clamp(0.0, 1.0) * 255.0).round() as u8 } else { 0 };
            [g, g, g, 255]
        })
        .collect()
}

/// An attention map (`rows[i][j]`: how much token i attends to token j, each row summing to 1)
/// as RGBA pixels: white for 0 to full blue for 1.
pub fn attention_pixels(rows: &[Vec<f64>]) -> Vec<u8> {
    rows.iter()
        .flatten()
        .flat_map(|&p| {
            let [r, g, b] = tint(CLASS1, if p.is_finite() { p as f32 } else { 0.0 });
            [r, g, b, 255]
        })
        .collect()
}

/// A share in [0, 1] as the background of a table cell: white to the accent blue.
pub fn share_background(share: f64) -> String {
    let [r, g, b] = tint(CLASS1, (share as f32).clamp(0.0, 1.0) * 0.8);
    format!("rgb({r},{g},{b})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_pictures_and_shares_have_their_colours() {
        assert_eq!(
            grey_pixels(&[0.0, 1.0, 2.0, f32::NAN]),
            [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255]
        );
        assert_eq!(share_background(0.0), "rgb(255,255,255)");
        let map = attention_pixels(&[vec![1.0, 0.0], vec![0.5, 0.5]]);
        assert_eq!((&map[0..3], &map[4..7], map.len()), (&CLASS1[..], &[255u8, 255, 255][..], 16));
    }

    #[test]
    fn a_units_picture_is_white_at_zero_and_saturated_at_its_extremes() {
        let px = unit_pixels(&[-2.0, 0.0, 1.0, 2.0]);
        assert_eq!(&px[0..3], &CLASS0);
        assert_eq!(&px[4..7], &[255, 255, 255]);
        assert_eq!(&px[8..11], &tint(CLASS1, 0.5));
        assert_eq!(&px[12..15], &CLASS1);
        assert_eq!(unit_pixels(&[0.0, 0.0])[0..3], [255, 255, 255], "a dead unit is blank");
    }

    #[test]
    fn surfaces_become_pixels_of_the_right_colours() {
        let binary =
            Surface { side: 2, extent: 1.0, values: SurfaceValues::Binary { p: vec![0.0, 0.5, 1.0, f32::NAN] } };
        let px = surface_pixels(&binary);
        assert_eq!(px.len(), 16);
        assert_eq!(&px[4..8], &[255, 255, 255, 255], "p = 0.5 is white");
        assert_eq!(&px[0..3], &tint(CLASS0, 0.7), "class 0 is orange");
        assert_eq!(&px[8..11], &tint(CLASS1, 0.7), "class 1 is blue");
        assert_eq!(&px[12..15], &[255, 255, 255], "an undefined value is neutral");

        let classes = SurfaceValues::Classes { classes: 3, class: vec![2, 2], confidence: vec![1.0 / 3.0, 1.0] };
        let px = surface_pixels(&Surface { side: 1, extent: 1.0, values: classes });
        assert_eq!(&px[0..3], &[255, 255, 255], "chance confidence is white");
        assert_eq!(&px[4..7], &tint(PALETTE[2], 0.7));
    }
}
