//! Run comparison: the last runs of this visit (their settings and loss curves), the
//! train-loss curves overlaid in one chart with a legend naming what differs from the
//! current run, and a table of where each run ended.

use super::i18n::t;
use super::plots::{area, draw_legend, tick, DrawResult, Key, INK};
use super::state::Lab;
use crate::experiment::{ExperimentConfig, HistoryPoint};
use crate::lessons::compare::label;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

/// Runs kept.
const MAX_RUNS: usize = 6;

/// One run of this visit.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// The run's number ([`super::state::Status::run`]).
    pub run: u64,
    /// Its settings.
    pub config: ExperimentConfig,
    /// Its history so far.
    pub history: Vec<HistoryPoint>,
}

/// Keeps [`Lab::runs`] up to date: every history the driver publishes updates its run's
/// record (a run with fewer than two points is not worth a curve).
pub fn record(lab: Lab) {
    Effect::new(move |_| {
        let history = lab.history.get();
        if history.len() < 2 {
            return;
        }
        let run = lab.status.with_untracked(|s| s.run);
        let config = lab.config.get_untracked();
        lab.runs
            .update(|runs| match runs.iter_mut().find(|r| r.run == run) {
                Some(r) => r.history = history,
                None => {
                    runs.push(RunRecord {
                        run,
                        config,
                        history,
                    });
                    if runs.len() > MAX_RUNS {
                        runs.remove(0);
                    }
                }
            });
    });
}

/// Series colours, one per run kept.
const COLORS: [RGBColor; MAX_RUNS] = [
    RGBColor(8, 119, 189),
    RGBColor(245, 147, 34),
    RGBColor(60, 150, 80),
    RGBColor(170, 60, 160),
    RGBColor(200, 50, 50),
    RGBColor(90, 90, 90),
];

/// The legend text of each run: what differs from the last run (`this run` for it).
fn labels(runs: &[RunRecord]) -> Vec<String> {
    let Some(last) = runs.last() else {
        return Vec::new();
    };
    runs.iter()
        .map(|r| {
            if r.run == last.run {
                t("this run").to_string()
            } else {
                format!("#{} {}", r.run, label(&r.config, &last.config))
            }
        })
        .collect()
}

fn draw(canvas: &web_sys::HtmlCanvasElement, runs: &[RunRecord], log: bool) -> DrawResult {
    let Some(root) = area(canvas) else {
        return Ok(());
    };
    root.fill(&WHITE)?;
    let y = |v: f64| if log { v.max(1e-12).log10() } else { v };
    let values = runs
        .iter()
        .flat_map(|r| r.history.iter().map(|p| y(p.train_loss)));
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let x_max = runs
        .iter()
        .filter_map(|r| r.history.last().map(|p| p.step))
        .max()
        .unwrap_or(1)
        .max(1);
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(52)
        .build_cartesian_2d(0u64..x_max, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc(t("step"))
        .y_desc(t("train loss"))
        .x_labels(6)
        .y_labels(6)
        .y_label_formatter(&|v| {
            if log {
                format!("{:.0e}", 10f64.powf(*v))
            } else {
                tick(*v)
            }
        })
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()?;
    let names = labels(runs);
    for (r, color) in runs.iter().zip(COLORS) {
        let points = r.history.iter().map(|p| (p.step, y(p.train_loss)));
        chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
    }
    let keys: Vec<(&str, Key)> = names
        .iter()
        .zip(COLORS)
        .map(|(name, color)| (name.as_str(), Key::line(color)))
        .collect();
    draw_legend(&chart, SeriesLabelPosition::UpperRight, &keys)?;
    Ok(())
}

/// The comparison card (shown once two runs are kept). `testid` names its chart.
#[component]
pub fn RunCompare(
    lab: Lab,
    #[prop(default = "compare-chart")] testid: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let log = lab.log_scale.get();
        lab.lang.track();
        lab.runs.with(|runs| {
            if let Some(c) = canvas.get() {
                let _ = draw(&c, runs, log);
            }
        });
    });
    let rows = move || {
        let runs = lab.runs.get();
        let names = labels(&runs);
        runs.iter()
            .zip(names)
            .rev()
            .map(|(r, name)| {
                let last = r.history.last();
                let loss = last.map_or("–".into(), |p| format!("{:.4}", p.train_loss));
                let acc = last
                    .and_then(|p| p.metrics.accuracy)
                    .map_or("–".into(), |a| format!("{a:.3}"));
                view! {
                    <tr>
                        <td>{name}</td>
                        <td>{last.map_or(0, |p| p.step)}</td>
                        <td>{loss}</td>
                        <td>{acc}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card compare" aria-label=move || t("Compare runs") hidden={move || lab.runs.with(|r| r.len() < 2)}>
            <div class="card-head">
                <h2>{move || t("Compare runs")}</h2>
                <button type="button" class="small" on:click=move |_| lab.runs.set(Vec::new())>
                    {move || t("clear")}
                </button>
            </div>
            <canvas node_ref=canvas width="560" height="240" data-testid=testid role="img"
                aria-label=move || t("Train loss of the last runs")></canvas>
            <table class="compare-table">
                <thead>
                    <tr>
                        <th>{move || t("run (what differs)")}</th>
                        <th>{move || t("Step")}</th>
                        <th>{move || t("Train loss")}</th>
                        <th>{move || t("Accuracy")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
