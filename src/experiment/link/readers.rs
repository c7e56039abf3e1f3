//! Reading one field's value into the config: numbers with their ranges, booleans,
//! names, lists and the budget. Each reader sets the field (to the value, a clamped
//! value or the default) and returns a warning message when it did not take the value as
//! written.

use super::names::{act_name, FEATURE_NAMES};
use super::values::split_list;
use super::values::{fmt_f32, join_list, parse_bool, parse_f32, parse_u64_clamped, show};
use crate::data::FeatureSet;
use crate::experiment::{Budget, ExperimentConfig, MAX_EPOCHS, MAX_HIDDEN_UNITS, MAX_STEPS};
use crate::nn::Activation;

/// The config's defaults (the values used for missing or bad fields).
pub(super) fn dflt() -> ExperimentConfig {
    ExperimentConfig::default()
}

/// One end of a float range: the bound and whether it is included.
type Bound = (f32, bool);

/// Reads a float in `lo..hi`. Outside a closed end it is clamped; outside an open end
/// (where no nearest valid value exists) the default is used.
pub(super) fn float(v: &str, slot: &mut f32, default: f32, lo: Bound, hi: Bound) -> Option<String> {
    let x = match parse_f32(v) {
        Ok(x) => x,
        Err(e) => {
            *slot = default;
            return Some(format!("{e}; the default {} is used", fmt_f32(default)));
        }
    };
    let below = if lo.1 { x < lo.0 } else { x <= lo.0 };
    let above = if hi.1 { x > hi.0 } else { x >= hi.0 };
    let range = format!(
        "{}{}, {}{}",
        if lo.1 { '[' } else { '(' },
        fmt_f32(lo.0),
        fmt_f32(hi.0),
        if hi.1 { ']' } else { ')' }
    );
    let (to, how) = match (below, above) {
        (false, false) => {
            *slot = x;
            return None;
        }
        (true, _) if lo.1 => (lo.0, "clamped to"),
        (_, true) if hi.1 => (hi.0, "clamped to"),
        _ => (default, "the default is used:"),
    };
    *slot = to;
    Some(format!(
        "{} is outside {range}; {how} {}",
        show(v),
        fmt_f32(to)
    ))
}

/// Reads a whole number in `min..=max` (clamped), or the default when it is no number.
pub(super) fn whole(v: &str, min: u64, max: u64, default: u64) -> (u64, Option<String>) {
    match parse_u64_clamped(v, min, max) {
        Ok(r) => r,
        Err(e) => (default, Some(format!("{e}; the default {default} is used"))),
    }
}

/// Reads a boolean, or the default.
pub(super) fn boolean(v: &str, slot: &mut bool, default: bool) -> Option<String> {
    match parse_bool(v) {
        Ok(b) => {
            *slot = b;
            None
        }
        Err(e) => {
            *slot = default;
            Some(format!("{e}; the default {default} is used"))
        }
    }
}

/// Reads one of the names of `all` (ASCII case-insensitive), or the default.
pub(super) fn named<T: Copy>(
    v: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    default: T,
) -> (T, Option<String>) {
    match all
        .iter()
        .find(|&&t| name(t).eq_ignore_ascii_case(v.trim()))
    {
        Some(&t) => (t, None),
        None => {
            let names: Vec<&str> = all.iter().map(|&t| name(t)).collect();
            let msg = format!(
                "{} is not one of {}; the default {} is used",
                show(v),
                names.join(", "),
                name(default)
            );
            (default, Some(msg))
        }
    }
}

pub(super) fn write_features(f: &FeatureSet) -> String {
    let names = f
        .flags()
        .into_iter()
        .zip(FEATURE_NAMES)
        .filter(|(on, _)| *on);
    join_list(names.map(|(_, n)| n.to_string()))
}

pub(super) fn read_features(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut flags = [false; 7];
    let mut bad = Vec::new();
    for item in items {
        match FEATURE_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(item))
        {
            Some(i) => flags[i] = true,
            None => bad.push(show(item)),
        }
    }
    c.features = FeatureSet::from_flags(flags);
    (!bad.is_empty() || cut).then(|| {
        format!(
            "ignored {} (features are {})",
            if bad.is_empty() {
                "entries past the limit".to_string()
            } else {
                bad.join(", ")
            },
            FEATURE_NAMES.join(", ")
        )
    })
}

pub(super) fn read_hidden(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut notes = Vec::new();
    c.hidden.clear();
    for item in items {
        match parse_u64_clamped(item, 1, MAX_HIDDEN_UNITS as u64) {
            Ok((n, note)) => {
                c.hidden.push(n as usize);
                notes.extend(note);
            }
            Err(e) => notes.push(format!("{e}; layer dropped")),
        }
    }
    if cut {
        notes.push("too many layers".to_string());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

pub(super) fn read_activations(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut notes = Vec::new();
    c.activations = items
        .into_iter()
        .map(|item| {
            let (a, note) = named(item, Activation::ALL, act_name, Activation::Tanh);
            notes.extend(note);
            a
        })
        .collect();
    if cut {
        notes.push("too many entries".to_string());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

pub(super) fn write_budget(b: Budget) -> String {
    match b {
        Budget::Epochs(e) => format!("epochs:{e}"),
        Budget::Steps(s) => format!("steps:{s}"),
    }
}

pub(super) fn read_budget(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let default = dflt().budget;
    let (unit, n) = v.trim().split_once(':').unwrap_or(("", ""));
    let (budget, note) = match unit {
        "epochs" => {
            let (e, note) = whole(n, 1, MAX_EPOCHS as u64, 100);
            (Budget::Epochs(e as u32), note)
        }
        "steps" => {
            let (s, note) = whole(n, 1, MAX_STEPS, 1000);
            (Budget::Steps(s), note)
        }
        _ => (
            default,
            Some(format!(
                "{} is not epochs:N or steps:N; the default {} is used",
                show(v),
                write_budget(default)
            )),
        ),
    };
    c.budget = budget;
    note
}

pub(super) fn read_clip(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (clip, note) = match v.trim() {
        "none" => (None, None),
        // parse_f32 only returns finite values, so any positive one is in (0, f32::MAX].
        t => match parse_f32(t) {
            Ok(x) if x > 0.0 => (Some(x), None),
            Ok(_) => (
                None,
                Some(format!("{} is not above 0; no clipping is used", show(v))),
            ),
            Err(e) => (None, Some(format!("{e}; no clipping is used"))),
        },
    };
    c.optimizer.clip_norm = clip;
    note
}
