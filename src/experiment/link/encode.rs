//! Writing links: every key of the schema that the link's version has, in schema order.

use super::keys::{version_for, writes_field, FIELDS, RUN_KEY, VERSION_KEY, WEIGHTS_KEY};
use super::weights::try_encode;
use super::EncodedLink;
use crate::error::{Error, Result};
use crate::experiment::limits::RUN_STEPS;
use crate::experiment::{validate, ExperimentConfig, NamedWeight};

/// The canonical link of an experiment: `#v=1&data=...&backend=cpu`, then `run=N` when
/// `steps` (trained so far) is known, then `w=` with `weights` when they fit
/// ([`super::MAX_WEIGHTS_CHARS`]; otherwise [`EncodedLink::weights_note`] says why they
/// were left out). Errs when `config` is invalid, `steps` is outside
/// [`RUN_STEPS`], or `weights` do not match the config's model (naming the first
/// mismatch).
pub fn encode_link(
    config: &ExperimentConfig,
    steps: Option<u64>,
    weights: Option<&[NamedWeight]>,
) -> Result<EncodedLink> {
    validate(config)?;
    let version = version_for(config);
    let mut parts = vec![format!("{VERSION_KEY}={version}")];
    parts.extend(
        FIELDS
            .iter()
            .filter(|f| writes_field(f, version, config))
            .map(|f| format!("{}={}", f.key, (f.write)(config))),
    );
    if let Some(n) = steps {
        if !RUN_STEPS.contains(n) {
            return Err(Error::Config(format!(
                "run must be at most {} steps, got {n}",
                RUN_STEPS.max
            )));
        }
        parts.push(format!("{RUN_KEY}={n}"));
    }
    let mut weights_note = None;
    match weights.map(|w| try_encode(w, config)).transpose()? {
        Some(Ok(blob)) => parts.push(format!("{WEIGHTS_KEY}={blob}")),
        Some(Err(note)) => weights_note = Some(note),
        None => {}
    }
    Ok(EncodedLink {
        fragment: format!("#{}", parts.join("&")),
        weights_note,
    })
}
