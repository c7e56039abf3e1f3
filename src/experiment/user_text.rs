//! The configuration that trains a character language model on a person's own text
//! (`data::text::TextSet::User`): the GPT shape in use (or shakespeare-char's when the
//! current model is none), its token embedding and output head resized to the text's
//! vocabulary, the 90/10 split by position; everything else (optimizer, budget, seed)
//! as it was.

use super::config::{DataSource, ExperimentConfig};
use crate::data::text::{TextSet, USER_TEXT_VAL_FRACTION};
use crate::nn::Layer;

/// `current` retargeted to a user text of `ids` token ids (distinct characters and
/// padding). A current config that is no language model with a token embedding first
/// gives way to the `shakespeare-char` preset's shape and training settings.
pub fn user_text_config(current: &ExperimentConfig, ids: usize) -> ExperimentConfig {
    let gpt = |c: &ExperimentConfig| {
        c.data.is_language_model()
            && matches!(
                c.model.as_deref().and_then(<[Layer]>::first),
                Some(Layer::Embedding { .. })
            )
    };
    let mut config = match gpt(current) {
        true => current.clone(),
        false => super::preset("shakespeare-char").unwrap_or_else(|| current.clone()),
    };
    let old = config.data.text().map(TextSet::vocab_size);
    if let Some(layers) = config.model.as_mut() {
        resize_vocab(layers, old, ids);
    }
    config.data = DataSource::Text(TextSet::User);
    config.test_fraction = USER_TEXT_VAL_FRACTION;
    config
}

/// Sets the first embedding's vocabulary to `ids`, the tied head's too, and the last
/// dense layer's width when it was the old vocabulary (`old`, the scores of each id).
fn resize_vocab(layers: &mut [Layer], old: Option<usize>, ids: usize) {
    let mut first = true;
    for layer in layers.iter_mut() {
        match layer {
            Layer::Embedding { vocab, .. } if first => *vocab = ids,
            Layer::Unembed { vocab, .. } => *vocab = ids,
            _ => {}
        }
        first = false;
    }
    if let Some(Layer::Dense { out }) = layers.last_mut() {
        if old.is_none_or(|v| *out == v) {
            *out = ids;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::text::{provide_user_text, CharVocab};
    use crate::experiment::{preset, validate, Budget, Runner};
    use crate::platform::block_on;
    use crate::Device;

    #[test]
    fn a_user_text_retargets_the_gpt_and_trains() {
        // A text with a pattern to learn and characters tiny Shakespeare lacks.
        let text = "the cat sat on the mat; 猫坐在垫子上。\n".repeat(40);
        let ids = CharVocab::from_text(&text).len() + 1;
        let base = preset("shakespeare-char").unwrap();
        let mut config = user_text_config(&base, ids);
        config.budget = Budget::Steps(40);
        config.eval_every = 40;
        match config.model.as_deref() {
            Some([Layer::Embedding { vocab, .. }, .., Layer::Dense { out }]) => {
                assert_eq!((*vocab, *out), (ids, ids))
            }
            other => panic!("embed ... dense, got {other:?}"),
        }
        assert_eq!(config.data, DataSource::Text(TextSet::User));
        let _held = crate::data::text::TEST_TEXT_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        provide_user_text(&text, config.context).unwrap();
        assert_eq!(validate(&config), Ok(()));
        let mut runner = Runner::new(config, Device::Cpu).unwrap();
        let start = block_on(runner.evaluate()).unwrap();
        runner.train_steps(40).unwrap();
        let end = block_on(runner.evaluate()).unwrap();
        assert!(
            end.train_loss < 0.7 * start.train_loss,
            "the loss falls: {} -> {}",
            start.train_loss,
            end.train_loss
        );
    }

    #[test]
    fn another_config_gives_way_to_the_preset_shape() {
        let spiral = preset("spiral").unwrap();
        let config = user_text_config(&spiral, 30);
        let shakespeare = preset("shakespeare-char").unwrap();
        assert_eq!(config.context, shakespeare.context);
        assert_eq!(
            config.model.as_ref().map(Vec::len),
            shakespeare.model.as_ref().map(Vec::len)
        );
        assert!(matches!(
            config.model.as_deref(),
            Some([
                Layer::Embedding { vocab: 30, .. },
                ..,
                Layer::Dense { out: 30 }
            ])
        ));
    }
}
