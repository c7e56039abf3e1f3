//! Reading one link value: numbers in the limit table's ranges, booleans, names, lists
//! and the budget. Each reader returns the value to set (as written, clamped, or the
//! default) and a warning message when it did not take the value as written.

use super::names::{Named, FEATURE_NAMES};
use super::values::split_list;
use super::values::{fmt_f32, join_list, parse_bool, parse_f32, parse_u64_clamped, show};
use crate::data::FeatureSet;
use crate::experiment::limits::{self, RealLimit, WholeLimit};
use crate::experiment::{Budget, ExperimentConfig};
use crate::nn::Activation;

/// A value and, when it was not taken as written, why.
pub(super) type Read<T> = (T, Option<String>);

/// The config's defaults (the values of missing or bad fields without a table row).
pub(super) fn dflt() -> ExperimentConfig {
    ExperimentConfig::default()
}

/// A whole number in the field's range (clamped), or its default when it is no number.
pub(super) fn whole(v: &str, limit: &WholeLimit) -> Read<u64> {
    match parse_u64_clamped(v, limit.min, limit.max) {
        Ok(r) => r,
        Err(e) => (
            limit.default,
            Some(format!("{e}; the default {} is used", limit.default)),
        ),
    }
}

/// A real number in the field's interval. Outside a closed end it is clamped; outside
/// an open end (where no nearest valid value exists) the default is used.
pub(super) fn real(v: &str, limit: &RealLimit) -> Read<f32> {
    let default = limit.default;
    let x = match parse_f32(v) {
        Ok(x) => x,
        Err(e) => {
            let note = format!("{e}; the default {} is used", fmt_f32(default));
            return (default, Some(note));
        }
    };
    if limit.contains(x) {
        return (x, None);
    }
    let (to, how) = match (x <= limit.lo, limit.lo_included) {
        (true, true) => (limit.lo, "clamped to"),
        (false, _) if limit.hi_included => (limit.hi, "clamped to"),
        _ => (default, "the default is used:"),
    };
    let range = format!(
        "{}{}, {}{}",
        if limit.lo_included { '[' } else { '(' },
        fmt_f32(limit.lo),
        fmt_f32(limit.hi),
        if limit.hi_included { ']' } else { ')' }
    );
    let note = format!("{} is outside {range}; {how} {}", show(v), fmt_f32(to));
    (to, Some(note))
}

/// A boolean, or the default.
pub(super) fn flag(v: &str, default: bool) -> Read<bool> {
    match parse_bool(v) {
        Ok(b) => (b, None),
        Err(e) => (default, Some(format!("{e}; the default {default} is used"))),
    }
}

/// One of the enum's names (ASCII case-insensitive), or the default.
pub(super) fn named<T: Named>(v: &str, default: T) -> Read<T> {
    let all = T::all();
    match all
        .iter()
        .find(|t| t.link_name().eq_ignore_ascii_case(v.trim()))
    {
        Some(&t) => (t, None),
        None => {
            let names: Vec<&str> = all.iter().map(|t| t.link_name()).collect();
            let msg = format!(
                "{} is not one of {}; the default {} is used",
                show(v),
                names.join(", "),
                default.link_name()
            );
            (default, Some(msg))
        }
    }
}

/// `x1,x2,...` (the link names of the features that are on), or `none`.
pub(super) fn write_features(c: &ExperimentConfig) -> String {
    let flags = c.features.flags();
    let on = flags.into_iter().zip(FEATURE_NAMES).filter(|(on, _)| *on);
    join_list(on.map(|(_, n)| n.to_string()))
}

/// The listed features; unknown names are ignored with a warning.
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

/// `8,8`, or `none` for no hidden layer.
pub(super) fn write_hidden(c: &ExperimentConfig) -> String {
    join_list(c.hidden.iter().map(|h| h.to_string()))
}

/// Layer sizes, each clamped to the units' range; entries that are no number are
/// dropped. Too many layers are cut later, with the other repairs (`decode::finish`).
pub(super) fn read_hidden(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut notes = Vec::new();
    c.hidden.clear();
    let units = limits::HIDDEN_UNITS;
    for item in items {
        match parse_u64_clamped(item, units.min, units.max) {
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

/// `tanh,tanh`, or `none`.
pub(super) fn write_activations(c: &ExperimentConfig) -> String {
    join_list(c.activations.iter().map(|a| a.name().to_string()))
}

/// Activation names; an unknown one becomes tanh with a warning.
pub(super) fn read_activations(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut notes = Vec::new();
    c.activations = items
        .into_iter()
        .map(|item| {
            let (a, note) = named(item, Activation::Tanh);
            notes.extend(note);
            a
        })
        .collect();
    if cut {
        notes.push("too many entries".to_string());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

/// `epochs:N` or `steps:N`.
pub(super) fn write_budget(c: &ExperimentConfig) -> String {
    match c.budget {
        Budget::Epochs(e) => format!("epochs:{e}"),
        Budget::Steps(s) => format!("steps:{s}"),
    }
}

/// `epochs:N` or `steps:N` with N in the table's range (clamped), else the default.
pub(super) fn read_budget(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (unit, n) = v.trim().split_once(':').unwrap_or(("", ""));
    let (budget, note) = match unit {
        "epochs" => {
            let (e, note) = whole(n, &limits::EPOCHS);
            (Budget::Epochs(e as u32), note)
        }
        "steps" => {
            let (s, note) = whole(n, &limits::STEPS);
            (Budget::Steps(s), note)
        }
        _ => {
            let default = dflt();
            let note = format!(
                "{} is not epochs:N or steps:N; the default {} is used",
                show(v),
                write_budget(&default)
            );
            (default.budget, Some(note))
        }
    };
    c.budget = budget;
    note
}

/// The clip norm, or `none`.
pub(super) fn write_clip(c: &ExperimentConfig) -> String {
    c.optimizer.clip_norm.map_or("none".to_string(), fmt_f32)
}

/// `none` or a positive number (any finite positive value is in range); else no
/// clipping, with a warning.
pub(super) fn read_clip(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (clip, note) = match v.trim() {
        "none" => (None, None),
        t => match parse_f32(t) {
            Ok(x) if limits::CLIP_NORM.contains(x) => (Some(x), None),
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
