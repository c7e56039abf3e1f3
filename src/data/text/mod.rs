//! Text data: tiny Shakespeare for character-level language modelling, the labelled
//! review sentences for sentiment classification, and a generated set of dates written
//! in many human formats paired with ISO dates (for the translator).
//!
//! Vendored as MNIST is (`www/data/`, provenance in its README): natively the files are
//! embedded (`include_bytes!`), so the CLI is self-contained; on wasm32 nothing is
//! embedded (1.5 MB would weigh on the first load): the page fetches a set's file when
//! a text preset is chosen and hands it to [`provide_text`].
//!
//! A person's own text ([`TextSet::User`], pasted or dropped into the page) trains a
//! character language model with its own vocabulary; see [`provide_user_text`].

mod chars;
mod dates;
mod sentiment;
mod user;
mod words;

pub use chars::{split_by_position, CharVocab, WindowBatch, WindowStream};
pub use dates::{
    date_pairs, format_date, DateFormat, DatePair, DateSplit, SimpleDate, DATE_FORMATS,
    DATE_SPECIAL_TOKENS, FIRST_YEAR, LAST_YEAR,
};
pub use dates::{date_vocabs, DATE_SOURCE_LEN, DATE_TARGET_LEN};
pub use sentiment::{sentiment_split, SentimentSplit, SENTIMENT_VOCAB};
#[cfg(test)]
pub(crate) use user::TEST_TEXT_LOCK;
pub use user::{
    check_user_text, min_user_chars, provide_user_text, user_text, user_text_sha256, UserTextInfo,
    MAX_USER_TEXT_BYTES, USER_TEXT_VAL_FRACTION,
};
pub use words::{tokenize_words, WordVocab, PAD_ID, UNK_ID};

use super::vendored::gunzip;
use super::DataError;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// File name of tiny Shakespeare in `www/data/`.
pub const SHAKESPEARE_FILE: &str = "tinyshakespeare.txt.gz";
/// File name of the labelled sentences in `www/data/`.
pub const SENTIMENT_FILE: &str = "sentiment_sentences.tsv";
/// Distinct characters of tiny Shakespeare (pinned by a test against the file).
pub const SHAKESPEARE_VOCAB: usize = 65;
/// Token ids of the character language model: the 65 characters take ids 1..=65 and
/// id 0 is kept for padding (the attention layers hide id 0 from every key, so a
/// character there, nanoGPT's `\n`, would be invisible).
pub const SHAKESPEARE_IDS: usize = SHAKESPEARE_VOCAB + 1;
/// Characters of tiny Shakespeare (pinned by a test against the file).
pub const SHAKESPEARE_CHARS: usize = 1_115_394;
/// Labelled sentences (pinned by a test against the file).
pub const SENTIMENT_ROWS: usize = 3000;

/// A vendored text set, as a data source of an experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextSet {
    /// Tiny Shakespeare: next-character prediction (language modelling).
    Shakespeare,
    /// Review sentences, positive or negative (sequence classification).
    Sentiment,
    /// A person's own text (the page: pasted or dropped), next-character prediction
    /// with the text's own vocabulary. Not vendored: only where it was given.
    User,
}

impl TextSet {
    /// Every set.
    pub const ALL: [TextSet; 3] = [TextSet::Shakespeare, TextSet::Sentiment, TextSet::User];

    /// Stable short name (links, the CLI).
    pub fn name(self) -> &'static str {
        match self {
            TextSet::Shakespeare => "shakespeare",
            TextSet::Sentiment => "sentiment",
            TextSet::User => "user-text",
        }
    }

    /// The file in `www/data/` (a user text has none: its name says so).
    pub fn file(self) -> &'static str {
        match self {
            TextSet::Shakespeare => SHAKESPEARE_FILE,
            TextSet::Sentiment => SENTIMENT_FILE,
            TextSet::User => "your text",
        }
    }

    /// True for the language-modelling sets (targets are the next tokens).
    pub fn is_language_model(self) -> bool {
        matches!(self, TextSet::Shakespeare | TextSet::User)
    }

    /// Token ids the set's vocabulary has, padding included (65 characters and padding;
    /// the sentiment vocabulary is cut to [`SENTIMENT_VOCAB`]; a user text's distinct
    /// characters and padding, 0 while none was given).
    pub fn vocab_size(self) -> usize {
        match self {
            TextSet::Shakespeare => SHAKESPEARE_IDS,
            TextSet::Sentiment => SENTIMENT_VOCAB,
            TextSet::User => user_text().map_or(0, |t| CharVocab::from_text(t).len() + 1),
        }
    }

    /// Examples before the split: characters of the text, or labelled sentences.
    pub fn examples(self) -> usize {
        match self {
            TextSet::Shakespeare => SHAKESPEARE_CHARS,
            TextSet::Sentiment => SENTIMENT_ROWS,
            TextSet::User => user_text().map_or(0, |t| t.chars().count()),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
const SHAKESPEARE_GZ: &[u8] = include_bytes!("../../../www/data/tinyshakespeare.txt.gz");
#[cfg(not(target_arch = "wasm32"))]
const SENTIMENT_TSV: &[u8] = include_bytes!("../../../www/data/sentiment_sentences.tsv");

static SHAKESPEARE: OnceLock<String> = OnceLock::new();
static SENTIMENT: OnceLock<String> = OnceLock::new();

/// The session's copy of a vendored set (`None` for a user text, kept apart).
fn slot(set: TextSet) -> Option<&'static OnceLock<String>> {
    match set {
        TextSet::Shakespeare => Some(&SHAKESPEARE),
        TextSet::Sentiment => Some(&SENTIMENT),
        TextSet::User => None,
    }
}

/// Hand the bytes of `set`'s file to this session (the page, after fetching it): gzip
/// is decompressed when the bytes start with its magic (a server may have decoded it
/// already), and the text must be UTF-8. A second call keeps the first text. A user
/// text is given with [`provide_user_text`] instead (this is an error for it).
pub fn provide_text(set: TextSet, bytes: &[u8]) -> Result<(), DataError> {
    let Some(slot) = slot(set) else {
        return Err(DataError::Shape {
            file: set.file().to_string(),
            message: "a user text is given with provide_user_text".into(),
        });
    };
    if slot.get().is_some() {
        return Ok(());
    }
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        gunzip(set.file(), bytes)?
    } else {
        bytes.to_vec()
    };
    let text = String::from_utf8(raw).map_err(|e| DataError::Shape {
        file: set.file().to_string(),
        message: format!("not UTF-8 text: {e}"),
    })?;
    let _ = slot.set(text);
    Ok(())
}

/// Whether `set`'s text is available in this session (a vendored set always natively;
/// a user text once given).
pub fn text_loaded(set: TextSet) -> bool {
    match slot(set) {
        Some(slot) => cfg!(not(target_arch = "wasm32")) || slot.get().is_some(),
        None => user_text().is_some(),
    }
}

/// The whole text of `set` (natively: decoded from the embedded file at the first call).
pub fn load_text(set: TextSet) -> Result<&'static str, DataError> {
    #[cfg(not(target_arch = "wasm32"))]
    match set {
        TextSet::Shakespeare => provide_text(set, SHAKESPEARE_GZ)?,
        TextSet::Sentiment => provide_text(set, SENTIMENT_TSV)?,
        TextSet::User => {}
    }
    let Some(slot) = slot(set) else {
        return user_text().ok_or_else(|| DataError::Shape {
            file: set.file().to_string(),
            message: "no text was given: a user-text run trains on text pasted or dropped \
                      into the page (a link carries the settings and the text's SHA-256, \
                      not the text)"
                .into(),
        });
    };
    // The page fetches a set before it builds a run on it (`ui::data_fetch`).
    slot.get()
        .map(String::as_str)
        .ok_or_else(|| DataError::Shape {
            file: set.file().to_string(),
            message: format!("{} has not been downloaded yet", set.name()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_texts_have_their_documented_shape() {
        let text = load_text(TextSet::Shakespeare).unwrap();
        assert_eq!(text.chars().count(), SHAKESPEARE_CHARS);
        assert_eq!(CharVocab::from_text(text).len(), SHAKESPEARE_VOCAB);
        let tsv = load_text(TextSet::Sentiment).unwrap();
        assert_eq!(tsv.lines().count(), SENTIMENT_ROWS + 1, "header + rows");
    }
}
