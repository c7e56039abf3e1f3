//! A person's own text for a character language model (the page: pasted or dropped):
//! checked against a size cap and for something to learn (at least two distinct
//! characters, enough for one window on each side of the 90/10 split), its own
//! character vocabulary, and kept for the session as the current user text.
//!
//! The text is never in a link (a link cannot carry megabytes): a link of a user-text
//! run carries its SHA-256 instead, so a replay with other text is noticed.

use super::chars::CharVocab;
use std::sync::Mutex;

/// Most bytes of a user text (twice tiny Shakespeare's 1.1 MB): more would weigh on the
/// tab (every distinct text given in a session stays in memory).
pub const MAX_USER_TEXT_BYTES: usize = 2_000_000;

/// The fraction of a user text kept for validation: its end, as nanoGPT's 90/10.
pub const USER_TEXT_VAL_FRACTION: f32 = 0.1;

/// What the page says about an accepted user text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserTextInfo {
    /// Characters (not bytes).
    pub chars: usize,
    /// Distinct characters: the vocabulary (padding aside).
    pub vocab: usize,
    /// SHA-256 of the UTF-8 bytes, hex.
    pub sha256: String,
}

/// Fewest characters a text needs for a model of context `context` with validation
/// fraction `val_fraction`: a whole window (`context + 1` tokens) on each side of the
/// split by position.
pub fn min_user_chars(context: usize, val_fraction: f32) -> usize {
    let f = (val_fraction.clamp(0.01, 0.99)) as f64;
    // The validation side has `n - floor(n (1 - f))` >= `n f` tokens: n f > context + 1.
    (((context + 2) as f64) / f).ceil() as usize
}

/// Checks `text` for training a model of context `context`: a clear message when it is
/// empty, over [`MAX_USER_TEXT_BYTES`], of one distinct character, or too short.
pub fn check_user_text(text: &str, context: usize) -> Result<UserTextInfo, String> {
    if text.is_empty() {
        return Err("the text is empty: paste some text or drop a text file".into());
    }
    if text.len() > MAX_USER_TEXT_BYTES {
        return Err(format!(
            "the text is {:.1} MB; at most {:.1} MB can train in the page (cut it, or train \
             on it natively)",
            text.len() as f64 / 1e6,
            MAX_USER_TEXT_BYTES as f64 / 1e6
        ));
    }
    let vocab = CharVocab::from_text(text);
    if vocab.len() < 2 {
        return Err(format!(
            "the text has only one distinct character ({:?}): there is nothing to predict",
            vocab.chars()[0]
        ));
    }
    let chars = text.chars().count();
    let need = min_user_chars(context, USER_TEXT_VAL_FRACTION);
    if chars < need {
        return Err(format!(
            "the text has {chars} characters; with context {context} it needs at least \
             {need} (a window of {} on each side of the 90/10 split)",
            context + 1
        ));
    }
    Ok(UserTextInfo {
        chars,
        vocab: vocab.len(),
        sha256: crate::experiment::sha256_hex(text.as_bytes()),
    })
}

/// Every distinct text given this session, and which one is current. A text is kept
/// for the session (the runner reads it as `&'static str`, as the vendored texts): at
/// most [`MAX_USER_TEXT_BYTES`] for each text a person gives.
struct UserTexts {
    all: Vec<&'static str>,
    /// The current text and its SHA-256 (hex), computed once.
    current: Option<(&'static str, String)>,
}

static USER_TEXTS: Mutex<UserTexts> = Mutex::new(UserTexts {
    all: Vec::new(),
    current: None,
});

/// Makes `text` the current user text after [`check_user_text`] (with `context`).
pub fn provide_user_text(text: &str, context: usize) -> Result<UserTextInfo, String> {
    let info = check_user_text(text, context)?;
    let mut texts = USER_TEXTS
        .lock()
        .map_err(|_| "the user text store failed".to_string())?;
    let kept = match texts.all.iter().find(|t| **t == text) {
        Some(t) => *t,
        None => {
            let t: &'static str = Box::leak(text.to_string().into_boxed_str());
            texts.all.push(t);
            t
        }
    };
    texts.current = Some((kept, info.sha256.clone()));
    Ok(info)
}

/// The current user text, if one was given this session.
pub fn user_text() -> Option<&'static str> {
    USER_TEXTS
        .lock()
        .ok()
        .and_then(|t| t.current.as_ref().map(|c| c.0))
}

/// The SHA-256 (hex) of the current user text, if one was given this session.
pub fn user_text_sha256() -> Option<String> {
    USER_TEXTS
        .lock()
        .ok()
        .and_then(|t| t.current.as_ref().map(|c| c.1.clone()))
}

/// Held by tests that set the current user text (one per process), so that tests run
/// in parallel threads do not replace each other's text.
#[cfg(test)]
pub(crate) static TEST_TEXT_LOCK: Mutex<()> = Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::text::split_by_position;

    #[test]
    fn bad_texts_get_clear_messages() {
        assert!(check_user_text("", 8).unwrap_err().contains("empty"));
        let one = "a".repeat(500);
        let m = check_user_text(&one, 8).unwrap_err();
        assert!(
            m.contains("one distinct character") && m.contains("'a'"),
            "{m}"
        );
        let big = "ab".repeat(MAX_USER_TEXT_BYTES / 2 + 1);
        assert!(check_user_text(&big, 8)
            .unwrap_err()
            .contains("at most 2.0 MB"));
        let short = "abcdefghij".repeat(5);
        let m = check_user_text(&short, 8).unwrap_err();
        assert!(
            m.contains("50 characters") && m.contains("at least 100"),
            "{m}"
        );
    }

    #[test]
    fn a_text_gets_its_own_vocabulary_and_hash() {
        let text = "to be or not to be, 是 that is the question\n".repeat(10);
        let info = check_user_text(&text, 8).unwrap();
        let distinct: std::collections::BTreeSet<char> = text.chars().collect();
        assert_eq!(info.vocab, distinct.len());
        assert_eq!(info.chars, text.chars().count());
        assert_eq!(
            info.sha256,
            crate::experiment::sha256_hex(text.as_bytes()),
            "the hash is of the UTF-8 bytes"
        );
        let _held = TEST_TEXT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        provide_user_text(&text, 8).unwrap();
        assert_eq!(user_text(), Some(text.as_str()));
        assert_eq!(user_text_sha256(), Some(info.sha256));
    }

    #[test]
    fn the_shortest_accepted_text_leaves_a_window_on_each_side() {
        for context in [1, 8, 32, 64] {
            let n = min_user_chars(context, USER_TEXT_VAL_FRACTION);
            let ids: Vec<u32> = (0..n as u32).collect();
            let (train, val) = split_by_position(&ids, USER_TEXT_VAL_FRACTION);
            assert!(
                train.len().min(val.len()) > context,
                "context {context}, {n} chars"
            );
            // One character fewer may not (the bound is tight to within rounding).
            let ids: Vec<u32> = (0..(n as u32 - 11)).collect();
            let (train, val) = split_by_position(&ids, USER_TEXT_VAL_FRACTION);
            assert!(
                train.len().min(val.len()) <= context + 1,
                "context {context}"
            );
        }
    }
}
