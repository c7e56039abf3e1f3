//! Views a lesson step adds beside its text: the loss surface of a single neuron over
//! `(w, b)` with the optimizer's path (lesson 1), and the activation functions with
//! their derivatives (lesson 3).

use super::super::plots::{area, draw_legend, tick, DrawResult, Key, BLUE, INK, ORANGE};
use super::super::state::Lab;
use crate::experiment::NamedWeight;
use crate::lessons::Lang;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;

/// The view a step names (`widget:`), or nothing.
pub fn widget(lab: Lab, name: Option<&str>) -> impl IntoView {
    match name {
        Some("loss-surface") => view! { <LossSurface lab=lab /> }.into_any(),
        Some("activations") => view! { <Activations lab=lab /> }.into_any(),
        Some("compare") => {
            view! { <super::super::compare::RunCompare lab=lab testid="lesson-compare-chart" /> }
                .into_any()
        }
        Some("sweep") => view! { <super::super::sweep::Sweep lab=lab /> }.into_any(),
        Some("backprop") => view! { <super::backprop_view::BackpropStepper lab=lab /> }.into_any(),
        _ => ().into_any(),
    }
}

/// `(w, b)` of a model that is one neuron with one input, if it is one.
fn neuron(weights: &[NamedWeight]) -> Option<(f64, f64)> {
    match weights {
        [w, b] if w.data.len() == 1 && b.data.len() == 1 => {
            Some((f64::from(w.data[0]), f64::from(b.data[0])))
        }
        _ => None,
    }
}

/// The loss of `y = w x + b` on `points`: the mean squared error, as training uses it.
fn mse(points: &[(f32, f32)], w: f64, b: f64) -> f64 {
    let n = points.len().max(1) as f64;
    points
        .iter()
        .map(|&(x, y)| (w * f64::from(x) + b - f64::from(y)).powi(2))
        .sum::<f64>()
        / n
}

/// The least-squares line of `points` (the bottom of the bowl).
fn least_squares(points: &[(f32, f32)]) -> (f64, f64) {
    let n = points.len().max(1) as f64;
    let mx = points.iter().map(|p| f64::from(p.0)).sum::<f64>() / n;
    let my = points.iter().map(|p| f64::from(p.1)).sum::<f64>() / n;
    let sxy: f64 = points
        .iter()
        .map(|p| (f64::from(p.0) - mx) * (f64::from(p.1) - my))
        .sum();
    let sxx: f64 = points.iter().map(|p| (f64::from(p.0) - mx).powi(2)).sum();
    let w = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (w, my - w * mx)
}

/// Filled contour levels of the loss.
const LEVELS: usize = 12;
/// Cells per side of the contour grid.
const CELLS: usize = 56;

/// Draws the loss over `(w, b)` for `points`, with the optimizer's `path`.
fn draw_surface(
    canvas: &web_sys::HtmlCanvasElement,
    points: &[(f32, f32)],
    path: &[(f64, f64)],
) -> DrawResult {
    let Some(root) = area(canvas) else {
        return Ok(());
    };
    root.fill(&WHITE)?;
    let (w0, b0) = least_squares(points);
    let reach = |f: fn(&(f64, f64)) -> f64, c: f64| {
        path.iter().map(|p| (f(p) - c).abs()).fold(2.0f64, f64::max) * 1.15
    };
    let (rw, rb) = (reach(|p| p.0, w0), reach(|p| p.1, b0));
    let (wl, wh, bl, bh) = (w0 - rw, w0 + rw, b0 - rb, b0 + rb);
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(wl..wh, bl..bh)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("w")
        .y_desc("b")
        .x_labels(5)
        .y_labels(5)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .draw()?;
    // Log loss, cut into levels between its least and greatest value on the grid.
    let (dw, db) = ((wh - wl) / CELLS as f64, (bh - bl) / CELLS as f64);
    let grid: Vec<f64> = (0..CELLS * CELLS)
        .map(|k| {
            let (i, j) = (k % CELLS, k / CELLS);
            mse(
                points,
                wl + (i as f64 + 0.5) * dw,
                bl + (j as f64 + 0.5) * db,
            )
            .max(1e-12)
            .log10()
        })
        .collect();
    let lo = grid.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = grid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = (hi - lo).max(1e-9);
    chart.draw_series(grid.iter().enumerate().map(|(k, &v)| {
        let (i, j) = (k % CELLS, k / CELLS);
        let level = (((v - lo) / span) * LEVELS as f64)
            .floor()
            .min(LEVELS as f64 - 1.0);
        let t = level / (LEVELS as f64 - 1.0);
        // Light at the bottom of the bowl, deep blue up its walls.
        let c = RGBColor(
            (250.0 - t * 200.0) as u8,
            (250.0 - t * 150.0) as u8,
            (240.0 - t * 60.0) as u8,
        );
        let (x, y) = (wl + i as f64 * dw, bl + j as f64 * db);
        Rectangle::new([(x, y), (x + dw, y + db)], c.filled())
    }))?;
    chart.draw_series(LineSeries::new(
        path.iter().copied(),
        ORANGE.stroke_width(2),
    ))?;
    if let Some(&p) = path.last() {
        chart.draw_series([Circle::new(p, 5, ORANGE.filled())])?;
    }
    chart.draw_series([Cross::new((w0, b0), 6, INK.stroke_width(2))])?;
    Ok(())
}

/// Lesson 1's loss surface: the bowl of the loss over `(w, b)` computed from the
/// training points, with the path the optimizer took in this run.
#[component]
fn LossSurface(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let path = StoredValue::new((u64::MAX, Vec::<(f64, f64)>::new()));
    Effect::new(move |_| {
        let run = lab.status.with(|s| s.run);
        lab.plot_frame.with(|f| {
            let (Some(curve), Some(wb)) = (f.curve.as_ref(), neuron(&f.weights)) else {
                return;
            };
            path.update_value(|(r, p)| {
                if *r != run {
                    *r = run;
                    p.clear();
                }
                if p.last() != Some(&wb) {
                    p.push(wb);
                }
            });
            if let Some(c) = canvas.get() {
                path.with_value(|(_, p)| {
                    let _ = draw_surface(&c, &curve.train, p);
                });
            }
        });
    });
    let lang = move || lab.lang.get();
    view! {
        <figure class="lesson-widget">
            <canvas
                node_ref=canvas
                width="360"
                height="300"
                data-testid="loss-surface"
                role="img"
                aria-label=move || lang().tr("Loss over w and b with the optimizer's path", "损失随 w 和 b 变化的等高线图，以及优化器走过的路径")
            ></canvas>
            <figcaption>
                {move || {
                    lang()
                        .tr(
                            "Loss over (w, b): light is low. Orange: the optimizer's path; ×: the best line (least squares).",
                            "损失随 (w, b) 的变化：颜色越浅损失越低。橙线：优化器走过的路径；×：最好的直线（最小二乘解）。",
                        )
                }}
            </figcaption>
        </figure>
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Draws sigmoid, tanh and ReLU (thick) and their derivatives (thin).
fn draw_activations(canvas: &web_sys::HtmlCanvasElement, lang: Lang) -> DrawResult {
    let Some(root) = area(canvas) else {
        return Ok(());
    };
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(26)
        .y_label_area_size(34)
        .build_cartesian_2d(-4.0f64..4.0, -1.2f64..2.0)?;
    chart
        .configure_mesh()
        .x_labels(9)
        .y_labels(7)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()?;
    let xs: Vec<f64> = (0..=160).map(|i| -4.0 + i as f64 * 0.05).collect();
    let green = RGBColor(60, 150, 80);
    type F = fn(f64) -> f64;
    let curves: [(&str, RGBColor, F, F); 3] = [
        ("sigmoid", ORANGE, sigmoid, |z| {
            sigmoid(z) * (1.0 - sigmoid(z))
        }),
        ("tanh", BLUE, f64::tanh, |z| 1.0 - z.tanh().powi(2)),
        (
            "ReLU",
            green,
            |z| z.max(0.0),
            |z| if z > 0.0 { 1.0 } else { 0.0 },
        ),
    ];
    let slope = lang.tr("slope", "导数");
    let mut labels = Vec::new();
    for (name, color, f, df) in curves {
        let faint = color.mix(0.55).stroke_width(1);
        chart.draw_series(LineSeries::new(
            xs.iter().map(|&x| (x, f(x).min(2.0))),
            color.stroke_width(3),
        ))?;
        chart.draw_series(LineSeries::new(xs.iter().map(|&x| (x, df(x))), faint))?;
        labels.push((name.to_string(), Key::line(color)));
        labels.push((format!("{name} {slope}"), Key::Line(faint)));
    }
    let keys: Vec<(&str, Key)> = labels.iter().map(|(l, k)| (l.as_str(), *k)).collect();
    draw_legend(&chart, SeriesLabelPosition::UpperLeft, &keys)?;
    Ok(())
}

/// Lesson 3's activation functions and their derivatives.
#[component]
fn Activations(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let lang = lab.lang.get();
        if let Some(c) = canvas.get() {
            let _ = draw_activations(&c, lang);
        }
    });
    view! {
        <figure class="lesson-widget">
            <canvas
                node_ref=canvas
                width="360"
                height="260"
                data-testid="activations-plot"
                role="img"
                aria-label=move || lab.lang.get().tr("Activation functions and their derivatives", "激活函数及其导数")
            ></canvas>
            <figcaption>
                {move || {
                    lab.lang
                        .get()
                        .tr(
                            "Thick: the function. Thin: its derivative (slope), which scales every gradient passing back.",
                            "粗线：函数本身。细线：它的导数（斜率），反向传回的每个梯度都要乘上它。",
                        )
                }}
            </figcaption>
        </figure>
    }
}
