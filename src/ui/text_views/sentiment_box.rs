//! The sentiment box: a sentence a person types, the classifier's positive / negative
//! probability (updated as they type), and each token coloured by how much deleting it
//! moves `P(positive)` (leave-one-out, `experiment::SentenceLook`): blue pushes
//! towards positive, orange towards negative, white hardly matters. A word the
//! vocabulary lacks is read as `<unk>` and is marked so.

use super::TextViews;
use crate::data::text::TextSet;
use crate::experiment::SentenceLook;
use crate::ui::i18n::t;
use crate::ui::plots::{diverging, BLUE, ORANGE};
use crate::ui::state::Lab;
use leptos::prelude::*;
use plotters::style::RGBColor;

/// A plotters colour as CSS.
fn css(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

/// Text colour readable on `fill`: white on a dark fill, near-black on a light one
/// (by the fill's relative luminance, sRGB weights).
fn ink_on(fill: RGBColor) -> &'static str {
    let l = 0.2126 * fill.0 as f32 + 0.7152 * fill.1 as f32 + 0.0722 * fill.2 as f32;
    if l < 140.0 {
        "#fff"
    } else {
        "#222"
    }
}

/// The box, shown while the run is on the review sentences.
#[component]
pub fn SentimentBox(lab: Lab, views: TextViews) -> impl IntoView {
    let shown = move || {
        lab.config
            .with(|c| c.data.text() == Some(TextSet::Sentiment))
    };
    view! {
        <section
            class="card sentiment-card"
            data-testid="sentiment-box"
            aria-label=move || t("Sentiment of your sentence")
            hidden=move || !shown()
        >
            <h2>{move || t("Sentiment of your sentence")}</h2>
            <p class="hint">
                {move || t("Type a sentence: the model reads it with its current weights as you type, while it trains or paused.")}
            </p>
            <textarea
                class="tv-input"
                rows="2"
                data-testid="sentiment-input"
                aria-label=move || t("A sentence to classify")
                prop:value=move || views.sentence.get()
                on:input=move |ev| views.sentence.set(event_target_value(&ev))
            ></textarea>
            {move || match views.look.get() {
                None => view! { <p class="tv-note">{move || t("Waiting for the model's weights...")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="tv-error" data-testid="sentiment-error">{e}</p> }.into_any(),
                Some(Ok(look)) => look_view(&look).into_any(),
            }}
            <p
                class="tv-note"
                data-testid="sentiment-ms"
                data-value=move || views.ms.get().map(|ms| ms.to_string())
                hidden=move || views.ms.get().is_none()
            >
                {move || t("Read in {ms} ms on the CPU (the sentence and each one-token-shorter copy, one batch).")
                    .replace("{ms}", &format!("{:.1}", views.ms.get().unwrap_or(0.0)))}
            </p>
        </section>
    }
}

/// The probability bar, the coloured tokens and the legend of one look.
fn look_view(look: &SentenceLook) -> impl IntoView {
    let p = look.positive();
    let bar = view! {
        <div class="tv-prob" aria-hidden="true">
            <span style=format!("width:{:.1}%;background:{}", 100.0 * (1.0 - p), css(ORANGE))></span>
            <span style=format!("width:{:.1}%;background:{}", 100.0 * p, css(BLUE))></span>
        </div>
        <p class="tv-prob-text">
            <span data-testid="sentiment-negative">
                {move || t("negative")} {format!(" {:.0}%", 100.0 * (1.0 - p))}
            </span>
            <strong data-testid="sentiment-positive" data-value=p.to_string()>
                {move || t("positive")} {format!(" {:.0}%", 100.0 * p)}
            </strong>
        </p>
    };
    let scale = look.largest_effect();
    let tokens = look
        .tokens
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let effect = look.effect(i);
            let f = if scale > 0.0 { effect / scale } else { 0.0 };
            let fill = diverging(f);
            let style = format!("background:{};color:{}", css(fill), ink_on(fill));
            let unknown = look.tokens.unknown.get(i).copied().unwrap_or(false);
            let without = look.without.get(i).copied().unwrap_or(f32::NAN);
            let tip = format!(
                "{label}: P(positive) {p:.3}, {} {without:.3} (log-odds {effect:+.2}){}",
                t("without it"),
                if unknown {
                    t(" — not in the vocabulary, read as <unk>")
                } else {
                    ""
                }
            );
            view! {
                <span
                    class=if unknown { "tv-tok unk" } else { "tv-tok" }
                    style=style
                    title=tip
                    data-effect=effect.to_string()
                    data-unknown=unknown.to_string()
                >
                    <span class="tv-word">{label.clone()}</span>
                    {unknown.then(|| view! { <sub>"unk"</sub> })}
                </span>
            }
        })
        .collect_view();
    let ramp = format!(
        "background: linear-gradient(to right, {}, {}, {})",
        css(diverging(-1.0)),
        css(diverging(0.0)),
        css(diverging(1.0))
    );
    let dropped = look.tokens.dropped;
    let kept = look.tokens.labels.len();
    let any_unknown = look.tokens.unknown.iter().any(|&u| u);
    view! {
        {bar}
        <div class="tv-tokens" data-testid="sentiment-tokens">{tokens}</div>
        <div class="tv-legend">
            <span>{move || t("pushes negative")}</span>
            <span class="tv-ramp" style=ramp></span>
            <span>{move || t("pushes positive")}</span>
            <span>{format!("(±{scale:.3})")}</span>
        </div>
        <p class="tv-note">
            {move || t("A token's colour: how much the log-odds of positive change when that token is deleted and the sentence is read again.")}
        </p>
        {any_unknown.then(|| view! {
            <p class="tv-note">{move || t("Dashed, marked unk: a word the model never learned, read as the unknown token <unk>.")}</p>
        })}
        {(dropped > 0).then(|| view! {
            <p class="tv-note" data-testid="sentiment-dropped">
                {move || t("The model reads the first {kept} tokens; {dropped} more are left out.")
                    .replace("{kept}", &kept.to_string())
                    .replace("{dropped}", &dropped.to_string())}
            </p>
        })}
    }
}
