//! Training in a dedicated Web Worker: the first part of moving the training driver off
//! the page's main thread (issue 12). The SAME wasm module and JS glue the page runs are
//! instantiated in a module worker (`www/train_worker.js`, copied next to index.html so
//! relative URLs resolve as in the page), which calls [`worker_main`] instead of
//! mounting the app (`main` mounts only where there is a window).
//!
//! What runs in the worker today: a link's `run=N` replay on the CPU backend (its data
//! downloaded first when the page fetches it on demand), trained in chunks that yield
//! to the worker's event loop, answered with its `weights_sha256`
//! (the file the CLI hashes). The page's training driver still runs in the page
//! (`driver.rs`); the worker starts only when the page is opened with `?driver=worker`,
//! and says what it did through `window.__gradlabWorker` (read by the e2e tests).

use super::links::hash_config;
use crate::experiment::{assess, decode_link, sha256_hex, to_safetensors, Runner};
use crate::platform::{global_property, now_ms, set_timeout};
use crate::Device;
use js_sys::{Function, Object, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Milliseconds of training between two yields to the worker's event loop (messages
/// from the page are read between chunks).
const CHUNK_MS: f64 = 15.0;

/// A message from the page to the worker.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Replay `link` (an experiment link with `run=N`) on the CPU backend.
    Replay {
        /// The link, as the address bar holds it (`#v=1&...`).
        link: String,
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
    /// A request could not be done.
    Failed {
        /// Why.
        message: String,
    },
}

/// The worker's entry point (called by `www/train_worker.js` once the module is
/// instantiated): answers the page's messages and says it is ready.
pub fn worker_main() {
    let on_message = Closure::<dyn FnMut(JsValue)>::new(|event: JsValue| {
        let data = Reflect::get(&event, &"data".into())
            .ok()
            .and_then(|d| d.as_string());
        match data.map(|d| serde_json::from_str::<ToWorker>(&d)) {
            Some(Ok(request)) => crate::platform::spawn(answer(request)),
            Some(Err(e)) => post(&FromWorker::Failed {
                message: format!("unreadable request: {e}"),
            }),
            None => post(&FromWorker::Failed {
                message: "a request that is not text".into(),
            }),
        }
    });
    let _ = Reflect::set(&js_sys::global(), &"onmessage".into(), on_message.as_ref());
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromWorker::Ready {
        webgpu: super::gpu::has_webgpu(),
        clock_ms: now_ms(),
    });
}

/// Does `request` and posts the answer.
async fn answer(request: ToWorker) {
    let reply = match request {
        ToWorker::Replay { link } => match replay(&link).await {
            Ok(done) => done,
            Err(message) => FromWorker::Failed { message },
        },
    };
    post(&reply);
}

/// Trains `link`'s replay on the CPU backend to its end and hashes the weights file.
async fn replay(link: &str) -> Result<FromWorker, String> {
    let t0 = now_ms();
    let decoded = decode_link(link).map_err(|e| e.to_string())?;
    if decoded.steps.is_none() {
        return Err("the link has no run=N to replay".into());
    }
    let config = decoded.replay_config();
    // The page's own gate: a link past the CPU backend's ceiling is refused before
    // anything is built, with the cost model's message (a hostile link cannot make the
    // worker allocate gigabytes).
    let (cost, verdict) = assess(&config, &super::driver::ceiling_for(&Device::Cpu, &config));
    if !verdict.may_start() {
        return Err(verdict.message(&cost));
    }
    // Data the page fetches on demand is fetched here too (relative URLs resolve as in
    // the page: this worker's script sits next to index.html).
    if let Some(set) = super::data_fetch::missing_set(&config) {
        super::data_fetch::fetch_set(set).await?;
    }
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

/// Posts `message` to the page as JSON text.
fn post(message: &FromWorker) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    if let Some(f) = global_property("postMessage").and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = f.call1(&js_sys::global(), &JsValue::from_str(&text));
    }
}

/// The page's side: starts the worker when the address asks for it (`?driver=worker`)
/// and keeps what it answers in `window.__gradlabWorker` (`state`, `ready`, `replays`).
/// A worker that cannot start leaves a console warning and `state: 'failed'`.
pub fn start_if_asked() {
    let asked = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|s| s.contains("driver=worker"));
    if !asked {
        return;
    }
    let hook = Object::new();
    let _ = Reflect::set(&hook, &"state".into(), &"starting".into());
    let _ = Reflect::set(&js_sys::global(), &"__gradlabWorker".into(), &hook);
    if let Err(why) = start(&hook) {
        fail(&hook, &why);
    }
}

/// Creates the module worker and wires its messages to `hook`.
fn start(hook: &Object) -> Result<(), String> {
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
    let on_message = {
        let hook = hook.clone();
        let worker = worker.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let text = Reflect::get(&event, &"data".into())
                .ok()
                .and_then(|d| d.as_string())
                .unwrap_or_default();
            on_worker_message(&hook, &worker, &text);
        })
    };
    let on_error = {
        let hook = hook.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let message = Reflect::get(&event, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "the worker failed to start".into());
            fail(&hook, &message);
        })
    };
    let _ = Reflect::set(&worker, &"onmessage".into(), on_message.as_ref());
    let _ = Reflect::set(&worker, &"onerror".into(), on_error.as_ref());
    // Both live as long as the page.
    on_message.forget();
    on_error.forget();
    let init = Object::new();
    let _ = Reflect::set(
        &init,
        &"js".into(),
        &Reflect::get(&glue, &"js".into()).unwrap_or_default(),
    );
    let _ = Reflect::set(
        &init,
        &"wasm".into(),
        &Reflect::get(&glue, &"wasm".into()).unwrap_or_default(),
    );
    call(&worker, "postMessage", &init)
}

/// Applies one answer of the worker to `hook`; once ready, the worker is offered in
/// `hook.replay(link)` (the answer lands in `hook.replays`).
fn on_worker_message(hook: &Object, worker: &JsValue, text: &str) {
    let parsed = serde_json::from_str::<FromWorker>(text);
    let value = js_sys::JSON::parse(text).unwrap_or_default();
    match parsed {
        Ok(FromWorker::Ready { .. }) => {
            let _ = Reflect::set(hook, &"state".into(), &"ready".into());
            let _ = Reflect::set(hook, &"ready".into(), &value);
            let _ = Reflect::set(hook, &"replays".into(), &js_sys::Array::new());
            let worker = worker.clone();
            let replay = Closure::<dyn FnMut(String)>::new(move |link: String| {
                let request = ToWorker::Replay { link };
                if let Ok(text) = serde_json::to_string(&request) {
                    let _ = call(&worker, "postMessage", &JsValue::from_str(&text));
                }
            });
            let _ = Reflect::set(hook, &"replay".into(), replay.as_ref());
            replay.forget();
        }
        Ok(_) => {
            if let Ok(list) = Reflect::get(hook, &"replays".into()) {
                let _ = call(&list, "push", &value);
            }
        }
        Err(e) => fail(hook, &format!("an unreadable answer from the worker: {e}")),
    }
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

/// Marks the worker failed in `hook` and warns in the console (the page trains in
/// the page, as it does without a worker).
fn fail(hook: &Object, why: &str) {
    let _ = Reflect::set(hook, &"state".into(), &"failed".into());
    let _ = Reflect::set(hook, &"error".into(), &JsValue::from_str(why));
    web_sys::console::warn_1(
        &format!("gradlab: no training worker ({why}); training stays in the page").into(),
    );
}
