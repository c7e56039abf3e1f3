//! The page's side of experiment links: the link and `weights_sha256` of the current
//! state (published by the driver at each readback, kept in the address bar with
//! `history.replaceState`), and opening a link (the address at load, or the import box).

use super::state::{Cmd, Lab, ModelFile};
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

/// Publishes the state read back at `step`: the link (into the address bar), the
/// model file and its `weights_sha256`. `config` is the run's; `on_gpu` names the
/// backend written into the link.
pub fn publish(
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
        Ok(link) => {
            set_address(&link.fragment);
            if lab.link.with_untracked(|l| l.as_ref() != Some(&link)) {
                lab.link.set(Some(link));
            }
        }
        Err(e) => web_sys::console::warn_1(&format!("gradlab: no link for this state: {e}").into()),
    }
    match to_safetensors(weights, &hash_config(config, step)) {
        Ok(bytes) => {
            lab.weights_hash.set(Some(sha256_hex(&bytes)));
            lab.model_file.set_value(Some(ModelFile { step, bytes }));
        }
        Err(e) => {
            lab.weights_hash.set(None);
            lab.model_file.set_value(None);
            web_sys::console::warn_1(&format!("gradlab: cannot export the model: {e}").into());
        }
    }
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
    if hash.trim_start_matches('#').trim().is_empty() {
        return;
    }
    open(lab, &hash);
}

/// Opens `text` (one of our links or a TF Playground link): the controls take its
/// config and the driver rebuilds the run from it. The link's warnings, or why it
/// could not be read (the current experiment then stays), go to
/// [`Lab::link_notices`]. Returns whether the link was opened.
pub fn open(lab: &Lab, text: &str) -> bool {
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
fn matching_preset(config: &ExperimentConfig) -> Option<String> {
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
