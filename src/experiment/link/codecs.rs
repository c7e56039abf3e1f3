//! How a link spells each kind of value: numbers by their limit-table entry (range and
//! default), enums by their own `name()`, lists of either, and the few values with a
//! spelling of their own. One codec writes and reads a kind, so the two cannot drift
//! apart; a new kind of value (a layer stack, say) is one more [`Codec`].
//!
//! Value names are part of the link format like keys: **never rename one**
//! (`tests::value_names_are_pinned` fails when an enum's `name()` changes).

use super::values::split_list;
use super::values::{fmt_f32, join_list, parse_bool, parse_f32, parse_u64_clamped, show};
use crate::data::FeatureSet;
use crate::experiment::limits::{self, RealLimit, WholeLimit};
use crate::experiment::{BackendChoice, Budget, DataSource, LossKind};
use crate::nn::{parse_stack, stack_text, Activation, InitScheme, Layer};
use crate::optim::{OptimizerKind, ScheduleKind};

/// A value read, and why it differs from what was written (clamped, say), if it does.
pub(super) type Read<T> = (T, Option<String>);

/// How a link spells values of type `T`.
pub(super) trait Codec<T> {
    /// The canonical text of `v`.
    fn write(&self, v: &T) -> String;
    /// The value `text` spells, with a note when it was adjusted; `Err` says why `text`
    /// gives no value at all.
    fn read(&self, text: &str) -> Result<Read<T>, String>;
}

/// `text` read by `codec`, or `default` with a note saying so.
pub(super) fn read_or<T>(codec: &impl Codec<T>, text: &str, default: T) -> Read<T> {
    codec.read(text).unwrap_or_else(|e| {
        let note = format!("{e}; the default {} is used", codec.write(&default));
        (default, Some(note))
    })
}

/// A whole number in the entry's range, clamped at both ends.
impl<T: TryFrom<u64> + ToString> Codec<T> for WholeLimit {
    fn write(&self, v: &T) -> String {
        v.to_string()
    }
    fn read(&self, text: &str) -> Result<Read<T>, String> {
        let (n, note) = parse_u64_clamped(text, self.min, self.max)?;
        // Every range fits its field's type (`usize` on wasm32 too): never taken.
        let n = T::try_from(n).map_err(|_| format!("{} is too large", show(text)))?;
        Ok((n, note))
    }
}

/// A real number in the entry's interval, clamped to a closed end; past an open end
/// there is no nearest valid value, so none is read.
impl Codec<f32> for RealLimit {
    fn write(&self, v: &f32) -> String {
        fmt_f32(*v)
    }
    fn read(&self, text: &str) -> Result<Read<f32>, String> {
        let x = parse_f32(text)?;
        if self.contains(x) {
            return Ok((x, None));
        }
        let outside = format!("{} is outside {}", show(text), self.interval());
        let to = match x <= self.lo {
            true if self.lo_included => self.lo,
            false if self.hi_included => self.hi,
            _ => return Err(outside),
        };
        Ok((to, Some(format!("{outside}; clamped to {}", fmt_f32(to)))))
    }
}

/// The gradient-norm clip: `none`, or a number in `CLIP_NORM`; anything else is none.
pub(super) struct Clip;

impl Codec<Option<f32>> for Clip {
    fn write(&self, v: &Option<f32>) -> String {
        v.map_or("none".to_string(), fmt_f32)
    }
    fn read(&self, text: &str) -> Result<Read<Option<f32>>, String> {
        let why = match parse_f32(text) {
            _ if text.trim() == "none" => return Ok((None, None)),
            Ok(x) if limits::CLIP_NORM.contains(x) => return Ok((Some(x), None)),
            Ok(_) => format!("{} is not above 0", show(text)),
            Err(e) => e,
        };
        Ok((None, Some(format!("{why}; no clipping is used"))))
    }
}

/// `true` / `false` (also read: `1` / `0`).
pub(super) struct Flag;

impl Codec<bool> for Flag {
    fn write(&self, v: &bool) -> String {
        v.to_string()
    }
    fn read(&self, text: &str) -> Result<Read<bool>, String> {
        parse_bool(text).map(|b| (b, None))
    }
}

/// An enum a link names by value, with the names the CLI and the page use.
pub(super) trait Named: Copy + 'static {
    /// Every value, in the order messages list them.
    fn all() -> Vec<Self>;
    /// The value's own `name()`.
    fn name(self) -> &'static str;
}

/// Implements [`Named`] from each enum's list of values and its inherent `name()`.
macro_rules! named {
    ($($t:ty: $all:expr),* $(,)?) => {$(
        impl Named for $t {
            fn all() -> Vec<Self> {
                $all
            }
            fn name(self) -> &'static str {
                <$t>::name(self)
            }
        }
    )*};
}

named!(
    DataSource: DataSource::all(),
    LossKind: LossKind::ALL.to_vec(),
    OptimizerKind: OptimizerKind::ALL.to_vec(),
    ScheduleKind: ScheduleKind::ALL.to_vec(),
    BackendChoice: BackendChoice::ALL.to_vec(),
    Activation: Activation::ALL.to_vec(),
    InitScheme: InitScheme::ALL.to_vec(),
);

/// An enum by its name, read ignoring ASCII case.
pub(super) struct ByName;

impl<T: Named> Codec<T> for ByName {
    fn write(&self, v: &T) -> String {
        v.name().to_string()
    }
    fn read(&self, text: &str) -> Result<Read<T>, String> {
        let all = T::all();
        match all
            .iter()
            .find(|t| t.name().eq_ignore_ascii_case(text.trim()))
        {
            Some(&t) => Ok((t, None)),
            None => {
                let names: Vec<&str> = all.iter().map(|t| t.name()).collect();
                Err(format!("{} is not one of {}", show(text), names.join(", ")))
            }
        }
    }
}

/// A comma-separated list of `item`s (`none` when empty). An entry that gives no value
/// becomes `fill`, or is dropped when there is none; notes call entries `noun`s.
pub(super) struct List<C, T> {
    /// The spelling of one entry.
    pub item: C,
    /// What replaces an entry that gives no value (`None`: drop it).
    pub fill: Option<T>,
    /// What an entry is called in notes (`layer`).
    pub noun: &'static str,
}

impl<T: Copy, C: Codec<T>> Codec<Vec<T>> for List<C, T> {
    fn write(&self, v: &Vec<T>) -> String {
        join_list(v.iter().map(|x| self.item.write(x)))
    }
    fn read(&self, text: &str) -> Result<Read<Vec<T>>, String> {
        let (items, cut) = split_list(text);
        let (mut out, mut notes) = (Vec::with_capacity(items.len()), Vec::new());
        for item in items {
            let read = match self.fill {
                Some(fill) => Ok(read_or(&self.item, item, fill)),
                None => self.item.read(item),
            };
            let (x, note) = match read {
                Ok((x, note)) => (Some(x), note),
                Err(e) => (None, Some(format!("{e}; {} dropped", self.noun))),
            };
            out.extend(x);
            notes.extend(note);
        }
        if cut {
            notes.push(format!("too many {}s", self.noun));
        }
        Ok((out, (!notes.is_empty()).then(|| notes.join("; "))))
    }
}

/// A layer stack in its text form (`conv(8,5,1,2),relu,flatten,dense(10)`, see
/// `nn::layer`), or `none` for the MLP that `hidden` and `act` describe. Whether the
/// stack fits the data is judged with the other keys, in `decode::finish`.
pub(super) struct Model;

impl Codec<Option<Vec<Layer>>> for Model {
    fn write(&self, v: &Option<Vec<Layer>>) -> String {
        v.as_deref().map_or("none".to_string(), stack_text)
    }
    fn read(&self, text: &str) -> Result<Read<Option<Vec<Layer>>>, String> {
        if text.trim() == "none" {
            return Ok((None, None));
        }
        parse_stack(text).map(|layers| (Some(layers), None))
    }
}

/// The link names of the seven 2-D features, in [`FeatureSet::flags`] order (the data
/// module's display names, `x1^2`, are not URL-friendly).
const FEATURE_NAMES: [&str; 7] = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];

/// The features that are on (`x1,x2`, or `none`); unknown names are ignored.
pub(super) struct Features;

impl Codec<FeatureSet> for Features {
    fn write(&self, v: &FeatureSet) -> String {
        let on = v
            .flags()
            .into_iter()
            .zip(FEATURE_NAMES)
            .filter(|(on, _)| *on);
        join_list(on.map(|(_, name)| name.to_string()))
    }
    fn read(&self, text: &str) -> Result<Read<FeatureSet>, String> {
        let (items, cut) = split_list(text);
        let (mut flags, mut bad) = ([false; 7], Vec::new());
        for item in items {
            match FEATURE_NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(item))
            {
                Some(i) => flags[i] = true,
                None => bad.push(show(item)),
            }
        }
        let what = match bad.is_empty() {
            true => "entries past the limit".to_string(),
            false => bad.join(", "),
        };
        let names = FEATURE_NAMES.join(", ");
        let note =
            (!bad.is_empty() || cut).then(|| format!("ignored {what} (features are {names})"));
        Ok((FeatureSet::from_flags(flags), note))
    }
}

/// The budget: `epochs:N` or `steps:N`, N in `EPOCHS` or `STEPS` (its default when N
/// is no number).
pub(super) struct Schedule;

impl Codec<Budget> for Schedule {
    fn write(&self, v: &Budget) -> String {
        match v {
            Budget::Epochs(e) => format!("epochs:{e}"),
            Budget::Steps(s) => format!("steps:{s}"),
        }
    }
    fn read(&self, text: &str) -> Result<Read<Budget>, String> {
        let (e, s) = (limits::EPOCHS, limits::STEPS);
        match text.trim().split_once(':') {
            Some(("epochs", n)) => {
                let (n, note) = read_or(&e, n, e.default as u32);
                Ok((Budget::Epochs(n), note))
            }
            Some(("steps", n)) => {
                let (n, note) = read_or(&s, n, s.default);
                Ok((Budget::Steps(n), note))
            }
            _ => Err(format!("{} is not epochs:N or steps:N", show(text))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: Named>() -> Vec<&'static str> {
        T::all().into_iter().map(T::name).collect()
    }

    /// The format's names, written out: renaming an enum value must not rename it in
    /// links (old links would stop decoding), so a rename fails here first.
    #[test]
    fn value_names_are_pinned() {
        let data = names::<DataSource>();
        let synthetic = [
            "circle",
            "xor",
            "gauss",
            "spiral",
            "moons",
            "linear",
            "sine",
            "reg-plane",
            "reg-gauss",
        ];
        let real = [
            "digits",
            "iris",
            "breast-cancer",
            "wine",
            "diabetes",
            "mnist",
        ];
        let text = ["shakespeare", "sentiment"];
        assert_eq!(data, [&synthetic[..], &real[..], &text[..]].concat());
        assert_eq!(names::<ScheduleKind>(), ["constant", "cosine"]);
        let activations = ["linear", "relu", "tanh", "sigmoid", "gelu"];
        assert_eq!(names::<Activation>(), activations);
        assert_eq!(names::<LossKind>(), ["mse", "mae", "cross-entropy"]);
        let optimizers = ["sgd", "momentum", "adam", "adamw"];
        assert_eq!(names::<OptimizerKind>(), optimizers);
        assert_eq!(names::<BackendChoice>(), ["cpu", "gpu", "auto"]);
    }
}
