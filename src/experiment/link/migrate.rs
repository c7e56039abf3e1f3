//! Link versions: each step rewrites the key/value pairs of version `n` into version
//! `n + 1`, so a link of any older version decodes by running the steps in turn.
//!
//! Version 2 added one key, `model` (a layer stack), which a link may leave out: then
//! `hidden` and `act` describe the network as in version 1. So a version 1 link is a
//! valid version 2 link and its step changes nothing. When the format changes (a key's
//! meaning, a value's spelling), bump [`super::CURRENT_VERSION`], append one [`Migration`] to
//! [`MIGRATIONS`], and keep `tests/fixtures/links_v1.txt` decoding to the same configs.
//! A new key is a row in `keys.rs` plus a step that gives old links its value (without
//! one they decode with a "missing" warning); for example `hidden=8,8&act=tanh,tanh`
//! rewritten as the `model=` layer stack that replaces them.

use super::Warning;
use crate::error::{Error, Result};

/// A link's key/value pairs, in order.
pub type Pairs = Vec<(String, String)>;

/// Rewrites the pairs of one version into the next, noting anything it could not carry
/// over.
pub type Migration = fn(&mut Pairs, &mut Vec<Warning>);

/// `MIGRATIONS[i]` upgrades version `i + 1` to `i + 2`; its length is
/// `CURRENT_VERSION - 1`.
pub static MIGRATIONS: &[Migration] = &[v1_to_v2];

/// Version 2 only added the optional `model` key: version 1 pairs read the same.
fn v1_to_v2(_: &mut Pairs, _: &mut Vec<Warning>) {}

/// Brings `pairs` written by `version` up to [`super::CURRENT_VERSION`] with [`MIGRATIONS`].
pub fn migrate(version: u32, pairs: Pairs, warnings: &mut Vec<Warning>) -> Result<Pairs> {
    migrate_with(MIGRATIONS, version, pairs, warnings)
}

/// [`migrate`] with an explicit list of steps (the last version is `steps.len() + 1`).
pub(super) fn migrate_with(
    steps: &[Migration],
    version: u32,
    mut pairs: Pairs,
    warnings: &mut Vec<Warning>,
) -> Result<Pairs> {
    let newest = steps.len() as u32 + 1;
    if version == 0 || version > newest {
        return Err(Error::Format(format!(
            "link version {version} is not one this gradlab reads (versions 1 to {newest}); \
             a newer gradlab may read it"
        )));
    }
    for step in &steps[version as usize - 1..] {
        step(&mut pairs, warnings);
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::super::CURRENT_VERSION;
    use super::*;

    #[test]
    fn the_step_table_matches_the_current_version() {
        assert_eq!(MIGRATIONS.len() as u32 + 1, CURRENT_VERSION);
    }

    /// A hypothetical version 2 renamed `lr` to `rate` and version 3 doubled `batch`.
    fn v1_to_v2(p: &mut Pairs, _: &mut Vec<Warning>) {
        p.iter_mut()
            .filter(|(k, _)| k == "lr")
            .for_each(|(k, _)| *k = "rate".into());
    }

    fn v2_to_v3(p: &mut Pairs, w: &mut Vec<Warning>) {
        for (k, v) in p.iter_mut().filter(|(k, _)| k == "batch") {
            match v.parse::<u64>() {
                Ok(n) => *v = (2 * n).to_string(),
                Err(_) => w.push(Warning::new(k.clone(), "not carried over")),
            }
        }
    }

    #[test]
    fn steps_run_in_order_from_the_link_version() {
        let steps: &[Migration] = &[v1_to_v2, v2_to_v3];
        let pairs = |kv: [(&str, &str); 2]| kv.map(|(k, v)| (k.into(), v.into())).to_vec();
        let v1 = || pairs([("lr", "0.1"), ("batch", "5")]);
        let mut w = Vec::new();
        let from_v1 = migrate_with(steps, 1, v1(), &mut w).unwrap();
        assert_eq!(from_v1, pairs([("rate", "0.1"), ("batch", "10")]));
        // A v2 link has already been renamed; only the v2 -> v3 step runs.
        let from_v2 = migrate_with(steps, 2, v1(), &mut w).unwrap();
        assert_eq!(from_v2, pairs([("lr", "0.1"), ("batch", "10")]));
        assert_eq!(migrate_with(steps, 3, v1(), &mut w).unwrap(), v1());
        assert!(w.is_empty());
        for bad in [0, 4, u32::MAX] {
            let e = migrate_with(steps, bad, v1(), &mut w).unwrap_err();
            assert!(e.to_string().contains(&format!("version {bad}")), "{e}");
        }
    }
}
