//! A labelled matrix as a heat map (attention weights; cross-attention later): one cell
//! per value on a white-to-blue scale from 0 to the matrix's largest value, the row
//! labels on the left, the column labels above (turned on their side), a legend, and
//! each value in its cell's tooltip.
//!
//! Drawn as a CSS grid rather than on a canvas: the labels are text the browser lays
//! out (any script, readable at any zoom), and a map wider than a phone scrolls
//! sideways inside its own box instead of shrinking cells past reading. A pure function
//! of its data, as every drawing in `plots`.

use leptos::prelude::*;

/// The matrix to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    /// `rows x cols` values, row-major (finite, normally >= 0).
    pub values: Vec<f32>,
    /// One label per row.
    pub rows: Vec<String>,
    /// One label per column.
    pub cols: Vec<String>,
    /// What the map shows (above it).
    pub title: String,
}

/// The side of a cell in CSS pixels: small enough that 16 tokens fit a phone, big
/// enough to point at; wider maps scroll.
const CELL_PX: usize = 18;
/// Columns beyond which the map is likely wider than a phone (390 px): the caller
/// then says that it scrolls (see [`is_wide`]).
pub const SCROLL_NOTE_COLS: usize = 14;
/// Characters of a label shown before it is cut (the tooltip has it whole).
const LABEL_CHARS: usize = 10;

/// A label as shown: invisible characters made visible (a space as `␣`, a newline as
/// `⏎`, a tab as `⇥`) and cut to [`LABEL_CHARS`] with an ellipsis.
pub fn shown_label(label: &str) -> String {
    let visible: String = label
        .chars()
        .map(|c| match c {
            ' ' => '␣',
            '\n' => '⏎',
            '\t' => '⇥',
            c if c.is_control() => '·',
            c => c,
        })
        .collect();
    match visible.chars().count() > LABEL_CHARS {
        true => format!(
            "{}…",
            visible.chars().take(LABEL_CHARS - 1).collect::<String>()
        ),
        false => visible,
    }
}

/// The colour of `v` on the scale 0 (white) to `max` (deep blue), as CSS.
pub fn cell_colour(v: f32, max: f32) -> String {
    let f = if max > 0.0 && v.is_finite() {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    // White (255, 255, 255) to the page's blue (8, 69, 148).
    let mix = |to: f32| (255.0 + (to - 255.0) * f).round() as u8;
    format!("rgb({},{},{})", mix(8.0), mix(69.0), mix(148.0))
}

/// Whether `m` is likely wider than a phone, so that its box scrolls sideways.
pub fn is_wide(m: &Matrix) -> bool {
    m.cols.len() > SCROLL_NOTE_COLS
}

/// The heat map of `m`, with its title and legend; `None` for a matrix whose sizes do
/// not match its labels (rather than a wrong picture). The texts around it (a note
/// that a wide map scrolls) are the caller's, in its language.
pub fn heatmap(m: Matrix) -> Option<impl IntoView> {
    let (r, c) = (m.rows.len(), m.cols.len());
    if m.values.len() != r * c || r == 0 || c == 0 {
        return None;
    }
    let max = m
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f32, f32::max);
    let template = format!("grid-template-columns: auto repeat({c}, {CELL_PX}px);");
    let corner = view! { <span class="hm-corner"></span> };
    let col_heads = m
        .cols
        .iter()
        .map(|l| view! { <span class="hm-col" title=l.clone()>{shown_label(l)}</span> })
        .collect_view();
    let body = m
        .values
        .chunks(c)
        .zip(&m.rows)
        .map(|(row, label)| {
            let cells = row
                .iter()
                .zip(&m.cols)
                .map(|(&v, col)| {
                    let style = format!("background:{}", cell_colour(v, max));
                    let tip = format!("{label} → {col}: {v:.3}");
                    view! { <span class="hm-cell" style=style title=tip></span> }
                })
                .collect_view();
            view! {
                <span class="hm-row" title=label.clone()>{shown_label(label)}</span>
                {cells}
            }
        })
        .collect_view();
    let legend_style = format!(
        "background: linear-gradient(to right, {}, {})",
        cell_colour(0.0, 1.0),
        cell_colour(1.0, 1.0)
    );
    Some(view! {
        <figure class="hm" data-testid="heatmap">
            <figcaption class="hm-title">{m.title.clone()}</figcaption>
            <div class="hm-scroll">
                <div class="hm-grid" style=template>
                    {corner}
                    {col_heads}
                    {body}
                </div>
            </div>
            <div class="hm-legend">
                <span>"0"</span>
                <span class="hm-ramp" style=legend_style></span>
                <span>{format!("{max:.2}")}</span>
            </div>
        </figure>
    })
}

/// The heat map's styles (kept beside it, not in the shared style sheet).
pub const CSS: &str = r#"
.hm { margin: 0.5rem 0; }
.hm-title { font-size: 0.9rem; color: #334; margin-bottom: 0.25rem; }
.hm-scroll { overflow-x: auto; max-width: 100%; }
.hm-grid { display: grid; gap: 1px; width: max-content; font-size: 0.75rem; font-family: ui-monospace, monospace; }
.hm-corner { }
.hm-col { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; text-align: left; padding-bottom: 2px; justify-self: center; line-height: 18px; }
.hm-row { white-space: nowrap; text-align: right; padding-right: 4px; line-height: 18px; max-width: 9rem; overflow: hidden; }
.hm-cell { width: 18px; height: 18px; border-radius: 2px; }
.hm-legend { display: flex; align-items: center; gap: 0.4rem; font-size: 0.8rem; margin-top: 0.3rem; }
.hm-ramp { display: inline-block; width: 8rem; height: 0.7rem; border: 1px solid #ccd; border-radius: 2px; }
.hm-note { color: #556; font-size: 0.8rem; margin: 0.25rem 0 0; }
"#;
