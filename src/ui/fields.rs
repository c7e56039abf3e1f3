//! Small labelled form fields shared by the control panels: every field has a visible
//! label, a tooltip (`title`) and works from the keyboard.

use super::i18n::t;
use leptos::prelude::*;

/// A labelled number input. `(min, max, step)` come from the experiment's limit table
/// (`limits::FIELD.control().bounds()`), so the page offers exactly what links and the
/// validator accept. `value` is read reactively; `on_set` gets each finite value the
/// user commits, clamped to the range (invalid text is ignored and the field shows the
/// last good value).
pub fn number_field(
    label: &'static str,
    tip: &'static str,
    (min, max, step): (f64, f64, f64),
    value: impl Fn() -> f64 + Send + Sync + 'static,
    on_set: impl Fn(f64) + 'static,
) -> impl IntoView {
    view! {
        <label class="field" title=move || t(tip)>
            <span>{move || t(label)}</span>
            <input
                type="number"
                min=min.to_string()
                max=max.to_string()
                step=step.to_string()
                prop:value=move || fmt_input(value())
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                        if v.is_finite() {
                            on_set(v.clamp(min, max));
                        }
                    }
                }
            />
        </label>
    }
}

/// A labelled checkbox.
pub fn check_field(
    label: &'static str,
    tip: &'static str,
    value: impl Fn() -> bool + Send + Sync + 'static,
    on_set: impl Fn(bool) + 'static,
) -> impl IntoView {
    view! {
        <label class="check" title=move || t(tip)>
            <input
                type="checkbox"
                prop:checked=value
                on:change=move |ev| on_set(event_target_checked(&ev))
            />
            <span>{move || t(label)}</span>
        </label>
    }
}

/// A labelled select over `(value, text)` options.
pub fn select_field(
    label: &'static str,
    tip: &'static str,
    options: Vec<(String, String)>,
    value: impl Fn() -> String + Send + Sync + 'static,
    on_set: impl Fn(String) + 'static,
) -> impl IntoView {
    let value = Signal::derive(value);
    view! {
        <label class="field" title=move || t(tip)>
            <span>{move || t(label)}</span>
            <select on:change=move |ev| on_set(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(v, t)| {
                        let this = v.clone();
                        view! {
                            <option value=v prop:selected=move || value.get() == this>
                                {t}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// A number for an input box: short, without float noise (`0.03`, not `0.029999`).
pub fn fmt_input(v: f64) -> String {
    let s = format!("{:.6}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A loss or metric for display: four significant decimals, scientific when tiny.
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        format!("{v}")
    } else if v != 0.0 && v.abs() < 1e-3 {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// A loss for display, as [`fmt_value`] but never below zero: every loss here is
/// non-negative by definition, yet a cross-entropy whose terms are all zero sums to
/// `-0.0` (negated zeros), which would print as `-0.0000`.
pub fn fmt_loss(v: f64) -> String {
    fmt_value(if v <= 0.0 { 0.0 } else { v })
}
