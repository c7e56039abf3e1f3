//! The translator's sizes (an encoder-decoder: `ExperimentConfig::seq2seq`, the link's
//! `s2s=`) as five number fields with the parameter count: width, heads, MLP width,
//! encoder blocks and decoder blocks. An edit rebuilds the run; sizes that do not go
//! together (heads not dividing the width) are reported by the run's validation.

use super::fields::number_field;
use super::i18n::{t, tf};
use super::state::Lab;
use crate::experiment::limits::WholeLimit;
use crate::experiment::{seq2seq_config, Seq2SeqSpec, S2S_DIM, S2S_FF, S2S_HEADS, S2S_LAYERS};
use crate::nn::seq2seq_param_shapes;
use leptos::prelude::*;

/// `(min, max, 1)`: every whole size in the limit (the validator says which go together).
fn bounds(limit: &WholeLimit) -> (f64, f64, f64) {
    let c = limit.control();
    (c.min, c.max, 1.0)
}

/// The five fields and the parameter count, for a configuration with a translator.
#[component]
pub fn Seq2SeqEditor(lab: Lab) -> impl IntoView {
    let cfg = lab.config;
    let spec = move || cfg.with(|c| c.seq2seq);
    let field = move |label: &'static str,
                      tip: &'static str,
                      limit: &'static WholeLimit,
                      get: fn(&Seq2SeqSpec) -> usize,
                      set: fn(&mut Seq2SeqSpec, usize)| {
        number_field(
            label,
            tip,
            bounds(limit),
            move || spec().map_or(0.0, |s| get(&s) as f64),
            move |v| {
                lab.edit(|c| {
                    if let Some(s) = c.seq2seq.as_mut() {
                        set(s, v.round() as usize);
                    }
                })
            },
        )
    };
    let count = move || {
        cfg.with(|c| {
            seq2seq_config(c).map_or(0, |m| {
                seq2seq_param_shapes(&m)
                    .iter()
                    .map(|(_, d)| d.iter().product::<usize>())
                    .sum::<usize>()
            })
        })
    };
    view! {
        <p class="hint">
            {move || t("An encoder-decoder transformer: the encoder reads the date as written, the decoder writes the ISO date one character at a time, reading the encoder through cross-attention.")}
        </p>
        {field("Width", "Size of every token's vector (the model width)", &S2S_DIM, |s| s.dim, |s, v| s.dim = v)}
        {field("Heads", "Attention heads per attention layer (they must divide the width)", &S2S_HEADS, |s| s.heads, |s, v| s.heads = v)}
        {field("MLP width", "Hidden width of each block's MLP", &S2S_FF, |s| s.ff, |s, v| s.ff = v)}
        {field("Encoder blocks", "Transformer blocks reading the source", &S2S_LAYERS, |s| s.encoder_layers, |s, v| s.encoder_layers = v)}
        {field("Decoder blocks", "Transformer blocks writing the ISO date", &S2S_LAYERS, |s| s.decoder_layers, |s, v| s.decoder_layers = v)}
        <span class="params" data-testid="param-count" title=move || t("Weights and biases")>
            {move || tf("{} parameters", &[&count()])}
        </span>
    }
}
