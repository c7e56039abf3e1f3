//! The sweep: one or two settings over lists of values (a grid, or a random sample of
//! it), run one after another in the page on the current backend; a table of where
//! each run ended (each row opens its experiment) and a chart of the metric against
//! the first setting.

use super::i18n::{msg, t};
use super::plots::{area, draw_legend, tick, DrawResult, Key, INK};
use super::state::Lab;
use crate::experiment::{encode_link, ExperimentConfig};
use crate::lessons::sweep::{plan, values, SweepPoint, SWEEP_KEYS};
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

/// One finished point.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    changes: String,
    fragment: String,
    /// Test accuracy (classification) or test loss.
    metric: Option<f64>,
    diverged: bool,
}

/// The sweep in progress.
#[derive(Clone, Debug, Default, PartialEq)]
struct Progress {
    queue: Vec<SweepPoint>,
    next: usize,
    /// The run number before the current point was started: its run is a later one.
    after_run: Option<u64>,
}

/// Starts point `i` of the queue.
fn start(lab: Lab, progress: RwSignal<Progress>, i: usize) {
    let Some(point) = progress.with_untracked(|p| p.queue.get(i).cloned()) else {
        return;
    };
    let run = lab.status.with_untracked(|s| s.run);
    progress.update(|p| {
        p.next = i + 1;
        p.after_run = Some(run);
    });
    lab.edit(|c| *c = point.config);
    lab.running.set(true);
}

/// `text` as a number on a chart's x axis (the first value of a list: `16,16` is 16).
fn x_of(changes: &str) -> Option<f64> {
    let first = changes.split('&').next()?;
    first.split_once('=')?.1.split(',').next()?.parse().ok()
}

fn draw(canvas: &web_sys::HtmlCanvasElement, rows: &[Row], metric: &str) -> DrawResult {
    let Some(root) = area(canvas) else {
        return Ok(());
    };
    root.fill(&WHITE)?;
    let pts: Vec<(f64, f64, String)> = rows
        .iter()
        .filter_map(|r| {
            let rest = r.changes.split_once('&').map_or("", |(_, b)| b).to_string();
            Some((x_of(&r.changes)?, r.metric?, rest))
        })
        .collect();
    if pts.is_empty() {
        return Ok(());
    }
    let (xl, xh) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let (yl, yh) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1), b.max(p.1))
        });
    // A log axis for settings spread over decades (learning rates).
    let log = xl > 0.0 && xh / xl >= 20.0;
    let fx = |x: f64| if log { x.log10() } else { x };
    let pad = |l: f64, h: f64| {
        if h > l {
            (h - l) * 0.08
        } else {
            l.abs().max(1.0) * 0.1
        }
    };
    let (px, py) = (pad(fx(xl), fx(xh)), pad(yl, yh));
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(52)
        .build_cartesian_2d(fx(xl) - px..fx(xh) + px, yl - py..yh + py)?;
    chart
        .configure_mesh()
        .y_desc(metric)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| tick(if log { 10f64.powf(*v) } else { *v }))
        // Metrics of a sweep often differ in the third decimal.
        .y_label_formatter(&|v| format!("{v:.3}"))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()?;
    let mut groups: Vec<String> = pts.iter().map(|p| p.2.clone()).collect();
    groups.dedup();
    groups.sort();
    groups.dedup();
    let colors = [
        RGBColor(8, 119, 189),
        RGBColor(245, 147, 34),
        RGBColor(60, 150, 80),
        RGBColor(170, 60, 160),
    ];
    for (g, color) in groups.iter().zip(colors.iter().cycle()) {
        let mut line: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| &p.2 == g)
            .map(|p| (fx(p.0), p.1))
            .collect();
        line.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart.draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))?;
        chart.draw_series(line.into_iter().map(|p| Circle::new(p, 4, color.filled())))?;
    }
    let keys: Vec<(&str, Key)> = groups
        .iter()
        .zip(colors.iter().cycle())
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, c)| (g.as_str(), Key::line(*c)))
        .collect();
    draw_legend(&chart, SeriesLabelPosition::LowerRight, &keys)?;
    Ok(())
}

/// The sweep panel.
#[component]
pub fn Sweep(lab: Lab) -> impl IntoView {
    let key1 = RwSignal::new("lr".to_string());
    let vals1 = RwSignal::new("0.001, 0.003, 0.01".to_string());
    let key2 = RwSignal::new(String::new());
    let vals2 = RwSignal::new(String::new());
    let random = RwSignal::new(false);
    let count = RwSignal::new(4usize);
    let message = RwSignal::new(None::<String>);
    let progress = RwSignal::new(Progress::default());
    let rows = RwSignal::new(Vec::<Row>::new());
    let classification = move || lab.config.with(|c| c.data.is_classification());
    let metric_name = move || {
        if classification() {
            t("test accuracy")
        } else {
            t("test loss")
        }
    };
    // Records a point once its run has ended, then starts the next.
    Effect::new(move |_| {
        let status = lab.status.get();
        let running = lab.running.get();
        let error = lab.error.get();
        let Some(after) = progress.with_untracked(|p| p.after_run) else {
            return;
        };
        let ended = status.total_steps > 0 && status.step >= status.total_steps;
        if status.run <= after || running || !(ended || error.is_some()) {
            return;
        }
        let (point, next, total) =
            progress.with_untracked(|p| (p.queue.get(p.next - 1).cloned(), p.next, p.queue.len()));
        let Some(point) = point else { return };
        let last = lab.live.get_untracked();
        let metric = last.map(|p| {
            if classification() {
                p.metrics.accuracy.unwrap_or(f64::NAN)
            } else {
                p.test_loss
            }
        });
        let fragment = link_of(&point.config);
        rows.update(|r| {
            r.push(Row {
                changes: point.changes.clone(),
                fragment,
                metric: metric.filter(|m| m.is_finite() && error.is_none()),
                diverged: error.is_some(),
            })
        });
        progress.update(|p| p.after_run = None);
        if next < total {
            start(lab, progress, next);
        }
    });
    let go = move |_| {
        let mut axes = vec![(key1.get_untracked(), values(&vals1.get_untracked()))];
        if !key2.get_untracked().is_empty() {
            axes.push((key2.get_untracked(), values(&vals2.get_untracked())));
        }
        let rand = random
            .get_untracked()
            .then(|| (count.get_untracked(), lab.config.with_untracked(|c| c.seed)));
        match plan(&lab.config.get_untracked(), &axes, rand) {
            Ok(points) => {
                message.set(None);
                rows.set(Vec::new());
                progress.set(Progress {
                    queue: points,
                    ..Progress::default()
                });
                start(lab, progress, 0);
            }
            Err(e) => message.set(Some(e)),
        }
    };
    let stop = move |_| {
        progress.set(Progress::default());
        lab.running.set(false);
    };
    let busy = move || progress.with(|p| p.after_run.is_some());
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let name = metric_name();
        rows.with(|r| {
            if let Some(c) = canvas.get() {
                let _ = draw(&c, r, name);
            }
        });
    });
    let key_options = move |with_none: bool| {
        let none = with_none.then(|| view! { <option value="">"—"</option> });
        view! {
            {none}
            {SWEEP_KEYS.iter().map(|k| view! { <option value=*k>{*k}</option> }).collect_view()}
        }
    };
    view! {
        <section class="card sweep" data-testid="sweep" aria-label=move || t("Sweep")>
            <h2>{move || t("Sweep")}</h2>
            <div class="row">
                <select aria-label=move || t("First setting") on:change=move |ev| key1.set(event_target_value(&ev)) prop:value=move || key1.get()>
                    {key_options(false)}
                </select>
                <input type="text" data-testid="sweep-values" aria-label=move || t("Its values") prop:value=move || vals1.get() on:input=move |ev| vals1.set(event_target_value(&ev)) />
            </div>
            <div class="row">
                <select aria-label=move || t("Second setting (optional)") on:change=move |ev| key2.set(event_target_value(&ev)) prop:value=move || key2.get()>
                    {key_options(true)}
                </select>
                <input type="text" aria-label=move || t("Its values") prop:value=move || vals2.get() on:input=move |ev| vals2.set(event_target_value(&ev)) />
            </div>
            <div class="row">
                <label class="check">
                    <input type="checkbox" prop:checked=move || random.get() on:change=move |ev| random.set(event_target_checked(&ev)) />
                    <span>{move || t("random sample of")}</span>
                </label>
                <input type="number" min="1" max="64" class="short" prop:value=move || count.get().to_string()
                    on:change=move |ev| count.set(event_target_value(&ev).parse().unwrap_or(4).clamp(1, 64)) />
                <button type="button" data-testid="sweep-start" disabled=busy on:click=go>{move || t("Run sweep")}</button>
                <button type="button" disabled={move || !busy()} on:click=stop>{move || t("Stop")}</button>
            </div>
            {move || message.get().map(|m| view! { <p class="error" role="alert">{msg(&m)}</p> })}
            <canvas node_ref=canvas width="560" height="220" data-testid="sweep-chart" role="img"
                hidden={move || rows.with(Vec::is_empty)} aria-label=move || t("The metric against the setting")></canvas>
            <table class="compare-table" data-testid="sweep-table" hidden={move || rows.with(Vec::is_empty)}>
                <thead>
                    <tr>
                        <th>{move || t("settings")}</th>
                        <th>{metric_name}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows.get()
                            .into_iter()
                            .map(|r| {
                                let fragment = r.fragment.clone();
                                let shown = match (r.metric, r.diverged) {
                                    (_, true) => t("diverged").to_string(),
                                    (Some(m), _) => format!("{m:.4}"),
                                    (None, _) => "–".into(),
                                };
                                view! {
                                    <tr>
                                        <td>
                                            <a href=r.fragment.clone() on:click=move |ev| {
                                                ev.prevent_default();
                                                super::links::open(&lab, &fragment);
                                            }>{r.changes}</a>
                                        </td>
                                        <td>{shown}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </section>
    }
}

/// The link of a sweep point (its experiment, nothing trained).
fn link_of(config: &ExperimentConfig) -> String {
    encode_link(config, None, None)
        .map(|l| l.fragment)
        .unwrap_or_default()
}
