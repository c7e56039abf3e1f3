//! Training in a dedicated Web Worker, so a long step never holds the page's main
//! thread (issue 12). The SAME wasm module and JS glue the page runs are instantiated in
//! a module worker (`www/train_worker.js`, copied next to index.html so relative URLs
//! resolve as in the page), which calls [`worker_main`] instead of mounting the app
//! (`main` mounts only where there is a window). The page's side is
//! [`super::worker_client`].
//!
//! What the worker does:
//! - trains the page's run on the CPU backend ([`ToWorker::Train`]): the page sends the
//!   run as a saved run (the resume store's bytes: link, weights, optimizer state,
//!   history), the worker continues it in chunks that yield to its event loop, and posts
//!   the whole state back a few times a second ([`FromWorker::Trained`]); the page's copy
//!   of the run follows it (`Runner::apply_snapshot`), so what the page shows, shares
//!   and saves is the worker's run, bit for bit; the same request with `record_only`
//!   records only the history point due at the run's step (a transformer's evaluation:
//!   seconds of CPU the page's main thread must not spend);
//! - times an experiment on the CPU backend for the page's `auto` backend
//!   ([`ToWorker::Time`]), where its long steps would train;
//! - replays a link's `run=N` on the CPU backend and answers with its `weights_sha256`
//!   (the file the CLI hashes), for the e2e tests.
//!
//! Messages are JSON text, or an array `[text, bytes...]` when a saved run (and the files
//! of its data set) travel with them (their buffers are transferred, not copied).

use super::links::hash_config;
use crate::data::text::{user_text, TextSet};
use crate::error::Error;
use crate::experiment::{
    assess, decode_link, decode_saved_run, encode_saved_run, sha256_hex, to_safetensors,
    DataSource, ExperimentConfig, Runner,
};
use crate::platform::{global_property, now_ms, set_timeout};
use crate::Device;
use js_sys::{Array, Function, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Milliseconds of training between two yields to the worker's event loop (messages
/// from the page are read between chunks).
const CHUNK_MS: f64 = 15.0;

/// Milliseconds between two states posted to the page while training.
const POST_EVERY_MS: f64 = 200.0;

/// A message from the page to the worker.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Replay `link` (an experiment link with `run=N`) on the CPU backend.
    Replay {
        /// The link, as the address bar holds it (`#v=1&...`).
        link: String,
    },
    /// Continue the run that comes as saved-run bytes with this message, on the CPU
    /// backend, until its budget ends or [`ToWorker::Stop`] comes. A new `Train` ends
    /// every earlier one. The page's files of the run's data set come after the run's
    /// bytes, when it has them (the worker downloads them otherwise).
    Train {
        /// Names this training in the answers (the page counts them up).
        ticket: u64,
        /// The person's own text, for a run on it.
        user_text: Option<String>,
        /// Only record the history point due at the run's step (an evaluation: seconds
        /// of a transformer's), then post the state as the last: no step is trained.
        #[serde(default)]
        record_only: bool,
    },
    /// Time a fresh run of `link`'s experiment on the CPU backend as the worker trains
    /// it: one untimed warm-up step, then steps until `ms` milliseconds have passed (at
    /// least one). The files of its data set come with the message, as for `Train`.
    /// Answered by [`FromWorker::Timed`].
    Time {
        /// Names this timing in the answer.
        ticket: u64,
        /// The experiment, as a link (`#v=...`).
        link: String,
        /// The person's own text, for a run on it.
        user_text: Option<String>,
        /// Milliseconds of timed steps.
        ms: f64,
    },
    /// End the training `ticket` (and any earlier one) after the current step; its last
    /// state is posted.
    Stop {
        /// The training to end.
        ticket: u64,
    },
}

/// A message from the worker to the page.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker has started: whether it sees WebGPU, and its clock (ms).
    Ready {
        /// `navigator.gpu` exists in the worker.
        webgpu: bool,
        /// `performance.now()` in the worker (0 would mean no clock).
        clock_ms: f64,
    },
    /// A replay ended: the steps trained, the hash of the weights file, how long it took.
    Replayed {
        /// Steps trained.
        steps: u64,
        /// `weights_sha256`, as `gradlab run LINK --backend cpu` prints it.
        hash: String,
        /// Milliseconds the replay took in the worker.
        ms: f64,
    },
    /// The state of training `ticket`, as saved-run bytes that come with this message.
    Trained {
        /// The training this state is of.
        ticket: u64,
        /// Its steps so far.
        step: u64,
        /// The last state of this training: its budget ended, it was stopped, or it
        /// failed (`error`).
        last: bool,
        /// Why it ended early.
        error: Option<TrainError>,
    },
    /// A timing ([`ToWorker::Time`]) ended: `steps` timed steps took `ms` milliseconds,
    /// or it failed (`error`).
    Timed {
        /// The timing this is of.
        ticket: u64,
        /// Steps timed.
        steps: u64,
        /// Milliseconds they took.
        ms: f64,
        /// Why the experiment could not be timed here.
        error: Option<String>,
    },
    /// A request could not be done.
    Failed {
        /// Why.
        message: String,
        /// The training that could not start, if it was one.
        ticket: Option<u64>,
    },
}

/// Why training in the worker ended early.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct TrainError {
    /// The message, as the page shows errors.
    pub message: String,
    /// When training diverged: the step and where the NaN or infinity was seen.
    pub non_finite: Option<(u64, String)>,
}

impl TrainError {
    fn of(e: &Error) -> TrainError {
        TrainError {
            message: e.to_string(),
            non_finite: match e {
                Error::NonFinite { step, what } => Some((*step, what.clone())),
                _ => None,
            },
        }
    }
}

thread_local! {
    /// Trainings with a ticket below this one are to stop.
    static STOP_BELOW: Cell<u64> = const { Cell::new(0) };
}

/// The worker's entry point (called by `www/train_worker.js` once the module is
/// instantiated): answers the page's messages and says it is ready.
pub fn worker_main() {
    let on_message = Closure::<dyn FnMut(JsValue)>::new(|event: JsValue| {
        let data = Reflect::get(&event, &"data".into()).unwrap_or_default();
        let (text, parts) = split_message(&data);
        match text.map(|d| serde_json::from_str::<ToWorker>(&d)) {
            Some(Ok(request)) => {
                // Stops take effect at once, between two steps of a training.
                match &request {
                    ToWorker::Stop { ticket } => stop_below(ticket + 1),
                    ToWorker::Train { ticket, .. } | ToWorker::Time { ticket, .. } => {
                        stop_below(*ticket)
                    }
                    ToWorker::Replay { .. } => {}
                }
                crate::platform::spawn(answer(request, parts))
            }
            Some(Err(e)) => post(
                &FromWorker::Failed {
                    message: format!("unreadable request: {e}"),
                    ticket: None,
                },
                &[],
            ),
            None => post(
                &FromWorker::Failed {
                    message: "a request that is not text".into(),
                    ticket: None,
                },
                &[],
            ),
        }
    });
    let _ = Reflect::set(&js_sys::global(), &"onmessage".into(), on_message.as_ref());
    // The handler lives as long as the worker.
    on_message.forget();
    post(
        &FromWorker::Ready {
            webgpu: super::gpu::has_webgpu(),
            clock_ms: now_ms(),
        },
        &[],
    );
}

fn stop_below(ticket: u64) {
    STOP_BELOW.with(|s| s.set(s.get().max(ticket)));
}

fn stop_asked(ticket: u64) -> bool {
    STOP_BELOW.with(|s| ticket < s.get())
}

/// A message's text and byte parts: `data` is the text, or `[text, bytes...]`.
pub(super) fn split_message(data: &JsValue) -> (Option<String>, Vec<Vec<u8>>) {
    if let Some(text) = data.as_string() {
        return (Some(text), Vec::new());
    }
    if Array::is_array(data) {
        let parts: &Array = data.unchecked_ref();
        let bytes = (1..parts.length())
            .filter_map(|i| parts.get(i).dyn_into::<Uint8Array>().ok())
            .map(|b| b.to_vec())
            .collect();
        return (parts.get(0).as_string(), bytes);
    }
    (None, Vec::new())
}

/// `text`, or `[text, bytes...]` with the bytes' buffers listed for transfer.
pub(super) fn join_message(text: &str, parts: &[&[u8]]) -> (JsValue, Option<Array>) {
    if parts.is_empty() {
        return (JsValue::from_str(text), None);
    }
    let message = Array::of1(&JsValue::from_str(text));
    let transfer = Array::new();
    for p in parts {
        let array = Uint8Array::from(*p);
        transfer.push(&array.buffer());
        message.push(&array);
    }
    (message.into(), Some(transfer))
}

/// Does `request` and posts the answer.
async fn answer(request: ToWorker, mut parts: Vec<Vec<u8>>) {
    match request {
        ToWorker::Replay { link } => {
            let reply = match replay(&link).await {
                Ok(done) => done,
                Err(message) => FromWorker::Failed {
                    message,
                    ticket: None,
                },
            };
            post(&reply, &[]);
        }
        ToWorker::Train {
            ticket,
            user_text,
            record_only,
        } => {
            let files = parts.split_off(parts.len().min(1));
            let run = parts.pop().unwrap_or_default();
            let data = RunData { files, user_text };
            if let Err(message) = train(ticket, run, data, record_only).await {
                post(
                    &FromWorker::Failed {
                        message,
                        ticket: Some(ticket),
                    },
                    &[],
                );
            }
        }
        ToWorker::Time {
            ticket,
            link,
            user_text,
            ms,
        } => {
            let data = RunData {
                files: parts,
                user_text,
            };
            let reply = match time(&link, data, ms).await {
                Ok((steps, took)) => FromWorker::Timed {
                    ticket,
                    steps,
                    ms: took,
                    error: None,
                },
                Err(message) => FromWorker::Timed {
                    ticket,
                    steps: 0,
                    ms: 0.0,
                    error: Some(message),
                },
            };
            post(&reply, &[]);
        }
        // Taken in the message handler.
        ToWorker::Stop { .. } => {}
    }
}

/// What travels with a run to the worker: the page's files of its data set (none: the
/// worker downloads them) and the person's own text when the run is on it.
pub struct RunData {
    /// The files of the run's data set, as the page downloaded them.
    pub files: Vec<Vec<u8>>,
    /// The person's own text.
    pub user_text: Option<String>,
}

impl RunData {
    /// The page's data for a run of `config`.
    pub fn of(config: &ExperimentConfig) -> RunData {
        let files = super::data_fetch::fetched_set(config)
            .and_then(super::data_fetch::kept_files)
            .unwrap_or_default();
        let user_text = (config.data == DataSource::Text(TextSet::User))
            .then(user_text)
            .flatten()
            .map(str::to_string);
        RunData { files, user_text }
    }
}

/// Makes `config`'s data available here (the page's `files` of its set, downloaded here
/// when there are none, or the person's text) after the page's own cost gate: a run
/// past the CPU backend's ceiling is refused with the cost model's message.
async fn provide_data(config: &ExperimentConfig, data: RunData) -> Result<(), String> {
    let RunData { files, user_text } = data;
    let (cost, verdict) = assess(config, &super::driver::ceiling_for(&Device::Cpu, config));
    if !verdict.may_start() {
        return Err(verdict.message(&cost));
    }
    if let Some(text) = user_text {
        crate::data::text::provide_user_text(&text, config.context)?;
    }
    if let Some(set) = super::data_fetch::missing_set(config) {
        match files.is_empty() {
            true => super::data_fetch::fetch_set(set).await?,
            false => super::data_fetch::provide_files(set, &files)?,
        }
    }
    Ok(())
}

/// Continues the saved run in `bytes` until its budget ends, a stop comes or a step
/// fails, posting its state every [`POST_EVERY_MS`] and at the end; first records the
/// history point due at its step, if one is (with `record_only`, only that). Errs when
/// the run cannot be built here (nothing was trained then).
async fn train(
    ticket: u64,
    bytes: Vec<u8>,
    data: RunData,
    record_only: bool,
) -> Result<(), String> {
    let saved = decode_saved_run(&bytes).map_err(|e| e.to_string())?;
    let config = saved.config().map_err(|e| e.to_string())?;
    provide_data(&config, data).await?;
    let mut runner =
        Runner::restore(config, Device::Cpu, &saved.snapshot).map_err(|e| e.to_string())?;
    if runner.record_due() {
        if let Err(e) = runner.record().await {
            post_state(ticket, &runner, true, Some(&e)).await;
            return Ok(());
        }
    }
    if record_only {
        post_state(ticket, &runner, true, None).await;
        return Ok(());
    }
    let mut posted = now_ms();
    loop {
        let chunk = now_ms();
        let mut failed = None;
        while !runner.is_done() && !stop_asked(ticket) && now_ms() - chunk < CHUNK_MS {
            if let Err(e) = runner.step() {
                failed = Some(e);
                break;
            }
            // A history point exactly where the runner's own loop records one.
            if runner.record_due() {
                if let Err(e) = runner.record().await {
                    failed = Some(e);
                    break;
                }
            }
        }
        let last = failed.is_some() || runner.is_done() || stop_asked(ticket);
        if last || now_ms() - posted >= POST_EVERY_MS {
            post_state(ticket, &runner, last, failed.as_ref()).await;
            posted = now_ms();
        }
        if last {
            return Ok(());
        }
        yield_now().await;
    }
}

/// Steps of a fresh run of `link`'s experiment on the CPU backend, and the milliseconds
/// they took: one untimed warm-up step, then steps until `ms` have passed (at least one).
async fn time(link: &str, data: RunData, ms: f64) -> Result<(u64, f64), String> {
    let config = decode_link(link).map_err(|e| e.to_string())?.config;
    provide_data(&config, data).await?;
    let mut runner = Runner::new(config, Device::Cpu).map_err(|e| e.to_string())?;
    runner.step().map_err(|e| e.to_string())?;
    let t0 = now_ms();
    let mut steps = 0;
    // As the page times it: past the run's budget too (a step does not look at it).
    while now_ms() - t0 < ms || steps == 0 {
        runner.step().map_err(|e| e.to_string())?;
        steps += 1;
    }
    Ok((steps, now_ms() - t0))
}

/// Posts `runner`'s whole state as a saved run.
async fn post_state(ticket: u64, runner: &Runner, last: bool, failed: Option<&Error>) {
    let bytes = match runner.snapshot().await {
        Ok(s) => encode_saved_run(runner.config(), &s, 0.0),
        Err(e) => Err(e),
    };
    let error = failed.map(TrainError::of);
    match bytes {
        Ok(b) => post(
            &FromWorker::Trained {
                ticket,
                step: runner.step_count(),
                last,
                error,
            },
            &[&b],
        ),
        Err(e) => post(
            &FromWorker::Failed {
                message: format!("the run's state could not be written: {e}"),
                ticket: Some(ticket),
            },
            &[],
        ),
    }
}

/// Trains `link`'s replay on the CPU backend to its end and hashes the weights file.
async fn replay(link: &str) -> Result<FromWorker, String> {
    let t0 = now_ms();
    let decoded = decode_link(link).map_err(|e| e.to_string())?;
    if decoded.steps.is_none() {
        return Err("the link has no run=N to replay".into());
    }
    let config = decoded.replay_config();
    // The page's own gate (a hostile link cannot make the worker allocate gigabytes);
    // data the page fetches on demand is fetched here too (relative URLs resolve as in
    // the page: this worker's script sits next to index.html).
    let none = RunData {
        files: Vec::new(),
        user_text: None,
    };
    provide_data(&config, none).await?;
    let mut runner = Runner::new(config.clone(), Device::Cpu).map_err(|e| e.to_string())?;
    if let Some(w) = &decoded.weights {
        runner.load_weights(w).map_err(|e| e.to_string())?;
    }
    // The CLI's loop (`Runner::run`): a point at the start, at each due step and at the end.
    runner.record().await.map_err(|e| e.to_string())?;
    while !runner.is_done() {
        let chunk = now_ms();
        while !runner.is_done() && now_ms() - chunk < CHUNK_MS {
            runner.step().map_err(|e| e.to_string())?;
            if runner.record_due() {
                runner.record().await.map_err(|e| e.to_string())?;
            }
        }
        yield_now().await;
    }
    let steps = runner.step_count();
    let weights = runner.weights().await.map_err(|e| e.to_string())?;
    let bytes =
        to_safetensors(&weights, &hash_config(&config, steps)).map_err(|e| e.to_string())?;
    Ok(FromWorker::Replayed {
        steps,
        hash: sha256_hex(&bytes),
        ms: now_ms() - t0,
    })
}

/// Lets the worker's event loop run (messages arrive) before training goes on.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Posts `message` to the page as JSON text, with its byte parts.
fn post(message: &FromWorker, bytes: &[&[u8]]) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    let Some(f) = global_property("postMessage").and_then(|f| f.dyn_into::<Function>().ok()) else {
        return;
    };
    let (data, transfer) = join_message(&text, bytes);
    let _ = match transfer {
        Some(t) => f.call2(&js_sys::global(), &data, &t),
        None => f.call1(&js_sys::global(), &data),
    };
}
