//! Text data: tiny Shakespeare for character-level language modelling, the labelled
//! review sentences for sentiment classification, and a generated set of dates written
//! in many human formats paired with ISO dates (for the translator).
//!
//! Vendored as MNIST is (`www/data/`, provenance in its README): natively the files are
//! embedded (`include_bytes!`), so the CLI is self-contained; on wasm32 nothing is
//! embedded (1.5 MB would weigh on the first load). The page is to fetch a file when a
//! text preset is chosen and hand it to [`provide_text`]; it does not yet, so loading
//! there is an error that says the text sets train with the command line for now.

mod chars;
mod dates;
mod sentiment;
mod words;

pub use chars::{split_by_position, CharVocab, WindowBatch, WindowStream};
pub use dates::{
    date_pairs, format_date, DateFormat, DatePair, DateSplit, SimpleDate, DATE_FORMATS,
    DATE_SPECIAL_TOKENS, FIRST_YEAR, LAST_YEAR,
};
pub use dates::{date_vocabs, DATE_SOURCE_LEN, DATE_TARGET_LEN};
pub use sentiment::{sentiment_split, SentimentSplit, SENTIMENT_VOCAB};
pub use words::{tokenize_words, WordVocab, PAD_ID, UNK_ID};

use super::real::gunzip;
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
}

impl TextSet {
    /// Every set.
    pub const ALL: [TextSet; 2] = [TextSet::Shakespeare, TextSet::Sentiment];

    /// Stable short name (links, the CLI).
    pub fn name(self) -> &'static str {
        match self {
            TextSet::Shakespeare => "shakespeare",
            TextSet::Sentiment => "sentiment",
        }
    }

    /// The file in `www/data/`.
    pub fn file(self) -> &'static str {
        match self {
            TextSet::Shakespeare => SHAKESPEARE_FILE,
            TextSet::Sentiment => SENTIMENT_FILE,
        }
    }

    /// True for the language-modelling set (targets are the next tokens).
    pub fn is_language_model(self) -> bool {
        matches!(self, TextSet::Shakespeare)
    }

    /// Token ids the set's vocabulary has, padding included (both are fixed: 65
    /// characters and padding; the sentiment vocabulary is cut to [`SENTIMENT_VOCAB`]).
    pub fn vocab_size(self) -> usize {
        match self {
            TextSet::Shakespeare => SHAKESPEARE_IDS,
            TextSet::Sentiment => SENTIMENT_VOCAB,
        }
    }

    /// Examples before the split: characters of the text, or labelled sentences.
    pub fn examples(self) -> usize {
        match self {
            TextSet::Shakespeare => SHAKESPEARE_CHARS,
            TextSet::Sentiment => SENTIMENT_ROWS,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
const SHAKESPEARE_GZ: &[u8] = include_bytes!("../../../www/data/tinyshakespeare.txt.gz");
#[cfg(not(target_arch = "wasm32"))]
const SENTIMENT_TSV: &[u8] = include_bytes!("../../../www/data/sentiment_sentences.tsv");

static SHAKESPEARE: OnceLock<String> = OnceLock::new();
static SENTIMENT: OnceLock<String> = OnceLock::new();

fn slot(set: TextSet) -> &'static OnceLock<String> {
    match set {
        TextSet::Shakespeare => &SHAKESPEARE,
        TextSet::Sentiment => &SENTIMENT,
    }
}

/// Hand the bytes of `set`'s file to this session (the page, after fetching it): gzip
/// is decompressed when the bytes start with its magic (a server may have decoded it
/// already), and the text must be UTF-8. A second call keeps the first text.
pub fn provide_text(set: TextSet, bytes: &[u8]) -> Result<(), DataError> {
    if slot(set).get().is_some() {
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
    let _ = slot(set).set(text);
    Ok(())
}

/// Whether `set`'s text is available in this session (always natively).
pub fn text_loaded(set: TextSet) -> bool {
    cfg!(not(target_arch = "wasm32")) || slot(set).get().is_some()
}

/// The whole text of `set` (natively: decoded from the embedded file at the first call).
pub fn load_text(set: TextSet) -> Result<&'static str, DataError> {
    #[cfg(not(target_arch = "wasm32"))]
    match set {
        TextSet::Shakespeare => provide_text(set, SHAKESPEARE_GZ)?,
        TextSet::Sentiment => provide_text(set, SENTIMENT_TSV)?,
    }
    // The page does not fetch the text sets yet (nothing calls `provide_text` there), so
    // "download it again" would be wrong: say where they train today.
    slot(set)
        .get()
        .map(String::as_str)
        .ok_or_else(|| DataError::Shape {
            file: set.file().to_string(),
            message: format!(
                "the text data sets train with the command line for now (`gradlab run` with \
                 a link or a text preset, then `gradlab sample`); the page does not load \
                 {} yet",
                set.name()
            ),
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
