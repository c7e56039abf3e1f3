//! The page's side of the training worker ([`super::worker`]): starts it once, when the
//! driver first wants it (a CPU run whose steps are long) or at load with
//! `?driver=worker`, and keeps what it answers for the driver to collect.
//!
//! With `?driver=worker` the page also says what the worker did through
//! `window.__gradlabWorker` (`state`, `ready`, `replays`, `replay(link)`, `trained`:
//! how many states of the page's runs it has posted, `timed`: how many timings it has
//! answered), which the e2e tests read. A worker
//! that cannot start leaves a console warning and the page trains in the page.

use super::worker::{join_message, split_message, FromWorker, RunData, ToWorker, TrainError};
use crate::platform::{global_property, now_ms};
use js_sys::{Function, Object, Reflect};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Longest wait for the worker to load its module and answer.
const START_WAIT_MS: f64 = 20_000.0;

/// A state of one of the page's runs, posted by the worker.
pub struct Trained {
    /// The training it belongs to.
    pub ticket: u64,
    /// Its last state (budget ended, stopped, or failed).
    pub last: bool,
    /// Why it ended early.
    pub error: Option<TrainError>,
    /// The run as saved-run bytes; empty when the training could not start
    /// (`error` then says why).
    pub bytes: Vec<u8>,
}

/// A timing's answer: steps timed and the milliseconds they took, or why the experiment
/// could not be timed in the worker.
pub type WorkerTiming = Result<(u64, f64), String>;

/// Where the worker stands.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkerState {
    /// Loading its module.
    Starting,
    /// Answering.
    Ready,
    /// It could not start or stopped answering; the page trains in the page.
    Failed(String),
}

/// The page's handle on its training worker.
pub struct TrainWorker {
    worker: JsValue,
    /// When it was created (ms).
    created_ms: f64,
    state: RefCell<WorkerState>,
    inbox: RefCell<VecDeque<Trained>>,
    /// Timings answered and not yet taken, with their tickets.
    timings: RefCell<Vec<(u64, WorkerTiming)>>,
    /// `window.__gradlabWorker`, when the address asked for it.
    hook: Option<Object>,
}

thread_local! {
    static SHARED: RefCell<Option<Rc<TrainWorker>>> = const { RefCell::new(None) };
}

/// The page's worker, started on the first call; `None` where no worker can start
/// (no Web Workers, no glue URLs), which is said once in the console.
pub fn shared() -> Option<Rc<TrainWorker>> {
    if let Some(w) = SHARED.with(|s| s.borrow().clone()) {
        return Some(w);
    }
    let hook = asked_by_address().then(|| {
        let hook = Object::new();
        let _ = Reflect::set(&hook, &"state".into(), &"starting".into());
        let _ = Reflect::set(&js_sys::global(), &"__gradlabWorker".into(), &hook);
        hook
    });
    match create() {
        Ok(worker) => {
            let w = Rc::new(TrainWorker {
                worker,
                created_ms: now_ms(),
                state: RefCell::new(WorkerState::Starting),
                inbox: RefCell::new(VecDeque::new()),
                timings: RefCell::new(Vec::new()),
                hook,
            });
            wire(&w);
            SHARED.with(|s| *s.borrow_mut() = Some(w.clone()));
            Some(w)
        }
        Err(why) => {
            if let Some(hook) = &hook {
                mark_failed(hook, &why);
            }
            warn(&why);
            None
        }
    }
}

/// Whether the address asks for the worker (`?driver=worker`), and so for every CPU run
/// to train there.
pub fn asked_by_address() -> bool {
    address_driver().as_deref() == Some("worker")
}

/// The `driver=` of the address's query, if any (`worker` or `page`).
pub fn address_driver() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("driver="))
        .map(str::to_string)
}

/// Starts the worker at load when the address asks for it.
pub fn start_if_asked() {
    if asked_by_address() {
        let _ = shared();
    }
}

impl TrainWorker {
    /// Where the worker stands. One that has not started within [`START_WAIT_MS`]
    /// counts as failed.
    pub fn state(&self) -> WorkerState {
        let state = self.state.borrow().clone();
        if state == WorkerState::Starting && now_ms() - self.created_ms > START_WAIT_MS {
            self.fail("it did not start within 20 s");
            return self.state();
        }
        state
    }

    /// Sends the run in `saved_run` (saved-run bytes) to train as `ticket` (with
    /// `record_only`, only to record the history point due at its step), with the
    /// page's `files` of its data set (none: the worker downloads them) and the
    /// person's own text when the run is on it.
    pub fn train(
        &self,
        ticket: u64,
        saved_run: &[u8],
        data: RunData,
        record_only: bool,
    ) -> Result<(), String> {
        let mut parts: Vec<&[u8]> = vec![saved_run];
        parts.extend(data.files.iter().map(Vec::as_slice));
        let message = ToWorker::Train {
            ticket,
            user_text: data.user_text,
            record_only,
        };
        self.send(&message, &parts)
    }

    /// Asks for a timing of `link`'s experiment on the CPU backend, `ms` milliseconds of
    /// steps, as `ticket` (its answer: [`TrainWorker::take_timing`]); the data travels
    /// as for [`TrainWorker::train`].
    pub fn time(&self, ticket: u64, link: String, data: RunData, ms: f64) -> Result<(), String> {
        let parts: Vec<&[u8]> = data.files.iter().map(Vec::as_slice).collect();
        let message = ToWorker::Time {
            ticket,
            link,
            user_text: data.user_text,
            ms,
        };
        self.send(&message, &parts)
    }

    /// The answer to timing `ticket` once it has come: steps timed and milliseconds,
    /// or why the experiment could not be timed in the worker.
    pub fn take_timing(&self, ticket: u64) -> Option<WorkerTiming> {
        let mut timings = self.timings.borrow_mut();
        let at = timings.iter().position(|(t, _)| *t == ticket)?;
        Some(timings.remove(at).1)
    }

    /// Asks training `ticket` to end (its last state follows).
    pub fn stop(&self, ticket: u64) {
        if let Err(why) = self.send(&ToWorker::Stop { ticket }, &[]) {
            self.fail(&why);
        }
    }

    /// Everything the worker has posted about the page's runs since the last call.
    pub fn take(&self) -> Vec<Trained> {
        self.inbox.borrow_mut().drain(..).collect()
    }

    /// Marks the worker failed (the page trains in the page from then on).
    pub fn fail(&self, why: &str) {
        *self.state.borrow_mut() = WorkerState::Failed(why.to_string());
        if let Some(hook) = &self.hook {
            mark_failed(hook, why);
        }
        warn(why);
    }

    fn send(&self, message: &ToWorker, bytes: &[&[u8]]) -> Result<(), String> {
        let text = serde_json::to_string(message).map_err(|e| e.to_string())?;
        let (data, transfer) = join_message(&text, bytes);
        let post: Function = Reflect::get(&self.worker, &"postMessage".into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or("the worker has no postMessage")?;
        match transfer {
            Some(t) => post.call2(&self.worker, &data, &t),
            None => post.call1(&self.worker, &data),
        }
        .map(|_| ())
        .map_err(|e| format!("postMessage failed: {e:?}"))
    }

    /// One answer of the worker.
    fn receive(self: &Rc<Self>, data: &JsValue) {
        let (text, mut parts) = split_message(data);
        let text = text.unwrap_or_default();
        let parsed = match serde_json::from_str::<FromWorker>(&text) {
            Ok(p) => p,
            Err(e) => {
                self.fail(&format!("an unreadable answer from the worker: {e}"));
                return;
            }
        };
        match parsed {
            FromWorker::Ready { .. } => {
                *self.state.borrow_mut() = WorkerState::Ready;
                if let Some(hook) = &self.hook {
                    self.offer_replay(hook, &text);
                }
            }
            FromWorker::Trained {
                ticket,
                last,
                error,
                ..
            } => {
                self.inbox.borrow_mut().push_back(Trained {
                    ticket,
                    last,
                    error,
                    bytes: parts.pop().unwrap_or_default(),
                });
                self.count("trained");
            }
            FromWorker::Timed {
                ticket,
                steps,
                ms,
                error,
            } => {
                let answer = match error {
                    Some(why) => Err(why),
                    None => Ok((steps, ms)),
                };
                self.timings.borrow_mut().push((ticket, answer));
                self.count("timed");
            }
            FromWorker::Failed {
                message,
                ticket: Some(ticket),
            } => self.inbox.borrow_mut().push_back(Trained {
                ticket,
                last: true,
                error: Some(TrainError {
                    message,
                    non_finite: None,
                }),
                bytes: Vec::new(),
            }),
            FromWorker::Replayed { .. } | FromWorker::Failed { ticket: None, .. } => {
                if let Some(list) = self
                    .hook
                    .as_ref()
                    .and_then(|h| Reflect::get(h, &"replays".into()).ok())
                {
                    let value = js_sys::JSON::parse(&text).unwrap_or_default();
                    let _ = call(&list, "push", &value);
                }
            }
        }
    }

    /// Counts one more `what` in `window.__gradlabWorker`, when the address asked for it.
    fn count(&self, what: &str) {
        if let Some(hook) = &self.hook {
            let n = Reflect::get(hook, &what.into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            let _ = Reflect::set(hook, &what.into(), &(n + 1.0).into());
        }
    }

    /// Marks `hook` ready and offers `hook.replay(link)` (answers land in `hook.replays`).
    fn offer_replay(self: &Rc<Self>, hook: &Object, ready_text: &str) {
        let value = js_sys::JSON::parse(ready_text).unwrap_or_default();
        let _ = Reflect::set(hook, &"state".into(), &"ready".into());
        let _ = Reflect::set(hook, &"ready".into(), &value);
        let _ = Reflect::set(hook, &"replays".into(), &js_sys::Array::new());
        let me = self.clone();
        let replay = Closure::<dyn FnMut(String)>::new(move |link: String| {
            if let Err(why) = me.send(&ToWorker::Replay { link }, &[]) {
                me.fail(&why);
            }
        });
        let _ = Reflect::set(hook, &"replay".into(), replay.as_ref());
        replay.forget();
    }
}

/// Creates the module worker and sends it the glue's URLs.
fn create() -> Result<JsValue, String> {
    // boot.js keeps the glue's and the module's absolute URLs for the worker.
    let glue = global_property("__gradlabGlue").ok_or("the boot script left no glue URLs")?;
    let constructor: Function = global_property("Worker")
        .and_then(|w| w.dyn_into().ok())
        .ok_or("this browser has no Web Workers")?;
    let options = Object::new();
    let _ = Reflect::set(&options, &"type".into(), &"module".into());
    let script = Reflect::get(&glue, &"worker".into()).map_err(|_| "no worker URL")?;
    let args = js_sys::Array::of2(&script, &options);
    let worker = Reflect::construct(&constructor, &args)
        .map_err(|e| format!("the worker could not be created: {e:?}"))?;
    let init = Object::new();
    for key in ["js", "wasm"] {
        let _ = Reflect::set(
            &init,
            &key.into(),
            &Reflect::get(&glue, &key.into()).unwrap_or_default(),
        );
    }
    call(&worker, "postMessage", &init)?;
    Ok(worker)
}

/// Routes the worker's messages and errors to `w`.
fn wire(w: &Rc<TrainWorker>) {
    let on_message = {
        let w = w.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let data = Reflect::get(&event, &"data".into()).unwrap_or_default();
            w.receive(&data);
        })
    };
    let on_error = {
        let w = w.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let message = Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "the worker failed".into());
            w.fail(&message);
        })
    };
    let _ = Reflect::set(&w.worker, &"onmessage".into(), on_message.as_ref());
    let _ = Reflect::set(&w.worker, &"onerror".into(), on_error.as_ref());
    // Both live as long as the page.
    on_message.forget();
    on_error.forget();
}

/// Calls method `name` of `target` with one argument.
fn call(target: &JsValue, name: &str, arg: &JsValue) -> Result<(), String> {
    let f: Function = Reflect::get(target, &name.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| format!("no {name}"))?;
    f.call1(target, arg)
        .map(|_| ())
        .map_err(|e| format!("{name} failed: {e:?}"))
}

fn mark_failed(hook: &Object, why: &str) {
    let _ = Reflect::set(hook, &"state".into(), &"failed".into());
    let _ = Reflect::set(hook, &"error".into(), &JsValue::from_str(why));
}

fn warn(why: &str) {
    web_sys::console::warn_1(
        &format!("gradlab: no training worker ({why}); training stays in the page").into(),
    );
}
