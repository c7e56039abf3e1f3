//! A text model's own numbers: for a language model the validation and training loss
//! as bits per character (`loss / ln 2`) and perplexity (`e^loss`), as the runner
//! records them; for every text model the training speed in tokens per second (steps
//! per second times the batch's `B x T` tokens).

use super::super::fields::fmt_value;
use super::super::i18n::t;
use super::super::state::Lab;
use leptos::prelude::*;

/// Tokens one training step reads: `batch x context`.
fn tokens_per_step(lab: &Lab) -> f64 {
    lab.config.with(|c| c.batch_size as f64 * c.context as f64)
}

/// The card, shown for text data only.
#[component]
pub fn LmMetrics(lab: Lab) -> impl IntoView {
    let is_text = move || lab.config.with(|c| c.data.text().is_some());
    let is_lm = move || lab.config.with(|c| c.data.is_language_model());
    let metrics = move || lab.live.with(|p| p.as_ref().map(|p| p.metrics.clone()));
    let row = |name: &'static str, tip: &'static str, id: &'static str, v: Option<f64>| {
        view! {
            <div title=move || t(tip)>
                <dt>{move || t(name)}</dt>
                <dd data-testid=id>{v.map(fmt_value).unwrap_or_else(|| "–".into())}</dd>
            </div>
        }
    };
    view! {
        <section
            class="card"
            data-testid="lm-metrics"
            aria-label=move || t("Language model")
            hidden=move || !is_text()
        >
            <h2>{move || t(if is_lm() { "Language model" } else { "Text model" })}</h2>
            <dl class="metrics">
                {move || {
                    let m = metrics().unwrap_or_default();
                    is_lm()
                        .then(|| {
                            view! {
                                {row("Validation bits/char", "Validation loss in bits per character (loss / ln 2): what the model pays on average to encode the next character", "lm-val-bpc", m.bits_per_char)}
                                {row("Validation perplexity", "e to the validation loss: as unsure as a fair choice among this many characters", "lm-val-ppl", m.perplexity)}
                                {row("Train bits/char", "Training loss in bits per character", "lm-train-bpc", m.train_bits_per_char)}
                                {row("Train perplexity", "e to the training loss", "lm-train-ppl", m.train_perplexity)}
                            }
                        })
                }}
                {move || {
                    let rate = lab.status.with(|s| s.steps_per_sec) * tokens_per_step(&lab);
                    row(
                        "Tokens/s",
                        "Training speed: steps per second times the tokens of one batch (batch x context)",
                        "lm-tokens-per-sec",
                        Some(rate.round()),
                    )
                }}
            </dl>
            <p class="lm-note" hidden=move || !is_lm()>
                {move || t("The losses are measured on fixed windows of the training text and of the validation text (its end), at the evaluation steps, as the command line records them.")}
            </p>
        </section>
    }
}
