//! When the page saves its run, and the saved run it found at load.
//!
//! The driver hands the saver a host snapshot of the run after a readback when one is
//! due ([`Saver::due`], [`Saver::keep`]): at every readback for a small model, at most
//! once a second for a large one (a snapshot copies the weights and the optimizer
//! state), and always when training stops. The newest snapshot is written to IndexedDB
//! every [`SAVE_EVERY_MS`] while training, at once when training has stopped, and when
//! the page is hidden or left (`visibilitychange`, `pagehide`), so a reload loses at
//! most the steps since the last readback (a second for a large model). Nothing is
//! written while the run has not changed (same run, same step), nor a run at step 0.

use super::{Offer, ResumeNotice, ResumeView, SavedMark};
use crate::experiment::{
    decode_saved_run, encode_saved_run, saved_run_bytes, ExperimentConfig, SavedRun, Snapshot,
};
use crate::platform::idb::RunStore;
use crate::ui::state::{Cmd, Lab};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{closure::Closure, JsCast};

/// Milliseconds between writes to IndexedDB while training.
pub const SAVE_EVERY_MS: f64 = 3000.0;
/// Milliseconds between snapshots of a large run while training.
const LARGE_SNAPSHOT_EVERY_MS: f64 = 1000.0;
/// A saved run above this size (bytes) counts as large.
const LARGE_SAVE_BYTES: u64 = 1 << 20;

/// A snapshot waiting to be written (or written: kept for comparison).
struct Pending {
    config: ExperimentConfig,
    snapshot: Snapshot,
    written: bool,
}

/// What the saver shares with the page's `pagehide`/`visibilitychange` handlers.
struct Shared {
    lab: Lab,
    store: Option<Rc<RunStore>>,
    pending: Option<Pending>,
    /// A write is in flight (the next waits for it, except when the page goes away).
    writing: bool,
}

/// The driver's saver (see the module docs).
pub struct Saver {
    shared: Rc<RefCell<Shared>>,
    /// The saved run found at load, until it is resumed or discarded.
    offer: Option<SavedRun>,
    /// Saving waits while an offer is open, until the person trains something else.
    holding: bool,
    /// A link's replay held back while the offer is open (started on discard).
    pub held_replay: bool,
    /// `(run, step)` of the newest snapshot taken.
    kept: Option<(u64, u64)>,
    last_taken: f64,
    last_written: f64,
}

fn notice(lab: &Lab, template: &'static str, detail: String) {
    lab.resume
        .update(|r| r.notice = Some(ResumeNotice { template, detail }));
}

impl Saver {
    /// A saver with no store yet (see [`Saver::start`]).
    pub fn new(lab: Lab) -> Saver {
        Saver {
            shared: Rc::new(RefCell::new(Shared {
                lab,
                store: None,
                pending: None,
                writing: false,
            })),
            offer: None,
            holding: false,
            held_replay: false,
            kept: None,
            last_taken: f64::NEG_INFINITY,
            last_written: f64::NEG_INFINITY,
        }
    }

    /// Opens the store, listens for the page being hidden or left, and reads the saved
    /// run, if any: a readable one becomes the offer (compared with the link waiting
    /// in the command queue, if any); an unreadable one is discarded with a notice.
    pub async fn start(&mut self) {
        let lab = self.shared.borrow().lab;
        let store = match RunStore::open().await {
            Ok(s) => Rc::new(s),
            Err(e) => {
                notice(
                    &lab,
                    "Runs cannot be saved for a reload in this browser ({detail}); training works as usual.",
                    e,
                );
                return;
            }
        };
        self.shared.borrow_mut().store = Some(store.clone());
        listen_for_leaving(&self.shared);
        let bytes = match store.get().await {
            Ok(Some(b)) => b,
            Ok(None) => return,
            Err(e) => return discard_unreadable(&lab, &store, e).await,
        };
        let saved = match decode_saved_run(&bytes) {
            Ok(s) => s,
            Err(e) => return discard_unreadable(&lab, &store, e.to_string()).await,
        };
        let config = match saved.config() {
            Ok(c) => c,
            Err(e) => return discard_unreadable(&lab, &store, e.to_string()).await,
        };
        let address = lab.commands.with_value(|q| {
            q.iter().find_map(|c| match c {
                Cmd::OpenLink(l) => Some(l.config.clone()),
                _ => None,
            })
        });
        let same = |a: &ExperimentConfig| {
            ExperimentConfig {
                backend: config.backend,
                ..a.clone()
            } == config
        };
        let offer = Offer {
            step: saved.snapshot.step,
            saved_at_ms: saved.saved_at_ms,
            matches_address: address.as_ref().map(same),
            label: crate::ui::links::matching_preset(&config),
        };
        lab.resume.update(|r| r.offer = Some(offer));
        self.offer = Some(saved);
        self.holding = true;
    }

    /// True while an offer is open and nothing else was trained: nothing is saved (the
    /// saved run must not be replaced before the person chose).
    pub fn holding(&self) -> bool {
        self.holding
    }

    /// Training (re)started: a run trained with the offer still open is saved as usual
    /// (the offer, kept in memory, can still be resumed).
    pub fn training_started(&mut self) {
        self.holding = false;
    }

    /// The configuration of the saved run on offer, if one is open and readable.
    pub fn offer_config(&self) -> Option<ExperimentConfig> {
        self.offer.as_ref().and_then(|s| s.config().ok())
    }

    /// Takes the offer (to resume it): the offer closes.
    pub fn take_offer(&mut self) -> Option<SavedRun> {
        self.holding = false;
        self.held_replay = false;
        self.shared.borrow().lab.resume.update(|r| r.offer = None);
        self.offer.take()
    }

    /// Discards the offer and the saved run. Returns whether a replay was held back.
    pub async fn discard(&mut self) -> bool {
        let lab = self.shared.borrow().lab;
        lab.resume.update(|r| r.offer = None);
        self.offer = None;
        self.holding = false;
        let store = self.shared.borrow().store.clone();
        if let Some(store) = store {
            if let Err(e) = store.clear().await {
                notice(&lab, "The saved run could not be removed ({detail}).", e);
            }
        }
        std::mem::take(&mut self.held_replay)
    }

    /// Whether a snapshot of run `key` (`(run, step)`) should be taken now: the store
    /// works, nothing is held, the run changed since the last one and trained, and
    /// (while training) enough time passed for a large model.
    pub fn due(&self, config: &ExperimentConfig, key: (u64, u64), running: bool, now: f64) -> bool {
        let has_store = self.shared.borrow().store.is_some();
        let every = if saved_run_bytes(config) > LARGE_SAVE_BYTES {
            LARGE_SNAPSHOT_EVERY_MS
        } else {
            0.0
        };
        has_store
            && !self.holding
            && key.1 > 0
            && self.kept != Some(key)
            && (!running || now - self.last_taken >= every)
    }

    /// Keeps `snapshot` of `config` (run `key`) as the newest state (written by
    /// [`Saver::flush`]).
    pub fn keep(
        &mut self,
        config: ExperimentConfig,
        snapshot: Snapshot,
        key: (u64, u64),
        now: f64,
    ) {
        self.kept = Some(key);
        self.last_taken = now;
        self.shared.borrow_mut().pending = Some(Pending {
            config,
            snapshot,
            written: false,
        });
    }

    /// Writes the newest state if it is not written yet and a write is due: at once
    /// when training has stopped, every [`SAVE_EVERY_MS`] while it trains.
    pub fn flush(&mut self, running: bool, now: f64) {
        let unwritten = self
            .shared
            .borrow()
            .pending
            .as_ref()
            .is_some_and(|p| !p.written);
        if self.holding || !unwritten {
            return;
        }
        if !running || now - self.last_written >= SAVE_EVERY_MS {
            self.last_written = now;
            write_pending(&self.shared, false);
        }
    }
}

/// A saved run that cannot be read: removed, with a notice saying why.
async fn discard_unreadable(lab: &Lab, store: &RunStore, why: String) {
    // Removed first, so the notice never shows while the run is still there.
    let _ = store.clear().await;
    notice(
        lab,
        "The run saved in this browser could not be read ({detail}), so it was discarded.",
        why,
    );
}

/// Writes the newest snapshot if it is not written yet. `leaving`: the page is being
/// hidden or left, so it is written even while another write is in flight.
fn write_pending(shared: &Rc<RefCell<Shared>>, leaving: bool) {
    let mut s = shared.borrow_mut();
    if s.writing && !leaving {
        // Written when the write in flight finishes.
        return;
    }
    let (lab, store) = (s.lab, s.store.clone());
    let Some(store) = store else {
        return;
    };
    let Some(p) = s.pending.as_mut().filter(|p| !p.written) else {
        return;
    };
    p.written = true;
    let step = p.snapshot.step;
    let bytes = match encode_saved_run(&p.config, &p.snapshot, js_sys::Date::now()) {
        Ok(b) => b,
        Err(e) => {
            drop(s);
            return notice(
                &lab,
                "The run could not be saved for a reload ({detail}); training goes on.",
                e.to_string(),
            );
        }
    };
    let done = match store.put(&bytes) {
        Ok(done) => done,
        Err(e) => {
            drop(s);
            return notice(
                &lab,
                "The run could not be saved for a reload ({detail}); training goes on.",
                e,
            );
        }
    };
    s.writing = true;
    drop(s);
    let shared = shared.clone();
    let size = bytes.len();
    crate::platform::spawn(async move {
        let outcome = done.await;
        shared.borrow_mut().writing = false;
        match outcome {
            Ok(()) => lab
                .resume
                .update(|r: &mut ResumeView| r.saved = Some(SavedMark { step, bytes: size })),
            Err(e) => notice(
                &lab,
                "The run could not be saved for a reload ({detail}); training goes on.",
                e,
            ),
        }
        write_pending(&shared, false);
    });
}

/// Writes the newest snapshot when the page is hidden (`visibilitychange`) or left
/// (`pagehide`): the driver does not run in a hidden page, so this is the last chance.
fn listen_for_leaving(shared: &Rc<RefCell<Shared>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_leave = {
        let shared = shared.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if e.type_() == "pagehide" || hidden {
                write_pending(&shared, true);
            }
        })
    };
    let f = on_leave.as_ref().unchecked_ref();
    let _ = window.add_event_listener_with_callback("pagehide", f);
    if let Some(doc) = window.document() {
        let _ = doc.add_event_listener_with_callback("visibilitychange", f);
    }
    // The listeners live as long as the page.
    on_leave.forget();
}
