//! A chart's legend: a box in the plotting area naming each line beside its key (a short line in
//! the line's style, or the run's marker). It draws what plotters' series labels draw (the same
//! layout: 10 px margins, 30 px for the keys), but names its font by family rather than by a
//! string: plotters' series labels look a font up by name (`FontFamily::from(&str)`), which
//! lowercases the name with Unicode's case tables and brought 14.7 KB (11.7 KB of tables) into
//! the page's module.

use plotters::coord::Shift;
use plotters::element::{DynElement, MultiLineText};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// Draws an entry's key with its left end at the given pixel (the middle of its text's line).
pub type Key = Box<dyn Fn((i32, i32)) -> DynElement<'static, CanvasBackend, (i32, i32)>>;

/// Where the legend sits in the plotting area, 5 px from its edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    UpperRight,
    MiddleRight,
}

const MARGIN: i32 = 10;
const KEY_WIDTH: i32 = 30;

/// Draws `entries` (text, key) in a box at `corner` of `area`, in sans-serif of `size` pixels.
pub fn draw(
    area: &DrawingArea<CanvasBackend, Shift>,
    corner: Corner,
    size: f64,
    entries: &[(String, Key)],
) -> Result<(), Box<dyn std::error::Error>> {
    if entries.is_empty() {
        return Ok(());
    }
    let font: TextStyle = (FontFamily::SansSerif, size).into_font().into();
    let mut text = MultiLineText::<_, &str>::new((0, 0), &font);
    for (line, _) in entries {
        text.push_line(line.as_str());
    }
    let (w, h) = text.estimate_dimension()?;
    let (w, h) = (w + KEY_WIDTH + 2 * MARGIN, h + 2 * MARGIN);
    let (area_w, area_h) = area.dim_in_pixel();
    let x = area_w as i32 - w - 5;
    let y = match corner {
        Corner::UpperRight => 5,
        Corner::MiddleRight => (area_h as i32 - h) / 2,
    };
    text.relocate((x + KEY_WIDTH + MARGIN, y + MARGIN));
    let corners = [(x, y), (x + w, y + h)];
    area.draw(&Rectangle::new(corners, WHITE.mix(0.9).filled()))?;
    area.draw(&Rectangle::new(corners, BLACK.mix(0.3)))?;
    area.draw(&text)?;
    for (((_, top), (_, bottom)), (_, key)) in text.compute_line_layout()?.into_iter().zip(entries) {
        area.draw(&key((x + MARGIN, (top + bottom) / 2)))?;
    }
    Ok(())
}
