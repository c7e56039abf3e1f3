//! Decoding an encoder-decoder ([`Seq2Seq`]): greedy and beam search, token by token,
//! on the CPU backend (each step reads the last position's logits back at once).
//!
//! Both start from the start token, never produce padding (id 0) or the start token,
//! stop at the end token or after `max_len` tokens (at most the model's `max_tgt`
//! positions), and return the tokens produced without start or end. Ties between equal
//! scores go to the lower token id (and, in beam search, to the earlier beam), so beam
//! search of width 1 is greedy decoding exactly.
//!
//! Beam search keeps the `width` best unfinished sequences by total log-probability
//! (natural log, in f64, no length penalty: log-probabilities only fall as a sequence
//! grows, so it stops once the best finished sequence beats every live one). At each
//! step the `width` best extensions are taken in score order; one that ends moves to the
//! finished list. The answer is the best finished sequence (or, when the length limit
//! cut every one short, the best unfinished one).

use super::Seq2Seq;
use crate::autograd::no_grad;
use crate::tensor::Tensor;

/// Widest beam.
pub const MAX_BEAM: usize = 5;

/// Sources decoded together by [`greedy`] (bounds the memory of one step).
pub const GREEDY_CHUNK: usize = 256;

/// The special tokens and the length limit of a decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeTokens {
    /// The token every target starts with (never produced).
    pub start: u32,
    /// The token that ends a target.
    pub end: u32,
    /// Most tokens produced, the end token included (cut to the model's `max_tgt`).
    pub max_len: usize,
}

/// The values of `t`, which must be on the CPU backend.
fn host(t: &Tensor) -> Result<Vec<f32>, String> {
    t.to_vec_now()
        .ok_or_else(|| "decoding runs on the CPU backend; move the model there first".into())
}

/// Checks the sources: at least one, all of one length in `1..=max_src`, ids inside
/// the source vocabulary.
fn check_sources(model: &Seq2Seq, sources: &[Vec<u32>]) -> Result<usize, String> {
    let c = model.config();
    let len = sources.first().map_or(0, Vec::len);
    if len == 0 || len > c.max_src {
        return Err(format!(
            "a source must have 1 to {} tokens, got {len}",
            c.max_src
        ));
    }
    for s in sources {
        if s.len() != len {
            return Err(format!(
                "sources must share one padded length: {} and {len}",
                s.len()
            ));
        }
        if let Some(id) = s.iter().find(|&&i| i as usize >= c.src_vocab) {
            return Err(format!(
                "source token {id} is outside the vocabulary of {}",
                c.src_vocab
            ));
        }
    }
    Ok(len)
}

/// Ids `rows` as a `[rows.len(), len]` tensor on the CPU (all rows of length `len`).
fn id_tensor(rows: &[Vec<u32>], len: usize) -> Tensor {
    let v: Vec<f32> = rows.iter().flatten().map(|&i| i as f32).collect();
    Tensor::from_slice(&v, &[rows.len(), len], &crate::Device::Cpu)
}

/// The last position's logits of each row: `logits` holds `[rows, len, vocab]`.
fn last_rows(logits: &[f32], rows: usize, len: usize, vocab: usize) -> Vec<&[f32]> {
    (0..rows)
        .map(|r| &logits[(r * len + len - 1) * vocab..][..vocab])
        .collect()
}

/// Whether a decoder may produce `id`: neither padding nor the start token.
fn allowed(id: usize, t: &DecodeTokens) -> bool {
    id != 0 && id != t.start as usize
}

/// The highest logit's id among those [`allowed`] (the lower id on a tie).
fn best_token(logits: &[f32], t: &DecodeTokens) -> u32 {
    let mut best: Option<usize> = None;
    for (i, &l) in logits.iter().enumerate() {
        if allowed(i, t) && best.is_none_or(|b| l > logits[b]) {
            best = Some(i);
        }
    }
    best.unwrap_or(t.end as usize) as u32
}

/// The tokens after the start, up to (without) the end token.
fn strip(seq: &[u32], t: &DecodeTokens) -> Vec<u32> {
    seq.iter()
        .skip(1)
        .take_while(|&&i| i != t.end && i != 0)
        .copied()
        .collect()
}

/// Greedy decoding of each source (padded ids `[S]`, all of one length): at each step
/// the most likely allowed token. Sources go through the model [`GREEDY_CHUNK`] at a
/// time; a row's result does not depend on the others.
pub fn greedy(
    model: &Seq2Seq,
    sources: &[Vec<u32>],
    t: &DecodeTokens,
) -> Result<Vec<Vec<u32>>, String> {
    let len = check_sources(model, sources)?;
    let mut out = Vec::with_capacity(sources.len());
    for chunk in sources.chunks(GREEDY_CHUNK) {
        out.extend(greedy_chunk(model, chunk, len, t)?);
    }
    Ok(out)
}

fn greedy_chunk(
    model: &Seq2Seq,
    sources: &[Vec<u32>],
    len: usize,
    t: &DecodeTokens,
) -> Result<Vec<Vec<u32>>, String> {
    let (n, vocab) = (sources.len(), model.config().tgt_vocab);
    let steps = t.max_len.min(model.config().max_tgt);
    let src = id_tensor(sources, len);
    let memory = no_grad(|| model.encode(&src));
    let mut seqs = vec![vec![t.start]; n];
    let mut done = vec![false; n];
    for step in 0..steps {
        let l = step + 1;
        let logits = no_grad(|| model.decode_logits(&src, &memory, &id_tensor(&seqs, l)));
        let values = host(&logits)?;
        for (r, last) in last_rows(&values, n, l, vocab).into_iter().enumerate() {
            // A finished row is fed padding, which no live row can see.
            let next = if done[r] { 0 } else { best_token(last, t) };
            done[r] |= next == t.end;
            seqs[r].push(next);
        }
        if done.iter().all(|&d| d) {
            break;
        }
    }
    Ok(seqs.iter().map(|s| strip(s, t)).collect())
}

/// `ln softmax(logits)` in f64.
fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits
        .iter()
        .map(|&l| l as f64)
        .fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = logits.iter().map(|&l| libm::exp(l as f64 - max)).sum();
    let lse = max + libm::log(sum);
    logits.iter().map(|&l| l as f64 - lse).collect()
}

/// Beam search of `width` (1 to [`MAX_BEAM`]) over one source (ids `[S]`); see the
/// module's docs for the rule.
pub fn beam_search(
    model: &Seq2Seq,
    source: &[u32],
    width: usize,
    t: &DecodeTokens,
) -> Result<Vec<u32>, String> {
    if !(1..=MAX_BEAM).contains(&width) {
        return Err(format!(
            "the beam width must be 1 to {MAX_BEAM}, got {width}"
        ));
    }
    let sources = [source.to_vec()];
    let len = check_sources(model, &sources)?;
    let vocab = model.config().tgt_vocab;
    let steps = t.max_len.min(model.config().max_tgt);
    let mut live: Vec<(Vec<u32>, f64)> = vec![(vec![t.start], 0.0)];
    let mut finished: Vec<(Vec<u32>, f64)> = Vec::new();
    for step in 0..steps {
        let (k, l) = (live.len(), step + 1);
        let src = id_tensor(&vec![source.to_vec(); k], len);
        let seqs: Vec<Vec<u32>> = live.iter().map(|(s, _)| s.clone()).collect();
        let logits =
            no_grad(|| model.decode_logits(&src, &model.encode(&src), &id_tensor(&seqs, l)));
        let values = host(&logits)?;
        // (score, beam, token), best first; ties to the earlier beam, then the lower id.
        let mut candidates: Vec<(f64, usize, usize)> = Vec::with_capacity(k * vocab);
        for (b, last) in last_rows(&values, k, l, vocab).into_iter().enumerate() {
            for (id, lp) in log_softmax(last).into_iter().enumerate() {
                if allowed(id, t) {
                    candidates.push((live[b].1 + lp, b, id));
                }
            }
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut next = Vec::with_capacity(width);
        for &(score, b, id) in candidates.iter().take(width) {
            let mut seq = live[b].0.clone();
            seq.push(id as u32);
            match id as u32 == t.end {
                true => finished.push((seq, score)),
                false => next.push((seq, score)),
            }
        }
        live = next;
        let best_finished = finished
            .iter()
            .map(|f| f.1)
            .fold(f64::NEG_INFINITY, f64::max);
        let best_live = live.iter().map(|f| f.1).fold(f64::NEG_INFINITY, f64::max);
        if live.is_empty() || best_finished >= best_live {
            break;
        }
    }
    // The best finished sequence (the first of equals); the best live one only when the
    // length limit cut every sequence short.
    let pool = if finished.is_empty() {
        &live
    } else {
        &finished
    };
    let best = pool
        .iter()
        .fold(None::<&(Vec<u32>, f64)>, |best, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        });
    Ok(best.map(|(s, _)| strip(s, t)).unwrap_or_default())
}
