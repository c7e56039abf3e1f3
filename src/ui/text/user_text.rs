//! "Train on your own text": a text area to paste into or a file to drop, checked (a
//! size cap, something to predict, long enough for the 90/10 split), then the current
//! GPT shape retargeted to the text's own characters (`experiment::user_text_config`).
//!
//! A link cannot carry megabytes of text: a user-text run's link carries the settings
//! and the first 16 hex digits of the text's SHA-256 (`textsha=`), and the page says so.
//! Opening such a link asks for the text; text that hashes otherwise is named as such.

use super::super::i18n::t;
use super::super::state::Lab;
use crate::data::text::{
    check_user_text, provide_user_text, user_text_sha256, CharVocab, TextSet, MAX_USER_TEXT_BYTES,
};
use crate::experiment::{user_text_config, DataSource, ExperimentConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The page key of a user text's hash in a link.
pub const TEXT_SHA_KEY: &str = "textsha";
/// Hex digits of the SHA-256 a link carries (64 bits: enough to tell texts apart).
const SHA_DIGITS: usize = 16;

/// `&textsha=...` for the link of `config` when it trains on the current user text.
pub fn text_sha_key(config: &ExperimentConfig) -> Option<String> {
    (config.data == DataSource::Text(TextSet::User))
        .then(user_text_sha256)
        .flatten()
        .map(|sha| format!("&{TEXT_SHA_KEY}={}", &sha[..SHA_DIGITS.min(sha.len())]))
}

/// The text hash a link fragment carries, if any.
fn linked_text_sha(fragment: &str) -> Option<String> {
    let body = fragment.split_once('#').map_or(fragment, |(_, f)| f);
    body.split('&').find_map(|pair| match pair.split_once('=') {
        Some((k, v)) if k == TEXT_SHA_KEY => Some(v.trim().to_ascii_lowercase()),
        _ => None,
    })
}

/// Reads the address bar's `textsha=` at load (before the link itself is opened).
pub fn read_linked_sha(lab: &Lab) {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    note_link(lab, &hash);
}

/// Notes the text hash of a link being opened (`None` when it has none) and keeps the
/// link to open again once its text is given.
pub fn note_link(lab: &Lab, link: &str) {
    let sha = linked_text_sha(link);
    lab.text
        .pending_link
        .set(sha.as_ref().map(|_| link.to_string()));
    lab.text.linked_sha.set(sha);
}

/// Trains the current GPT shape on `text`, or says why not.
fn train_on(lab: Lab, text: &str) {
    let ts = lab.text;
    // The size first: a vocabulary of an enormous paste would hold the page.
    if text.len() > MAX_USER_TEXT_BYTES {
        ts.user_message.set(check_user_text(text, 1).err());
        return;
    }
    // A link waiting for its text: the text given, the link opens again with it (its
    // settings, its replay); text other than the link's is said so by the panel.
    if let Some(link) = ts.pending_link.get_untracked() {
        match provide_user_text(text, 1) {
            Ok(info) => {
                let same = ts
                    .linked_sha
                    .get_untracked()
                    .is_some_and(|l| info.sha256.starts_with(&l));
                ts.user_message.set(None);
                ts.user_info.set(Some(info));
                super::super::links::open(&lab, &link);
                if same {
                    ts.pending_link.set(None);
                } else {
                    // Opening the link noted it again; keep it for the right text.
                    ts.pending_link.set(Some(link));
                }
            }
            Err(m) => ts.user_message.set(Some(m)),
        }
        return;
    }
    let ids = CharVocab::from_text(text).len() + 1;
    let config = user_text_config(&lab.config.get_untracked(), ids);
    match provide_user_text(text, config.context) {
        Ok(info) => {
            ts.user_message.set(None);
            ts.user_info.set(Some(info));
            lab.preset.set(String::new());
            lab.edit(|c| *c = config);
        }
        Err(m) => ts.user_message.set(Some(m)),
    }
}

/// Reads a dropped or chosen file into the text area (UTF-8 text, at most the cap).
fn read_file(lab: Lab, file: web_sys::File) {
    let ts = lab.text;
    let name = file.name();
    if file.size() > MAX_USER_TEXT_BYTES as f64 {
        ts.user_message.set(Some(format!(
            "{name} is {:.1} MB; at most {:.1} MB can train in the page",
            file.size() / 1e6,
            MAX_USER_TEXT_BYTES as f64 / 1e6
        )));
        return;
    }
    crate::platform::spawn(async move {
        let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(e) => {
                ts.user_message
                    .set(Some(format!("cannot read {name}: {e:?}")));
                return;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                ts.user_message.set(None);
                ts.user_input.set(text);
            }
            Err(_) => ts.user_message.set(Some(format!(
                "{name} is not UTF-8 text: give a plain text file"
            ))),
        }
    });
}

/// The first file of a drop event, if any (read through `dataTransfer.files`).
fn dropped_file(ev: &leptos::ev::DragEvent) -> Option<web_sys::File> {
    let dt = js_sys::Reflect::get(ev, &"dataTransfer".into()).ok()?;
    let files = js_sys::Reflect::get(&dt, &"files".into()).ok()?;
    files.dyn_into::<web_sys::FileList>().ok()?.get(0)
}

/// The card, shown for language models.
#[component]
pub fn UserTextPanel(lab: Lab) -> impl IntoView {
    let ts = lab.text;
    let is_lm = move || lab.config.with(|c| c.data.is_language_model());
    let is_user = move || {
        lab.config
            .with(|c| c.data == DataSource::Text(TextSet::User))
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            input.set_value("");
            read_file(lab, file);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        if let Some(file) = dropped_file(&ev) {
            ev.prevent_default();
            read_file(lab, file);
        }
    };
    // What the link says about the text, when a link asked for one.
    let link_note = move || {
        let linked = ts.linked_sha.get()?;
        let mine = ts.user_info.get().map(|i| i.sha256);
        Some(match mine {
            Some(sha) if sha.starts_with(&linked) => {
                format!("The text given is the link's (SHA-256 {linked}…): the run replays it.")
            }
            Some(sha) => format!(
                "The text given is not the link's: its SHA-256 starts {}, the link's {linked}. \
                 The run trains on the text given, so it will not replay the link.",
                &sha[..SHA_DIGITS]
            ),
            None => format!(
                "This link trains on someone's own text (SHA-256 {linked}…), which a link \
                 cannot carry: paste or drop the same text and press the button to replay it."
            ),
        })
    };
    view! {
        <section
            class="card user-text"
            data-testid="user-text-panel"
            aria-label=move || t("Train on your own text")
            hidden=move || !is_lm() && ts.linked_sha.with(Option::is_none)
        >
            <h2>{move || t("Train on your own text")}</h2>
            <p class="lm-note">
                {move || t("Paste text or drop a text file: the model gets the text's own characters as its vocabulary and trains on the first 90%, validating on the rest.")}
            </p>
            <textarea
                rows="4"
                data-testid="user-text-input"
                placeholder=move || t("Paste text here, or drop a .txt file")
                prop:value=move || ts.user_input.get()
                on:input=move |ev| ts.user_input.set(event_target_value(&ev))
                on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop
            ></textarea>
            <div class="gen-controls">
                <label class="field file" title=move || t("A plain text file (UTF-8), up to 2 MB")>
                    <span>{move || t("Text file")}</span>
                    <input type="file" accept=".txt,text/plain" data-testid="user-text-file" on:change=on_file />
                </label>
                <button
                    type="button"
                    data-testid="user-text-train"
                    title=move || t("Build a character vocabulary from this text and train the current GPT shape on it")
                    on:click=move |_| train_on(lab, &ts.user_input.get_untracked())
                >
                    {move || t("Train on this text")}
                </button>
            </div>
            {move || {
                ts.user_message
                    .get()
                    .map(|m| view! { <p class="gen-message" role="alert" data-testid="user-text-message">{m}</p> })
            }}
            {move || {
                link_note().map(|m| view! { <p class="lm-note" data-testid="user-text-link">{m}</p> })
            }}
            <Show when=is_user>
                <p class="lm-note" data-testid="user-text-info">
                    {move || {
                        ts.user_info
                            .get()
                            .map(|i| {
                                format!(
                                    "{} characters, {} distinct; SHA-256 {}…",
                                    i.chars,
                                    i.vocab,
                                    &i.sha256[..SHA_DIGITS],
                                )
                            })
                    }}
                </p>
                <p class="lm-note">
                    {move || t("A link to this run reproduces its settings, not the text: it carries the text's SHA-256, so whoever opens it needs the same text, and other text is noticed.")}
                </p>
            </Show>
        </section>
    }
}
