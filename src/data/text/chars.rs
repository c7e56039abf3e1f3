//! Character-level tokens (nanoGPT's `shakespeare_char`): the vocabulary is the sorted
//! unique characters of the text, the split is by position (the first 90% trains, the
//! rest validates), and a batch is `B` random windows of `T + 1` tokens: inputs are the
//! first `T`, targets the last `T` (each input's next token).

use crate::rng::Rng;

/// Sorted unique characters; a character's id is its index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharVocab {
    chars: Vec<char>,
}

impl CharVocab {
    /// The sorted unique characters of `text` (as nanoGPT's `sorted(list(set(data)))`).
    /// One pass over the text (a set per character, not a sort of all of them: tiny
    /// Shakespeare is a million characters, read each time a run of it is built).
    pub fn from_text(text: &str) -> CharVocab {
        let mut ascii = [false; 128];
        let mut others = std::collections::BTreeSet::new();
        for c in text.chars() {
            match ascii.get_mut(c as usize) {
                Some(seen) => *seen = true,
                None => {
                    others.insert(c);
                }
            }
        }
        // Every ASCII character sorts before every other one.
        let chars = (0u8..128)
            .filter(|&b| ascii[usize::from(b)])
            .map(char::from)
            .chain(others)
            .collect();
        CharVocab { chars }
    }

    /// A vocabulary from its characters in id order (as stored in a model file); errs
    /// when they are not sorted and unique.
    pub fn from_chars(chars: Vec<char>) -> Result<CharVocab, String> {
        if chars.windows(2).any(|w| w[0] >= w[1]) {
            return Err("the vocabulary's characters must be sorted and unique".into());
        }
        Ok(CharVocab { chars })
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// True when there are no characters.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The characters in id order.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// The characters as one string, in id order (how a model file stores them).
    pub fn as_string(&self) -> String {
        self.chars.iter().collect()
    }

    /// The id of `c`, if it is in the vocabulary.
    pub fn id(&self, c: char) -> Option<u32> {
        self.chars.binary_search(&c).ok().map(|i| i as u32)
    }

    /// The ids of `text`; errs naming the first character not in the vocabulary.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, String> {
        // ASCII characters by a table, the others by their search.
        let mut ascii = [None; 128];
        for (i, &c) in self.chars.iter().enumerate() {
            if let Some(slot) = ascii.get_mut(c as usize) {
                *slot = Some(i as u32);
            }
        }
        let mut ids = Vec::with_capacity(text.len());
        for c in text.chars() {
            let id = match ascii.get(c as usize) {
                Some(&id) => id,
                None => self.id(c),
            };
            ids.push(id.ok_or_else(|| format!("the character {c:?} is not in the vocabulary"))?);
        }
        Ok(ids)
    }

    /// The text of `ids` (ids outside the vocabulary are skipped).
    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter()
            .filter_map(|&i| self.chars.get(i as usize))
            .collect()
    }
}

/// `(train, val)`: the first `round(len * (1 - val_fraction))` tokens and the rest, as
/// nanoGPT's `data[:int(n*0.9)]` by position (no shuffling: the validation text is a
/// later stretch of the plays).
pub fn split_by_position(ids: &[u32], val_fraction: f32) -> (&[u32], &[u32]) {
    let f = if val_fraction.is_nan() {
        0.0
    } else {
        // The f32 fraction as the decimal it was written as (0.1f32 is 0.100000001...),
        // so 90% of 100 tokens is 90, as Python's `int(n * 0.9)`.
        (val_fraction.clamp(0.0, 1.0) as f64 * 1e6).round() / 1e6
    };
    let cut = (ids.len() as f64 * (1.0 - f)) as usize;
    ids.split_at(cut.min(ids.len()))
}

/// One batch of windows: `inputs[b*T + t]` and `targets[b*T + t]` (the token after it).
#[derive(Clone, Debug, PartialEq)]
pub struct WindowBatch {
    /// Input ids, `[B, T]` row-major.
    pub inputs: Vec<u32>,
    /// Next-token ids, `[B, T]` row-major.
    pub targets: Vec<u32>,
    /// Where each window starts in the token sequence.
    pub starts: Vec<usize>,
}

/// A seeded stream of random windows over a token sequence. Batch `k` is a function of
/// the seed and `k` alone (its own derived generator), so a run resumed at batch `k`
/// continues exactly: the stream's whole state is [`WindowStream::position`].
#[derive(Clone, Debug)]
pub struct WindowStream {
    seed: u64,
    batch: usize,
    context: usize,
    next: u64,
}

impl WindowStream {
    /// Batches of `batch` windows of `context + 1` tokens, seeded by `seed`.
    pub fn new(seed: u64, batch: usize, context: usize) -> WindowStream {
        WindowStream {
            seed,
            batch,
            context,
            next: 0,
        }
    }

    /// Batches drawn so far (the index of the next one).
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Continue from batch `position` (as saved by [`WindowStream::position`]).
    pub fn seek(&mut self, position: u64) {
        self.next = position;
    }

    /// Batch `k` of the stream over `tokens`: `B` window starts drawn uniformly from
    /// `0..=len - T - 1` (nanoGPT's `torch.randint(len(data) - block_size, ...)`).
    /// Errs when the sequence is shorter than one window.
    pub fn batch_at(&self, tokens: &[u32], k: u64) -> Result<WindowBatch, String> {
        let t = self.context;
        if tokens.len() < t + 1 {
            return Err(format!(
                "{} tokens are fewer than one window of {} (context {t} + 1)",
                tokens.len(),
                t + 1
            ));
        }
        let mut rng = Rng::derive(self.seed, k);
        let starts: Vec<usize> = (0..self.batch)
            .map(|_| rng.below(tokens.len() - t))
            .collect();
        let mut inputs = Vec::with_capacity(self.batch * t);
        let mut targets = Vec::with_capacity(self.batch * t);
        for &s in &starts {
            inputs.extend_from_slice(&tokens[s..s + t]);
            targets.extend_from_slice(&tokens[s + 1..s + t + 1]);
        }
        Ok(WindowBatch {
            inputs,
            targets,
            starts,
        })
    }

    /// The next batch (advances the position).
    pub fn next_batch(&mut self, tokens: &[u32]) -> Result<WindowBatch, String> {
        let b = self.batch_at(tokens, self.next)?;
        self.next += 1;
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_decode_round_trip() {
        let text = "First Citizen:\nBefore we proceed any further, hear me speak.";
        let v = CharVocab::from_text(text);
        let ids = v.encode(text).unwrap();
        assert_eq!(v.decode(&ids), text);
        assert!(v.chars().windows(2).all(|w| w[0] < w[1]));
        assert!(v.encode("First Citizen: Z").is_err());
        assert_eq!(CharVocab::from_chars(v.chars().to_vec()).unwrap(), v);
        assert!(CharVocab::from_chars(vec!['b', 'a']).is_err());
    }

    #[test]
    fn the_vocabulary_is_the_sorted_unique_characters_beyond_ascii_too() {
        let text = "zé a\u{1F600}Ab\nébz\u{7F}\u{80}";
        let v = CharVocab::from_text(text);
        let mut want: Vec<char> = text.chars().collect();
        want.sort_unstable();
        want.dedup();
        assert_eq!(v.chars(), want.as_slice());
        let ids = v.encode(text).unwrap();
        let by_search: Vec<u32> = text.chars().map(|c| v.id(c).unwrap()).collect();
        assert_eq!(ids, by_search);
        assert_eq!(v.decode(&ids), text);
        assert!(v.encode("q").unwrap_err().contains("'q'"));
        assert!(v.encode("\u{E9}\u{FF}").unwrap_err().contains("'ÿ'"));
    }

    #[test]
    fn the_split_is_by_position() {
        let ids: Vec<u32> = (0..100).collect();
        let (train, val) = split_by_position(&ids, 0.1);
        assert_eq!((train.len(), val.len()), (90, 10));
        assert_eq!(val[0], 90);
    }

    #[test]
    fn windows_are_deterministic_within_bounds_and_shifted_by_one() {
        let tokens: Vec<u32> = (0..50).map(|i| (i * 7 % 13) as u32).collect();
        let mut a = WindowStream::new(9, 4, 8);
        let mut b = WindowStream::new(9, 4, 8);
        for k in 0..200 {
            let (x, y) = (
                a.next_batch(&tokens).unwrap(),
                b.next_batch(&tokens).unwrap(),
            );
            assert_eq!(x, y);
            assert_eq!(x, a.batch_at(&tokens, k).unwrap());
            for (w, &s) in x.starts.iter().enumerate() {
                assert!(s + 8 < tokens.len());
                assert_eq!(&x.inputs[w * 8..w * 8 + 8], &tokens[s..s + 8]);
                assert_eq!(&x.targets[w * 8..w * 8 + 8], &tokens[s + 1..s + 9]);
            }
        }
        // Every start position is drawn (the last one, len - T - 1, included).
        let mut seen = vec![false; tokens.len() - 8];
        for k in 0..200 {
            for s in a.batch_at(&tokens, k).unwrap().starts {
                seen[s] = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
        assert!(WindowStream::new(1, 1, 50).batch_at(&tokens, 0).is_err());
    }
}
