//! Experiment links: a readable, versioned URL fragment that replays an experiment
//! exactly (`#v=1&data=spiral&samples=500&...&seed=1&backend=cpu&run=200`).
//!
//! The codec is pure `&str <-> ExperimentConfig`; the page and the CLI only bind it.
//!
//! - **Canonical.** Every key of the schema ([`keys`]) is written, always in the same
//!   order, so one experiment has one link, and a link keeps its meaning when a default
//!   changes in a later version.
//! - **Strict.** Decoding range-checks every field with the validation limits. An unknown
//!   key, a bad value or an out-of-range number becomes a [`Warning`] and the field's
//!   default (or the clamped value, where the range is closed); never a panic, never NaN.
//!   The result always passes [`crate::experiment::validate`]. Input over
//!   [`MAX_LINK_BYTES`] is refused.
//! - **Versioned.** `v` names the format version; older versions are upgraded one
//!   step at a time by [`migrate`](self::migrate) before decoding.
//! - **Replayable.** `run=N` records the steps trained so far (opening the link trains
//!   N steps); `w=` optionally carries the trained weights of a small model
//!   (deflate + base64url + checksum, at most [`MAX_WEIGHTS_CHARS`] characters).
//! - **TensorFlow Playground.** A TF Playground hash (no `v`, its own keys) is imported
//!   by [`import_tfplayground`], which [`decode_link`] calls when it sees one.

mod base64;
mod codecs;
mod decode;
mod encode;
mod keys;
mod migrate;
mod tfplayground;
mod values;
mod weights;

/// The parameter names and shapes a config's model has (from `experiment::model`), against
/// which a link's weights are checked.
pub use crate::experiment::model::param_shapes as model_shapes;
pub use decode::decode_link;
pub use encode::encode_link;
pub use keys::{key_names, CURRENT_VERSION, OPTIONAL_KEYS};
pub use migrate::{migrate, Migration, MIGRATIONS};
pub use tfplayground::import_tfplayground;
pub(crate) use weights::match_weights;
pub use weights::{decode_weights, encode_weights, MAX_WEIGHT_VALUES};

use super::{ExperimentConfig, NamedWeight};
use std::fmt;

/// Longest link accepted by [`decode_link`], in bytes.
pub const MAX_LINK_BYTES: usize = 16 * 1024;

/// Longest weights blob (`w=`) written into a link, in characters; a model whose blob
/// would be longer is left out of the link (use the safetensors export instead).
pub const MAX_WEIGHTS_CHARS: usize = 8 * 1024;

/// Something in a link that was not taken as written: the key it concerns and what was
/// done instead (the default, a clamped value, the key ignored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The link key (`lr`, `hidden`, ...; `activation` etc. for TF Playground links).
    pub key: String,
    /// What was wrong and what is used instead.
    pub message: String,
}

impl Warning {
    /// A warning about `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// A link read back: always a valid configuration, plus what the link said about
/// training so far and the warnings to show.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedLink {
    /// The experiment (passes `validate`).
    pub config: ExperimentConfig,
    /// Steps trained so far (`run=N`): train this many steps on open. `None` when absent.
    pub steps: Option<u64>,
    /// Trained weights (`w=`), checked against the config's model and the checksum.
    pub weights: Option<Vec<NamedWeight>>,
    /// Everything that was not taken as written, in key order.
    pub warnings: Vec<Warning>,
}

impl DecodedLink {
    /// The configuration to replay the link with: [`DecodedLink::config`] with a budget of
    /// `run` steps when the link says `run=N` with `N >= 1` (unchanged otherwise). The
    /// page and the CLI both train and hash with this config, so a run's safetensors
    /// metadata, and hence its `weights_sha256`, agree.
    pub fn replay_config(&self) -> ExperimentConfig {
        let mut c = self.config.clone();
        if let Some(n) = self.steps.filter(|&n| n >= 1) {
            c.budget = super::Budget::Steps(n);
        }
        c
    }
}

/// A link written by [`encode_link`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedLink {
    /// The fragment, starting with `#v=`.
    pub fragment: String,
    /// Why the weights were left out (too big for a link), when they were.
    pub weights_note: Option<String>,
}
