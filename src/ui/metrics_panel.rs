//! Test-set metrics: accuracy, precision, recall, F1 and the confusion matrix for
//! classification; MSE, MAE and R² for regression.

use super::fields::fmt_value;
use super::i18n::t;
use super::state::Lab;
use leptos::prelude::*;

/// The metrics as of the last readback ([`Lab::live`]).
#[component]
pub fn MetricsPanel(lab: Lab) -> impl IntoView {
    let metrics = move || lab.live.with(|p| p.as_ref().map(|p| p.metrics.clone()));
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
                    </dl>
                    {confusion}
                }
                    .into_any()
            }}
        </section>
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
