//! The page's side of experiment links: the link of the current state (published by the
//! driver at each readback, kept in the address bar with `history.replaceState`), the
//! model file and its `weights_sha256` built on demand from what the readback kept, and
//! opening a link (the address at load, or the import box).

use super::state::{Cmd, Lab, ModelSource};
use crate::experiment::{
    decode_link, encode_link, presets, sha256_hex, to_safetensors, BackendChoice, DecodedLink,
    ExperimentConfig, NamedWeight,
};
use leptos::prelude::*;

/// The config the CLI writes (and hashes) for the link of `config` trained `step`
/// steps, run with `--backend cpu`: the link's replay config (`run=N` becomes a budget
/// of N steps, see [`DecodedLink::replay_config`]) with the backend the CLI used.
pub fn hash_config(config: &ExperimentConfig, step: u64) -> ExperimentConfig {
    let replay = DecodedLink {
        config: config.clone(),
        steps: Some(step),
        weights: None,
        warnings: Vec::new(),
    }
    .replay_config();
    ExperimentConfig {
        backend: BackendChoice::Cpu,
        ..replay
    }
}

/// Publishes the state read back at `step`: the link (into the address bar) and what
/// the model file is made from. The file itself and its `weights_sha256` are built
/// only on demand ([`model_file`], [`request_hash`]); a hash shown for other weights
/// is cleared here. `config` is the run's; `on_gpu` names the backend in the link.
pub fn publish(
    lab: &Lab,
    config: &ExperimentConfig,
    step: u64,
    weights: &[NamedWeight],
    on_gpu: bool,
    with_link: bool,
) {
    if with_link {
        publish_link(lab, config, step, weights, on_gpu);
    }
    let source = ModelSource {
        step,
        config: hash_config(config, step),
        weights: weights.to_vec(),
    };
    // The same state published again (a refresh while paused) keeps its hash.
    let same = lab.model_source.with_value(|s| s.as_ref() == Some(&source));
    if !same {
        lab.model_source.set_value(Some(source));
        if lab.weights_hash.with_untracked(Option::is_some) {
            lab.weights_hash.set(None);
        }
    }
}

/// The link of this state, into [`Lab::link`] and the address bar.
fn publish_link(
    lab: &Lab,
    config: &ExperimentConfig,
    step: u64,
    weights: &[NamedWeight],
    on_gpu: bool,
) {
    let link_config = ExperimentConfig {
        backend: if on_gpu {
            BackendChoice::Gpu
        } else {
            BackendChoice::Cpu
        },
        ..config.clone()
    };
    // Weights at step 0 are the seed's: the link rebuilds them, so they are left out.
    let trained = (step > 0).then_some(weights);
    match encode_link(&link_config, Some(step), trained) {
        Ok(mut link) => {
            // A user-text run's link carries its text's hash, not the text (ui::text).
            if let Some(key) = super::text::text_sha_key(config) {
                link.fragment.push_str(&key);
            }
            set_address(&address(lab, &link.fragment));
            if lab.link.with_untracked(|l| l.as_ref() != Some(&link)) {
                lab.link.set(Some(link));
            }
        }
        Err(e) => web_sys::console::warn_1(&format!("gradlab: no link for this state: {e}").into()),
    }
}

/// The model file of the weights shown: the step they were read at and the safetensors
/// bytes, built now. Also shows their `weights_sha256` (the hash of this very file).
pub fn model_file(lab: &Lab) -> Result<(u64, Vec<u8>), String> {
    let (step, bytes) = lab
        .model_source
        .with_value(|s| {
            s.as_ref()
                .map(|s| (s.step, to_safetensors(&s.weights, &s.config)))
        })
        .ok_or("no model to export yet")?;
    let bytes = bytes.map_err(|e| format!("cannot export the model: {e}"))?;
    lab.weights_hash.set(Some(sha256_hex(&bytes)));
    Ok((step, bytes))
}

/// Computes and shows `weights_sha256` of the weights shown (a person asked: the hash
/// button, or the share panel opening). Nothing happens before the first readback.
pub fn request_hash(lab: &Lab) {
    if let Err(e) = model_file(lab) {
        web_sys::console::warn_1(&format!("gradlab: no weights hash: {e}").into());
    }
}

/// What the address bar shows for the experiment link `fragment`: the lesson step
/// (`#lesson=03&step=2`) while one is open, else the experiment's link; either with
/// `&lang=` once a language was chosen. `lang` is page state, never part of the
/// experiment: [`open_address`] takes it off before the link is read.
pub fn address(lab: &Lab, fragment: &str) -> String {
    let lang = if lab.lang_chosen.get_untracked() {
        format!("&lang={}", lab.lang.get_untracked().code())
    } else {
        String::new()
    };
    match lab.lesson.get_untracked() {
        Some(at) => format!("#lesson={}&step={}{lang}", at.id, at.step + 1),
        None => format!("{fragment}{lang}"),
    }
}

/// Shows the address of the current state (after a lesson or the language changed).
pub fn show_address(lab: &Lab) {
    let fragment = lab
        .link
        .with_untracked(|l| l.as_ref().map(|l| l.fragment.clone()))
        .unwrap_or_default();
    set_address(&address(lab, &fragment));
}

/// Takes the page's own keys out of a fragment: `lang=` and the lesson keys
/// (`lesson=`, `step=`). Returns the rest (the experiment link, if any), the language
/// and the lesson step asked for (`step` from 1, as written).
pub fn page_keys(
    hash: &str,
) -> (
    String,
    Option<crate::lessons::Lang>,
    Option<(String, usize)>,
) {
    let body = hash.split_once('#').map_or(hash, |(_, f)| f).trim();
    let (mut lang, mut lesson, mut step) = (None, None, 1usize);
    let mut rest = Vec::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("lang", v)) => lang = crate::lessons::Lang::from_code(v),
            Some(("lesson", v)) => lesson = Some(v.to_string()),
            // The page's: a user text's hash (read by `text::read_linked_sha`).
            Some((super::text::TEXT_SHA_KEY, _)) => {}
            Some(("step", v)) if body.contains("lesson=") => step = v.trim().parse().unwrap_or(1),
            _ => rest.push(pair),
        }
    }
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!("#{}", rest.join("&"))
    };
    (rest, lang, lesson.map(|l| (l, step)))
}

/// Puts `fragment` into the address bar without a new history entry.
fn set_address(fragment: &str) {
    let Some(w) = web_sys::window() else {
        return;
    };
    if w.location().hash().ok().as_deref() == Some(fragment) {
        return;
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment));
    }
}

/// Opens the link in the address bar at load, if there is one.
pub fn open_address(lab: &Lab) {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let (rest, lang, lesson) = page_keys(&hash);
    if let Some(lang) = lang {
        lab.lang.set(lang);
        lab.lang_chosen.set(true);
    }
    if let Some((id, step)) = lesson {
        super::lesson::open_step(lab, &id, step.saturating_sub(1));
        return;
    }
    if rest.trim_start_matches('#').trim().is_empty() {
        return;
    }
    open(lab, &rest);
}

/// Opens `text` (one of our links or a TF Playground link): the controls take its
/// config and the driver rebuilds the run from it. The link's warnings, or why it
/// could not be read (the current experiment then stays), go to
/// [`Lab::link_notices`]. Returns whether the link was opened.
pub fn open(lab: &Lab, text: &str) -> bool {
    // A lesson link, or a link with the page's `lang=`: those keys are the page's.
    if text.contains("lesson=") || text.contains("lang=") || text.contains("textsha=") {
        super::text::note_link(lab, text);
        let (rest, lang, lesson) = page_keys(text);
        if let Some(lang) = lang {
            lab.lang.set(lang);
            lab.lang_chosen.set(true);
        }
        if let Some((id, step)) = lesson {
            return super::lesson::open_step(lab, &id, step.saturating_sub(1));
        }
        return open_experiment(lab, &rest);
    }
    open_experiment(lab, text)
}

/// Opens an experiment link (no page keys left in `text`); see [`open`].
fn open_experiment(lab: &Lab, text: &str) -> bool {
    match decode_link(text) {
        Ok(link) => {
            lab.running.set(false);
            lab.preset
                .set(matching_preset(&link.config).unwrap_or_default());
            lab.config.set(link.replay_config());
            lab.link_notices
                .set(link.warnings.iter().map(|w| w.to_string()).collect());
            lab.send(Cmd::OpenLink(Box::new(link)));
            true
        }
        Err(e) => {
            lab.link_notices.set(vec![format!(
                "cannot open the link ({e}); the experiment shown is unchanged"
            )]);
            false
        }
    }
}

/// The preset whose config `config` is (the backend aside), if any.
pub(crate) fn matching_preset(config: &ExperimentConfig) -> Option<String> {
    presets()
        .iter()
        .find(|p| {
            let c = (p.config)();
            ExperimentConfig {
                backend: c.backend,
                ..config.clone()
            } == c
        })
        .map(|p| p.name.to_string())
}
