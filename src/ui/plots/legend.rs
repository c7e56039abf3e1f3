//! Chart legends in the house style, laid out with the canvas's own text measure
//! (plotters' series labels measure theirs through the page's layout: see `canvas.rs`).

use super::canvas::Canvas;
use super::{DrawResult, INK};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How a legend shows a series: a short line, or a dot as its points are drawn.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    /// A line series drawn in this style.
    Line(ShapeStyle),
    /// A point series of this colour.
    Dot(RGBColor),
}

impl Key {
    /// A line series of `color`, 2 pixels wide (the charts' usual line).
    pub fn line(color: RGBColor) -> Key {
        Key::Line(color.stroke_width(2))
    }
}

/// Padding inside the legend's box, in pixels.
const PAD: i32 = 6;
/// Width of a key (its line), in pixels.
const KEY: i32 = 16;
/// Space between a key and its label.
const GAP: i32 = 6;
/// Space between the box and the plotting area's edge.
const MARGIN: i32 = 8;

/// Draws a legend of `entries` (a label and its key, top to bottom) at `position` in
/// `chart`'s plotting area, on a white box.
pub fn draw_legend<CT: CoordTranslate>(
    chart: &ChartContext<'_, Canvas, CT>,
    position: SeriesLabelPosition,
    entries: &[(&str, Key)],
) -> DrawResult {
    if entries.is_empty() {
        return Ok(());
    }
    let area = chart.plotting_area().strip_coord_spec();
    let font = ("sans-serif", 13).into_font().color(&INK);
    let mut sizes = Vec::with_capacity(entries.len());
    for (label, _) in entries {
        sizes.push(area.estimate_text_size(label, &font)?);
    }
    let row = sizes.iter().map(|s| s.1 as i32).max().unwrap_or(0) + 4;
    let text = sizes.iter().map(|s| s.0 as i32).max().unwrap_or(0);
    let (w, h) = (
        PAD * 2 + KEY + GAP + text,
        PAD * 2 + row * entries.len() as i32,
    );
    let (x, y) = corner(position, area.dim_in_pixel(), (w, h));
    let frame = [(x, y), (x + w, y + h)];
    area.draw(&Rectangle::new(frame, WHITE.mix(0.85).filled()))?;
    area.draw(&Rectangle::new(frame, RGBColor(200, 200, 200)))?;
    let label_style = font.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (label, key)) in entries.iter().enumerate() {
        let mid = y + PAD + row * i as i32 + row / 2;
        let left = x + PAD;
        match *key {
            Key::Line(style) => area.draw(&PathElement::new(
                vec![(left, mid), (left + KEY, mid)],
                style,
            ))?,
            Key::Dot(color) => area.draw(&Circle::new((left + KEY / 2, mid), 3, color.filled()))?,
        }
        area.draw(&Text::new(
            label.to_string(),
            (left + KEY + GAP, mid),
            label_style.clone(),
        ))?;
    }
    Ok(())
}

/// The top-left pixel of a `(w, h)` box at `position` in an area of `size` pixels.
fn corner(position: SeriesLabelPosition, size: (u32, u32), (w, h): (i32, i32)) -> (i32, i32) {
    use SeriesLabelPosition::*;
    let (aw, ah) = (size.0 as i32, size.1 as i32);
    let x = match position {
        UpperLeft | MiddleLeft | LowerLeft => MARGIN,
        UpperMiddle | MiddleMiddle | LowerMiddle => (aw - w) / 2,
        UpperRight | MiddleRight | LowerRight => aw - w - MARGIN,
        Coordinate(x, _) => x,
    };
    let y = match position {
        UpperLeft | UpperMiddle | UpperRight => MARGIN,
        MiddleLeft | MiddleMiddle | MiddleRight => (ah - h) / 2,
        LowerLeft | LowerMiddle | LowerRight => ah - h - MARGIN,
        Coordinate(_, y) => y,
    };
    (x, y)
}
