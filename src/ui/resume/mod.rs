//! Long runs survive a reload: the page keeps its running experiment (config, step,
//! weights, optimizer state, data position, history) in IndexedDB every few seconds and
//! when it is hidden or left, and offers to resume it when it is opened again.
//!
//! [`Saver`] (owned by the training driver) decides when to save and holds the saved
//! run found at load; [`ResumeBar`] shows the offer and the notices. What is shown is
//! [`ResumeView`], in [`super::state::Lab::resume`].

mod saver;
pub mod zh;

pub use saver::Saver;

use super::i18n::t;
use super::state::{Cmd, Lab};
use leptos::prelude::*;

/// A saved run the page found at load and offers to resume.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The step it was saved at.
    pub step: u64,
    /// When it was saved (ms since the Unix epoch).
    pub saved_at_ms: f64,
    /// Whether it is the experiment of the link in the address (`None`: no link there).
    pub matches_address: Option<bool>,
    /// Which experiment it is: its preset's name (`None`: an edited experiment).
    pub label: Option<String>,
}

/// A notice about saving or resuming: an English template (shown through `t`, with
/// `{detail}` replaced) and the detail, usually the browser's or the decoder's words.
#[derive(Clone, Debug, PartialEq)]
pub struct ResumeNotice {
    /// The text, with `{detail}` where the detail goes.
    pub template: &'static str,
    /// What went wrong.
    pub detail: String,
}

/// The last save that reached IndexedDB (exposed to tests as data attributes).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedMark {
    /// Its step.
    pub step: u64,
    /// Its size in bytes.
    pub bytes: usize,
}

/// What the page shows about saved runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResumeView {
    /// The offer, until it is taken or discarded.
    pub offer: Option<Offer>,
    /// A problem saving or reading a saved run (training is never affected).
    pub notice: Option<ResumeNotice>,
    /// The last save written.
    pub saved: Option<SavedMark>,
}

/// `HH:MM` of `ms` since the Unix epoch, in the browser's time zone.
fn clock_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// The offer's button text.
fn offer_text(o: &Offer) -> String {
    t("Resume run from step {step} (saved {time})")
        .replace("{step}", &o.step.to_string())
        .replace("{time}", &clock_time(o.saved_at_ms))
}

/// Which run the offer is, when that is not the address's experiment.
fn offer_detail(o: &Offer) -> String {
    let label = o
        .label
        .clone()
        .unwrap_or_else(|| t("an edited experiment").to_string());
    match o.matches_address {
        Some(true) => String::new(),
        Some(false) => t(
            "A run of another experiment ({label}) than the link in the address was saved here.",
        )
        .replace("{label}", &label),
        None => t("A run of {label} was saved here.").replace("{label}", &label),
    }
}

/// The resume offer (Resume / Discard), the notices of saving and a hidden mark of the
/// last save for tests.
#[component]
pub fn ResumeBar(lab: Lab) -> impl IntoView {
    let offer = move || lab.resume.with(|r| r.offer.clone());
    let notice = move || {
        lab.resume.with(|r| {
            r.notice
                .as_ref()
                .map(|n| t(n.template).replace("{detail}", &n.detail))
        })
    };
    view! {
        {move || offer().map(|o| view! {
            <div class="notice resume-offer" role="status" data-testid="resume-offer"
                data-step=o.step.to_string()>
                <span>{offer_detail(&o)}</span>
                <button type="button" data-testid="resume-accept"
                    title=move || t("Continue the saved run where it stopped, exactly as if it had never stopped")
                    on:click=move |_| lab.send(Cmd::ResumeSaved)>
                    {offer_text(&o)}
                </button>
                <button type="button" data-testid="resume-discard"
                    on:click=move |_| lab.send(Cmd::DiscardSaved)>
                    {move || t("Discard")}
                </button>
            </div>
        })}
        {move || notice().map(|text| view! {
            <div class="notice resume-notice" role="status" data-testid="resume-notice">
                <span>{text}</span>
                <button type="button" class="dismiss" aria-label="Dismiss"
                    title=move || t("Hide this message")
                    on:click=move |_| lab.resume.update(|r| r.notice = None)>
                    "×"
                </button>
            </div>
        })}
        <span hidden data-testid="resume-saved"
            data-step=move || lab.resume.with(|r| r.saved.as_ref().map(|s| s.step.to_string()))
            data-bytes=move || lab.resume.with(|r| r.saved.as_ref().map(|s| s.bytes.to_string()))>
        </span>
    }
}
