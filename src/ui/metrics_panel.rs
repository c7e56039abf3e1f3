//! Test-set metrics: accuracy, precision, recall, F1 and the confusion matrix for
//! classification; MSE, MAE and R² for regression. A two-class task also gets a decision
//! threshold slider: its metrics are worked out again from the last evaluation's test
//! scores ([`crate::metrics::BinaryScores`]), with no training and no readback.

use super::fields::fmt_value;
use super::i18n::t;
use super::state::Lab;
use leptos::prelude::*;

/// The metrics as of the last readback ([`Lab::live`]).
#[component]
pub fn MetricsPanel(lab: Lab) -> impl IntoView {
    let metrics = move || {
        let mut m = lab.live.with(|p| p.as_ref().map(|p| p.metrics.clone()))?;
        // At the threshold chosen (0.5 gives the arg-max numbers exactly).
        if let Some(r) = lab
            .scores
            .with(|s| s.as_ref().map(|s| s.report(lab.threshold.get())))
        {
            m.accuracy = Some(r.accuracy);
            m.precision = Some(r.precision);
            m.recall = Some(r.recall);
            m.f1 = Some(r.f1);
            m.confusion = Some(r.confusion);
        }
        Some(m)
    };
    let row = |name: &'static str, tip: &'static str, v: Option<f64>| {
        v.map(|v| {
            view! {
                <div title=move || t(tip)>
                    <dt>{move || t(name)}</dt>
                    <dd>{fmt_value(v)}</dd>
                </div>
            }
        })
    };
    view! {
        <section class="card" aria-label=move || t("Test metrics")>
            <h2>{move || t("Test metrics")}</h2>
            <ThresholdSlider lab=lab />
            {move || {
                let Some(m) = metrics() else {
                    return view! { <p class="hint">{move || t("No evaluation yet.")}</p> }.into_any();
                };
                let names = lab.plot_frame.with(|s| s.class_names.clone());
                let confusion = m.confusion.clone().map(|cm| confusion_table(&cm, &names));
                view! {
                    <dl class="metrics" data-testid="metrics">
                        {row("Accuracy", "Fraction of test points classified correctly", m.accuracy)}
                        {row("Precision", "Of the predicted positives, the share that are (macro average over classes when more than two)", m.precision)}
                        {row("Recall", "Of the true positives, the share found (macro average when more than two classes)", m.recall)}
                        {row("F1", "Harmonic mean of precision and recall", m.f1)}
                        {row("MSE", "Mean squared error, original units", m.mse)}
                        {row("MAE", "Mean absolute error, original units", m.mae)}
                        {row("R²", "Coefficient of determination", m.r2)}
                        {row("Exact match", "Share of test dates whose greedy translation is the whole ISO date", m.exact_match)}
                        {row("Token accuracy", "Share of test ISO characters predicted right, each from the true characters before it", m.token_accuracy)}
                    </dl>
                    {confusion}
                }
                    .into_any()
            }}
        </section>
    }
}

/// The decision threshold on the probability of class 1, for a two-class task.
#[component]
fn ThresholdSlider(lab: Lab) -> impl IntoView {
    let shown = move || lab.scores.with(Option::is_some);
    view! {
        <Show when=shown>
            <label class="threshold" title=move || t("A test point is called class 1 when the model gives class 1 a probability above this threshold; the metrics below follow it (no retraining)")>
                <span class="label">{move || t("Decision threshold")}</span>
                <input
                    type="range"
                    min="0.01"
                    max="0.99"
                    step="0.01"
                    data-testid="threshold"
                    prop:value=move || lab.threshold.get().to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            lab.threshold.set(v.clamp(0.01, 0.99));
                        }
                    }
                />
                <output data-testid="threshold-value">{move || format!("{:.2}", lab.threshold.get())}</output>
            </label>
        </Show>
    }
}

/// The confusion matrix as a table, rows = truth, columns = prediction, cells shaded by
/// their share of the row.
fn confusion_table(cm: &[Vec<u32>], names: &[String]) -> impl IntoView {
    let name = |i: usize| names.get(i).cloned().unwrap_or_else(|| i.to_string());
    let header = (0..cm.len())
        .map(|j| view! { <th scope="col">{name(j)}</th> })
        .collect_view();
    let rows = cm
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let total: u32 = row.iter().sum::<u32>().max(1);
            let cells = row
                .iter()
                .enumerate()
                .map(|(j, &v)| {
                    let share = v as f64 / total as f64;
                    let class = if i == j { "diag" } else { "off" };
                    let style = format!("--share: {share:.3}");
                    view! { <td class=class style=style>{v}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{name(i)}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="confusion" data-testid="confusion-matrix">
            <caption>{move || t("Confusion matrix (rows: truth, columns: prediction)")}</caption>
            <thead>
                <tr>
                    <th></th>
                    {header}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
