//! The attention view: for the text being looked at (the sentiment box's sentence, or a
//! character model's generation prompt), the weights of one `attn` layer and one head (or
//! the mean of the heads) as a heat map: row `i` is what token `i` gathers from each
//! token, the columns.

use super::TextViews;
use crate::data::text::TextSet;
use crate::experiment::AttentionMaps;
use crate::ui::i18n::t;
use crate::ui::plots::matrix_heatmap::{heatmap, is_wide, Matrix};
use crate::ui::state::Lab;
use leptos::prelude::*;

/// The view, shown while the run is on text.
#[component]
pub fn AttentionView(lab: Lab, views: TextViews) -> impl IntoView {
    let set = move || lab.config.with(|c| c.data.text());
    let is_chars = move || set().is_some_and(|s| s != TextSet::Sentiment);
    let layers = move || {
        views.maps.with(|m| match m {
            Some(Ok(maps)) => maps
                .layers
                .iter()
                .map(|l| (l.name.clone(), l.heads.len()))
                .collect(),
            _ => Vec::new(),
        })
    };
    let heads = move || {
        let layer = views.layer.get();
        layers().get(layer).map_or(0, |(_, h)| *h)
    };
    // A layer or head that the model no longer has falls back to the first / the mean.
    Effect::new(move |_| {
        let n = layers().len();
        if views.layer.get_untracked() >= n.max(1) {
            views.layer.set(0);
        }
        if views.head.get_untracked().is_some_and(|h| h >= heads()) {
            views.head.set(None);
        }
    });
    let on_layer = move |ev| {
        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
            views.layer.set(i);
        }
    };
    let on_head = move |ev| {
        views
            .head
            .set(event_target_value(&ev).parse::<usize>().ok())
    };
    view! {
        <section
            class="card attention-card"
            data-testid="attention-view"
            aria-label=move || t("Attention")
            hidden=move || set().is_none()
        >
            <h2>{move || t("Attention")}</h2>
            <p class="hint">
                {move || t("Each row is a token and how strongly it attends to each token in its columns, in the chosen layer and head (each row sums to 1).")}
            </p>
            <Show when=is_chars>
                <p class="tv-note">{move || t("The text looked at: the generation prompt above, as you type it.")}</p>
            </Show>
            <Show when=move || !layers().is_empty()>
                <div class="tv-choose">
                    <label class="field">
                        <span>{move || t("Attention layer")}</span>
                        <select data-testid="attention-layer" on:change=on_layer>
                            {move || layers()
                                .into_iter()
                                .enumerate()
                                .map(|(i, (name, _))| view! {
                                    <option value=i.to_string() title=name prop:selected=move || views.layer.get() == i>
                                        {(i + 1).to_string()}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{move || t("Head")}</span>
                        <select data-testid="attention-head" on:change=on_head>
                            <option value="mean" prop:selected=move || views.head.get().is_none()>
                                {move || t("mean of heads")}
                            </option>
                            {move || (0..heads())
                                .map(|h| view! {
                                    <option value=h.to_string() prop:selected=move || views.head.get() == Some(h)>
                                        {format!("{} {}", t("head"), h + 1)}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
            </Show>
            {move || views.maps.with(|m| match m {
                None => view! { <p class="tv-note">{move || t("Waiting for the model's weights...")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="tv-error" data-testid="attention-error">{e.clone()}</p> }.into_any(),
                Some(Ok(maps)) if maps.layers.is_empty() => view! {
                    <p class="tv-note" data-testid="attention-none">
                        {move || t("This model has no attention layers (a bag of embeddings averages its words): nothing to show.")}
                    </p>
                }.into_any(),
                Some(Ok(maps)) => {
                    let m = matrix(maps, views.layer.get(), views.head.get());
                    let wide = m.as_ref().is_some_and(is_wide);
                    match m.and_then(heatmap) {
                        Some(map) => view! {
                            {map}
                            {wide.then(|| view! {
                                <p class="tv-note">
                                    {move || t("A wide map: scroll it sideways to see every column; hover a cell for its value.")}
                                </p>
                            })}
                        }.into_any(),
                        None => view! { <p class="tv-note">{move || t("Nothing to show yet.")}</p> }.into_any(),
                    }
                }
            })}
            {move || views.maps.with(|m| match m {
                Some(Ok(maps)) if maps.tokens.dropped > 0 => Some(view! {
                    <p class="tv-note">
                        {t("{n} tokens past the model's context are left out.")
                            .replace("{n}", &maps.tokens.dropped.to_string())}
                    </p>
                }),
                _ => None,
            })}
        </section>
    }
}

/// The heat map of `layer` and `head` (`None`: the mean of the heads) of `maps`.
fn matrix(maps: &AttentionMaps, layer: usize, head: Option<usize>) -> Option<Matrix> {
    let l = maps.layers.get(layer)?;
    let values = match head {
        None => l.mean_of_heads(),
        Some(h) => l.heads.get(h)?.clone(),
    };
    let which = match head {
        None => t("mean of heads").to_string(),
        Some(h) => format!("{} {}", t("head"), h + 1),
    };
    let title = format!(
        "{} {}, {which}{}",
        t("attention"),
        layer + 1,
        if l.causal {
            t(" (causal: no token sees a later one)")
        } else {
            ""
        }
    );
    Some(Matrix {
        values,
        rows: maps.tokens.labels.clone(),
        cols: maps.tokens.labels.clone(),
        title,
    })
}
