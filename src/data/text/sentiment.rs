//! The labelled review sentences (`sentiment_sentences.tsv`: `source\tlabel\ttext`) as
//! padded rows of word ids: an 80/20 split stratified by label (the same stratified
//! split as every classification set), a vocabulary from the training sentences only
//! (so test words the training never saw read as `<unk>`), each sentence padded with
//! `<pad>` or cut to the context length (its first `context` tokens are kept).

use super::words::{tokenize_words, WordVocab};
use crate::data::{train_test_split, DataError, Dataset, Task};
use crate::rng::Rng;

/// Ids of the sentiment vocabulary, `<pad>` and `<unk>` included: the 2,046 most
/// frequent training tokens are kept (the training split of 2,400 sentences has more
/// distinct tokens than that, so the vocabulary always has exactly this many ids).
pub const SENTIMENT_VOCAB: usize = 2048;

/// The split sentences with their vocabulary.
#[derive(Clone, Debug)]
pub struct SentimentSplit {
    /// Training rows: `context` ids each, label 0 (negative) or 1 (positive).
    pub train: Dataset,
    /// Test rows, encoded with the training vocabulary.
    pub test: Dataset,
    /// The vocabulary of the training sentences.
    pub vocab: WordVocab,
}

/// Parse the TSV: `(label, text)` per row; errs naming a malformed line.
fn parse(tsv: &str) -> Result<Vec<(u32, &str)>, DataError> {
    let err = |line: usize, message: String| DataError::Parse {
        file: super::SENTIMENT_FILE.to_string(),
        line,
        message,
    };
    let mut rows = Vec::new();
    for (i, line) in tsv.lines().enumerate().skip(1) {
        let mut cols = line.splitn(3, '\t');
        let (_source, label, text) = (cols.next(), cols.next(), cols.next());
        let (Some(label), Some(text)) = (label, text) else {
            return Err(err(i + 1, "expected source, label and text".into()));
        };
        let label = match label {
            "0" => 0,
            "1" => 1,
            other => return Err(err(i + 1, format!("label {other:?} is not 0 or 1"))),
        };
        rows.push((label, text));
    }
    Ok(rows)
}

/// The set split with `test_fraction` (stratified, seeded by `rng`), encoded to
/// `context` ids per sentence.
pub fn sentiment_split(
    tsv: &str,
    test_fraction: f32,
    context: usize,
    rng: &mut Rng,
) -> Result<SentimentSplit, DataError> {
    let rows = parse(tsv)?;
    // Split row numbers (x = the row's index) by label, then encode each half.
    let index = Dataset {
        x: (0..rows.len()).map(|i| i as f32).collect(),
        y: rows.iter().map(|r| r.0 as f32).collect(),
        n: rows.len(),
        features: 1,
        input_shape: vec![1],
        targets: 1,
        feature_names: vec!["row".into()],
        task: Task::Classification {
            class_names: vec!["negative".into(), "positive".into()],
        },
    };
    let (train_idx, test_idx) = train_test_split(&index, test_fraction, rng);
    let tokens = |ds: &Dataset| -> Vec<Vec<String>> {
        ds.x.iter()
            .map(|&i| tokenize_words(rows[i as usize].1))
            .collect()
    };
    let vocab = WordVocab::build(
        tokens(&train_idx).iter().map(Vec::as_slice),
        SENTIMENT_VOCAB,
    );
    let encode = |ds: &Dataset| Dataset {
        x: ds
            .x
            .iter()
            .flat_map(|&i| vocab.encode_padded(rows[i as usize].1, context))
            .map(|id| id as f32)
            .collect(),
        y: ds.y.clone(),
        n: ds.n,
        features: context,
        input_shape: vec![context],
        targets: 1,
        feature_names: (0..context).map(|t| format!("token_{t}")).collect(),
        task: ds.task.clone(),
    };
    Ok(SentimentSplit {
        train: encode(&train_idx),
        test: encode(&test_idx),
        vocab,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::text::{load_text, TextSet, PAD_ID};

    #[test]
    fn the_split_is_stratified_and_the_vocabulary_full() {
        let tsv = load_text(TextSet::Sentiment).unwrap();
        let s = sentiment_split(tsv, 0.2, 32, &mut Rng::new(5)).unwrap();
        assert_eq!((s.train.n, s.test.n), (2400, 600));
        // 1,500 of each label: 300 of each in the test split.
        assert_eq!(s.test.class_counts(), vec![300, 300]);
        assert_eq!(s.train.class_counts(), vec![1200, 1200]);
        assert_eq!(s.vocab.len(), SENTIMENT_VOCAB);
        assert!(s.train.x.iter().all(|&id| (id as usize) < SENTIMENT_VOCAB));
        assert_eq!(s.train.x.len(), 2400 * 32);
        // Every row starts with a real token (no sentence is empty).
        assert!((0..s.train.n).all(|r| s.train.x[r * 32] != PAD_ID as f32));
    }

    #[test]
    fn a_malformed_line_is_an_error_naming_it() {
        let e = sentiment_split("h\nyelp\t2\tok\n", 0.5, 4, &mut Rng::new(1)).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
