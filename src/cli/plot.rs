//! loss.svg: train and test loss against step, drawn with plotters' SVG backend (text
//! as SVG `<text>`, so no fonts are needed).

use crate::error::{Error, Result};
use crate::experiment::HistoryPoint;
use plotters::prelude::*;

/// A curve: legend name, colour, and the value it plots.
type Series = (&'static str, RGBColor, fn(&HistoryPoint) -> f64);

/// Plot size in pixels.
const SIZE: (u32, u32) = (800, 480);

/// True when losses in `[lo, hi]` are better read on a log axis: all positive and
/// spanning more than two decades.
pub fn use_log_scale(lo: f64, hi: f64) -> bool {
    lo > 0.0 && hi.is_finite() && hi / lo > 100.0
}

/// An SVG document of the train and test loss of `history` against step; the y axis is
/// logarithmic when [`use_log_scale`] says so.
pub fn loss_svg(history: &[HistoryPoint], title: &str) -> Result<String> {
    let finite = |v: f64| v.is_finite();
    let losses = history.iter().flat_map(|p| [p.train_loss, p.test_loss]);
    let (lo, hi) = losses
        .filter(|v| finite(*v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
    let log = use_log_scale(lo, hi);
    // On a log axis the plotted value is log10(loss); labels show the loss.
    let y = move |v: f64| if log { v.log10() } else { v };
    let (y0, y1) = pad(y(lo), y(hi));
    let x_max = history.iter().map(|p| p.step).max().unwrap_or(0).max(1) as f64;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let draw = |e: String| Error::Format(format!("cannot draw the loss plot: {e}"));
        root.fill(&WHITE).map_err(|e| draw(e.to_string()))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x_max, y0..y1)
            .map_err(|e| draw(e.to_string()))?;
        let y_label = |v: &f64| short(if log { 10f64.powf(*v) } else { *v });
        let x_label = |v: &f64| short(*v);
        chart
            .configure_mesh()
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 16))
            .x_desc("step")
            .y_desc(if log { "loss (log scale)" } else { "loss" })
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .draw()
            .map_err(|e| draw(e.to_string()))?;
        let series: [Series; 2] = [
            ("train", RGBColor(31, 119, 180), |p| p.train_loss),
            ("test", RGBColor(255, 127, 14), |p| p.test_loss),
        ];
        for (name, color, value) in series {
            let points = history
                .iter()
                .filter(|p| finite(value(p)) && (!log || value(p) > 0.0))
                .map(|p| (p.step as f64, y(value(p))));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))
                .map_err(|e| draw(e.to_string()))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| draw(e.to_string()))?;
        root.present().map_err(|e| draw(e.to_string()))?;
    }
    Ok(svg)
}

/// A tick label with two significant digits, trailing zeros trimmed: `3.2`, `0.032`,
/// `150`, `1.5e-5`.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let e = v.abs().log10().floor() as i32;
    if !(-3..5).contains(&e) {
        return format!("{v:.1e}");
    }
    let text = format!("{:.*}", (1 - e).max(0) as usize, v);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A non-empty range around `[lo, hi]` with a 5% margin.
fn pad(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    let m = if span > 0.0 {
        span * 0.05
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - m, hi + m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Metrics;

    fn history(losses: &[(f64, f64)]) -> Vec<HistoryPoint> {
        losses
            .iter()
            .enumerate()
            .map(|(i, &(train_loss, test_loss))| HistoryPoint {
                step: 10 * i as u64,
                epoch: i as u32,
                train_loss,
                test_loss,
                metrics: Metrics::default(),
            })
            .collect()
    }

    /// The points of each `<polyline>` in the document.
    fn polylines(svg: &str) -> Vec<usize> {
        svg.split("<polyline")
            .skip(1)
            .filter_map(|s| s.split("points=\"").nth(1))
            .filter_map(|s| s.split('"').next())
            .map(|pts| pts.split_whitespace().count())
            .filter(|&n| n > 2) // legend swatches are two-point lines
            .collect()
    }

    #[test]
    fn both_curves_are_drawn_with_every_point() {
        let h = history(&[(1.0, 1.2), (0.5, 0.7), (0.25, 0.4), (0.2, 0.35)]);
        let svg = loss_svg(&h, "test plot").unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(polylines(&svg), vec![h.len(), h.len()]);
        assert!(svg.contains("test plot") && svg.contains("\nstep\n</text>"));
    }

    #[test]
    fn log_axis_when_losses_span_more_than_two_decades() {
        assert!(!use_log_scale(0.01, 1.0));
        assert!(use_log_scale(0.0099, 1.0));
        assert!(!use_log_scale(0.0, 1.0));
        let wide = loss_svg(&history(&[(10.0, 12.0), (0.01, 0.02)]), "t").unwrap();
        assert!(wide.contains("loss (log scale)"));
        let narrow = loss_svg(&history(&[(1.0, 1.2), (0.5, 0.6)]), "t").unwrap();
        assert!(!narrow.contains("log scale"));
    }

    #[test]
    fn tick_labels_round_to_two_significant_digits() {
        // Reference: parsing the label back is within half a unit of the second digit.
        for v in [
            3.1623, 0.031623, 150.0, 2.0, 0.5, 12345.0, 1.5e-5, -0.25, 7e7,
        ] {
            let label = short(v);
            let back: f64 = label.parse().unwrap();
            let unit = 10f64.powi(v.abs().log10().floor() as i32 - 1);
            assert!((back - v).abs() <= unit * 0.5 + 1e-12, "{v} -> {label}");
            assert!(label.len() <= 7, "{v} -> {label}");
        }
        assert_eq!(short(0.0), "0");
    }

    #[test]
    fn degenerate_histories_still_give_a_document() {
        for h in [
            vec![],
            history(&[(0.3, 0.3)]),
            history(&[(f64::NAN, 0.0), (0.0, 0.0)]),
        ] {
            let svg = loss_svg(&h, "t").unwrap();
            assert!(svg.starts_with("<svg"));
        }
    }
}
