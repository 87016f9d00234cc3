//! The decision surface with the data on top, drawn on a canvas: the surface's pixels through
//! an `ImageData` scaled up smoothly, then every point as a marker whose shape names its class
//! (circle, square, triangle, diamond…) and whose fill tells training (filled) from test
//! (hollow) examples.

use layerlab_protocol::{Points, Surface};
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::colors::{self, class_color};

/// Draws `surface` (or a blank field) and `points` onto `canvas`; `classes` is 0 for
/// regression, where points are coloured by value.
pub fn draw(
    canvas: &HtmlCanvasElement,
    surface: Option<&Surface>,
    points: Option<&Points>,
    classes: u32,
    show_test: bool,
) {
    let Some(ctx) = context(canvas) else { return };
    let (w, h) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, w, h);
    if let Some(surface) = surface {
        paint_surface(&ctx, surface, w, h);
    }
    let Some(points) = points else { return };
    let extent = f64::from(points.extent.max(1e-6));
    let at =
        |x: f32, y: f32| ((f64::from(x) + extent) / (2.0 * extent) * w, (extent - f64::from(y)) / (2.0 * extent) * h);
    let range = value_range(&points.train_labels);
    let layer = |xy: &[f32], labels: &[f32], hollow: bool| {
        for (p, &label) in xy.chunks_exact(2).zip(labels) {
            let (px, py) = at(p[0], p[1]);
            let (shape, color) = if classes > 0 {
                (label.max(0.0) as usize, class_color(label.max(0.0) as usize))
            } else {
                (0, colors::diverging((label - range.0) / (range.1 - range.0).max(1e-6)))
            };
            marker(&ctx, px, py, shape, color, hollow);
        }
    };
    layer(&points.train, &points.train_labels, false);
    if show_test {
        layer(&points.test, &points.test_labels, true);
    }
}

/// Paints a grey picture at its own size (CSS scales it).
pub fn draw_picture(canvas: &HtmlCanvasElement, pixels: &[f32], side: u32) {
    put_pixels(canvas, &colors::grey_pixels(pixels), side);
}

/// Paints an attention map (`len × len`) at its own size (CSS scales it).
pub fn draw_attention(canvas: &HtmlCanvasElement, rows: &[Vec<f64>]) {
    put_pixels(canvas, &colors::attention_pixels(rows), rows.len() as u32);
}

/// Paints a unit's picture: the canvas's own size is the grid's side, and CSS scales it up
/// smoothly.
pub fn draw_unit(canvas: &HtmlCanvasElement, values: &[f32], side: u32) {
    put_pixels(canvas, &colors::unit_pixels(values), side);
}

/// RGBA pixels onto a canvas made `side × side`.
fn put_pixels(canvas: &HtmlCanvasElement, pixels: &[u8], side: u32) {
    let Some(ctx) = context(canvas) else { return };
    if canvas.width() != side || canvas.height() != side {
        canvas.set_width(side);
        canvas.set_height(side);
    }
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), side, side) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn paint_surface(ctx: &CanvasRenderingContext2d, surface: &Surface, w: f64, h: f64) {
    let side = surface.side;
    let pixels = colors::surface_pixels(surface);
    let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), side, side) else { return };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(small) = document.create_element("canvas").ok().and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return;
    };
    small.set_width(side);
    small.set_height(side);
    let Some(small_ctx) = context(&small) else { return };
    let _ = small_ctx.put_image_data(&image, 0.0, 0.0);
    ctx.set_image_smoothing_enabled(true);
    let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&small, 0.0, 0.0, w, h);
}

/// One marker: shape by class (circle, square, triangle, diamond, then again), filled for
/// training points and hollow for test points.
fn marker(ctx: &CanvasRenderingContext2d, x: f64, y: f64, shape: usize, color: [u8; 3], hollow: bool) {
    let r = 3.5;
    let fill = format!("rgb({},{},{})", color[0], color[1], color[2]);
    ctx.begin_path();
    match shape % 4 {
        0 => {
            let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
        }
        1 => ctx.rect(x - r, y - r, 2.0 * r, 2.0 * r),
        2 => {
            ctx.move_to(x, y - r * 1.2);
            ctx.line_to(x + r * 1.2, y + r);
            ctx.line_to(x - r * 1.2, y + r);
            ctx.close_path();
        }
        _ => {
            ctx.move_to(x, y - r * 1.3);
            ctx.line_to(x + r * 1.3, y);
            ctx.line_to(x, y + r * 1.3);
            ctx.line_to(x - r * 1.3, y);
            ctx.close_path();
        }
    }
    if hollow {
        ctx.set_line_width(1.8);
        ctx.set_stroke_style_str(&fill);
        ctx.stroke();
    } else {
        ctx.set_fill_style_str(&fill);
        ctx.fill();
        ctx.set_line_width(1.0);
        ctx.set_stroke_style_str("#ffffff");
        ctx.stroke();
    }
}

fn value_range(values: &[f32]) -> (f32, f32) {
    let min = values.iter().copied().fold(f32::INFINITY, f32::min);
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if min.is_finite() && max.is_finite() { (min, max) } else { (0.0, 1.0) }
}
