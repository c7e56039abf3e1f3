//! Word-level tokens: lowercase, letters and digits (and inner apostrophes, as in
//! "don't") form words, every other visible character is a token of its own
//! ("great!" -> `great`, `!`); whitespace separates. The vocabulary reserves id 0 for
//! `<pad>` and id 1 for `<unk>`.

use std::collections::HashMap;

/// The padding token's id (the attention layers' convention: id 0 pads).
pub const PAD_ID: u32 = 0;
/// The id of a word not in the vocabulary.
pub const UNK_ID: u32 = 1;

/// The tokens of `text`: lowercase words and single punctuation characters.
pub fn tokenize_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let inner_apostrophe =
            c == '\'' && !word.is_empty() && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_apostrophe {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        if !c.is_whitespace() {
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Words by id: `<pad>`, `<unk>`, then the kept words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordVocab {
    words: Vec<String>,
    ids: HashMap<String, u32>,
}

impl WordVocab {
    /// The vocabulary of `sentences` (tokenized): the most frequent tokens first (ties
    /// in alphabetical order), cut so that with `<pad>` and `<unk>` it has at most
    /// `capacity` ids.
    pub fn build<'a>(sentences: impl IntoIterator<Item = &'a [String]>, capacity: usize) -> Self {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for s in sentences {
            for w in s {
                *counts.entry(w.as_str()).or_default() += 1;
            }
        }
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let kept = ranked.into_iter().take(capacity.saturating_sub(2));
        let words = ["<pad>", "<unk>"]
            .into_iter()
            .chain(kept.map(|(w, _)| w))
            .map(str::to_string)
            .collect();
        WordVocab::from_words(words)
    }

    /// A vocabulary from its words in id order (as stored in a model file).
    pub fn from_words(words: Vec<String>) -> WordVocab {
        let ids = words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32))
            .collect();
        WordVocab { words, ids }
    }

    /// Number of ids (with `<pad>` and `<unk>`).
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when there are no ids.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words in id order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The id of `word` (`<unk>`'s when it is unknown).
    pub fn id(&self, word: &str) -> u32 {
        self.ids.get(word).copied().unwrap_or(UNK_ID)
    }

    /// The ids of `text`, padded with `<pad>` or cut to exactly `len` (the first `len`
    /// tokens are kept).
    pub fn encode_padded(&self, text: &str, len: usize) -> Vec<u32> {
        let mut ids: Vec<u32> = tokenize_words(text)
            .iter()
            .take(len)
            .map(|w| self.id(w))
            .collect();
        ids.resize(len, PAD_ID);
        ids
    }

    /// The tokens of ids (padding dropped).
    pub fn decode(&self, ids: &[u32]) -> Vec<&str> {
        ids.iter()
            .filter(|&&i| i != PAD_ID)
            .filter_map(|&i| self.words.get(i as usize).map(String::as_str))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercase_and_punctuation_splits() {
        assert_eq!(
            tokenize_words("Great food, DON'T miss it!! 10/10 'quoted'"),
            [
                "great", "food", ",", "don't", "miss", "it", "!", "!", "10", "/", "10", "'",
                "quoted", "'"
            ]
        );
        assert!(tokenize_words("  \t ").is_empty());
    }

    #[test]
    fn known_words_round_trip_and_unknown_ones_map_to_unk() {
        let sents: Vec<Vec<String>> = ["the food was good", "the service was slow."]
            .iter()
            .map(|s| tokenize_words(s))
            .collect();
        let v = WordVocab::build(sents.iter().map(Vec::as_slice), 100);
        assert_eq!(&v.words()[..4], ["<pad>", "<unk>", "the", "was"]);
        let ids = v.encode_padded("The food was slow.", 8);
        assert_eq!(v.decode(&ids), ["the", "food", "was", "slow", "."]);
        assert_eq!(&ids[5..], [PAD_ID; 3]);
        assert_eq!(v.encode_padded("the pizza", 2), [v.id("the"), UNK_ID]);
        assert_eq!(v.encode_padded("a b c d", 2).len(), 2);
        // The capacity counts <pad> and <unk>.
        assert_eq!(
            WordVocab::build(sents.iter().map(Vec::as_slice), 3).len(),
            3
        );
    }
}
