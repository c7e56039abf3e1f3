//! The driver's part of text models: a lighter refresh while a token model trains (its
//! evaluation is thousands of windows through a transformer, seconds of the page's CPU,
//! so it runs only where the runner records a history point, as the CLI does), and the
//! generation panel's sampling, a few characters per frame between training slices.

use super::super::plot_frame::read_plot_frame;
use super::super::text::{GenRequest, BARS_SHOWN};
use super::{answer, Driver};
use crate::data::text::CharVocab;
use crate::error::{Error, Result};
use crate::experiment::{text_vocab, Runner, TextStream, TextVocab};
use crate::platform::now_ms;
use leptos::prelude::*;

/// Most milliseconds of sampling per frame (the rest is training's and the browser's).
const SAMPLE_SLICE_MS: f64 = 6.0;
/// Most characters written per frame, so the text visibly streams in.
const CHARS_PER_FRAME: usize = 4;
/// Fewest milliseconds between two computations of the probability bars while the
/// weights change (training) and the prompt stays.
const BARS_EVERY_MS: f64 = 500.0;

/// The sampling in progress, with the run it belongs to.
pub(super) struct Sampling {
    run: u64,
    stream: TextStream,
}

/// What the bars were last computed for: `(run, step, prompt)`, and when.
pub(super) type BarsKey = (u64, u64, String);

/// The character vocabulary of `runner`'s language model.
fn char_vocab(runner: &Runner) -> Result<CharVocab> {
    match text_vocab(runner.config())? {
        Some(TextVocab::Chars(chars)) => {
            CharVocab::from_chars(chars.chars().collect()).map_err(Error::Format)
        }
        _ => Err(Error::Format(
            "this model is no character language model".into(),
        )),
    }
}

impl Driver {
    /// The run's characters, worked out from its whole text once per run (40-60 ms in
    /// the page for tiny Shakespeare, too long to repeat at every refresh of the bars).
    fn run_vocab(&mut self) -> Result<CharVocab> {
        if let Some((run, v)) = &self.vocab {
            if *run == self.run {
                return Ok(v.clone());
            }
        }
        let Some(r) = self.runner.as_ref() else {
            return Err(Error::Format("no model".into()));
        };
        let v = char_vocab(r)?;
        self.vocab = Some((self.run, v.clone()));
        Ok(v)
    }

    /// True when the run's data is token ids (text, or the dates to translate): its
    /// evaluations are too costly for every refresh.
    pub(super) fn is_token_run(&self) -> bool {
        self.runner
            .as_ref()
            .is_some_and(|r| r.config().data.is_tokens())
    }

    /// The refresh of a token model between its evaluation steps: the weights (for the
    /// link, the model download and the plots) without an evaluation; the live numbers
    /// stay those of the last recorded point.
    pub(super) async fn refresh_light(&mut self) {
        self.last_read = now_ms();
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        if self.diverged {
            return;
        }
        let plots = match answer(r.plots_with(None, None, &[])).await {
            Ok((plots, _)) => plots,
            Err(e) => {
                self.fail(e);
                return;
            }
        };
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        self.lab.live.set(r.history().last().cloned());
        self.show_history();
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        let frame = read_plot_frame(r, None, plots);
        self.publish(&frame.weights);
        self.lab.plot_frame.set(frame);
    }

    /// The generation panel's work for this frame: start a requested generation, write
    /// a few characters of the one in progress, refresh the probability bars.
    pub(super) async fn text_frame(&mut self) {
        let ts = self.lab.text;
        if let Some(request) = ts.request.try_update_value(Option::take).flatten() {
            self.start_sampling(request);
        }
        if ts.stop.try_update_value(|s| std::mem::replace(s, false)) == Some(true) {
            self.sampling = None;
        }
        self.sample_slice().await;
        self.update_bars().await;
    }

    /// Begins `request` on the current run (a bad prompt is a message, not a stream).
    fn start_sampling(&mut self, request: GenRequest) {
        let ts = self.lab.text;
        ts.output.set(String::new());
        ts.output_prompt.set(request.prompt.clone());
        self.sampling = None;
        if self.runner.is_none() {
            ts.message
                .set(Some("no model to write with: see the message above".into()));
            ts.generating.set(false);
            return;
        };
        let started = self
            .run_vocab()
            .and_then(|vocab| TextStream::new(vocab, &request.prompt, request.options));
        match started {
            Ok(stream) => {
                ts.message.set(None);
                ts.generating.set(stream.remaining() > 0);
                self.sampling = Some(Sampling {
                    run: self.run,
                    stream,
                });
            }
            Err(e) => {
                ts.message.set(Some(plain(&e)));
                ts.generating.set(false);
            }
        }
    }

    /// Writes up to [`CHARS_PER_FRAME`] characters within [`SAMPLE_SLICE_MS`].
    async fn sample_slice(&mut self) {
        let ts = self.lab.text;
        // A reset (new run, new weights) ends the generation of the old one.
        if self.sampling.as_ref().is_some_and(|s| s.run != self.run) {
            self.sampling = None;
        }
        let (Some(s), Some(r)) = (self.sampling.as_mut(), self.runner.as_ref()) else {
            if ts.generating.get_untracked() {
                ts.generating.set(false);
            }
            return;
        };
        let t0 = now_ms();
        let mut written = String::new();
        let mut failed = None;
        while written.chars().count() < CHARS_PER_FRAME && now_ms() - t0 < SAMPLE_SLICE_MS {
            match answer(s.stream.next_char(r)).await {
                Ok(Some(c)) => written.push(c),
                Ok(None) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let finished = s.stream.remaining() == 0;
        if !written.is_empty() {
            ts.output.update(|o| o.push_str(&written));
        }
        if let Some(e) = failed {
            self.sampling = None;
            ts.generating.set(false);
            match e {
                Error::Gpu(_) => self.fail(e),
                e => ts.message.set(Some(plain(&e))),
            }
        } else if finished {
            self.sampling = None;
            ts.generating.set(false);
        }
    }

    /// Recomputes the prompt's next-character bars when the prompt or the run changed,
    /// or (at most every [`BARS_EVERY_MS`]) the weights.
    async fn update_bars(&mut self) {
        let ts = self.lab.text;
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        if !r.config().data.is_language_model() || self.diverged {
            return;
        }
        let prompt = ts.prompt.get_untracked();
        let key: BarsKey = (self.run, r.step_count(), prompt.clone());
        let same_text = self
            .bars_key
            .as_ref()
            .is_some_and(|(run, _, p)| *run == key.0 && *p == key.2);
        if self.bars_key.as_ref() == Some(&key)
            || (same_text && now_ms() - self.bars_at < BARS_EVERY_MS)
        {
            return;
        }
        self.bars_key = Some(key);
        self.bars_at = now_ms();
        let bars = match self.run_vocab() {
            Ok(vocab) => match self.runner.as_ref() {
                Some(r) => answer(r.next_char_probs(&vocab, &prompt, BARS_SHOWN)).await,
                None => return,
            },
            Err(e) => Err(e),
        };
        match bars {
            Ok(bars) => {
                ts.bars.set(bars);
                // A message about this prompt is answered once the prompt is fine.
                if !ts.generating.get_untracked() {
                    ts.message.set(None);
                }
            }
            Err(e @ Error::Gpu(_)) => self.fail(e),
            Err(e) => {
                ts.bars.set(Vec::new());
                ts.message.set(Some(plain(&e)));
            }
        }
    }
}

/// An error's message without its kind prefix (`format: `), for the panel.
fn plain(e: &Error) -> String {
    let s = e.to_string();
    match s.split_once(": ") {
        Some(("format", rest)) => rest.to_string(),
        _ => s,
    }
}
