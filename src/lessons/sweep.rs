//! Sweeps: one or two settings (link keys) over lists of values, as a grid or as a
//! random sample; every point is the current experiment's link with those keys
//! written over it, decoded (so range checks and repairs apply as for any link).

use super::file::overlay;
use crate::experiment::{decode_link, encode_link, ExperimentConfig};
use crate::rng::Rng;

/// Keys a sweep may vary.
pub const SWEEP_KEYS: [&str; 8] = [
    "lr", "hidden", "batch", "l2", "l1", "momentum", "samples", "noise",
];

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// The keys and values set (`lr=0.01&hidden=16`).
    pub changes: String,
    /// The experiment to run.
    pub config: ExperimentConfig,
}

/// Splits `0.001, 0.01` into values (empty entries dropped).
pub fn values(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// `key=value` for a sweep point. A single width for `hidden` sets every hidden layer
/// of `base` to it (one ReLU layer when `base` has none), so a width sweep keeps depth.
fn setting(base: &ExperimentConfig, key: &str, value: &str) -> String {
    if key != "hidden" || value.contains(',') {
        return format!("{key}={value}");
    }
    if base.hidden.is_empty() {
        return format!("hidden={value}&act=relu");
    }
    let widths = vec![value; base.hidden.len()].join(",");
    format!("hidden={widths}")
}

/// The sweep of `axes` (`(key, values)`, one or two) over `base`: every combination
/// (`random: None`), or `n` combinations drawn at random with `seed` (`Some((n, seed))`).
/// Errs on an unknown key, an empty list, or a value a link would not take as written.
pub fn plan(
    base: &ExperimentConfig,
    axes: &[(String, Vec<String>)],
    random: Option<(usize, u64)>,
) -> Result<Vec<SweepPoint>, String> {
    if axes.is_empty() || axes.len() > 2 {
        return Err("a sweep varies one or two settings".into());
    }
    for (k, vs) in axes {
        if !SWEEP_KEYS.contains(&k.as_str()) {
            return Err(format!(
                "`{k}` cannot be swept (one of {})",
                SWEEP_KEYS.join(", ")
            ));
        }
        if vs.is_empty() {
            return Err(format!("no values for `{k}`"));
        }
    }
    let pair = |k: &str, v: &str| setting(base, k, v);
    let mut combos: Vec<String> = axes[0].1.iter().map(|v| pair(&axes[0].0, v)).collect();
    if let Some((k, vs)) = axes.get(1) {
        combos = combos
            .iter()
            .flat_map(|c| vs.iter().map(move |v| format!("{c}&{}", pair(k, v))))
            .collect();
    }
    if let Some((n, seed)) = random {
        // A random subset of the grid, in a seeded order.
        let mut rng = Rng::new(seed);
        for i in (1..combos.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            combos.swap(i, j);
        }
        combos.truncate(n.max(1));
    }
    let link = encode_link(base, None, None).map_err(|e| e.to_string())?;
    combos
        .into_iter()
        .map(|changes| {
            let decoded =
                decode_link(&overlay(&link.fragment, &changes)).map_err(|e| e.to_string())?;
            if let Some(w) = decoded.warnings.first() {
                return Err(format!("{changes}: {w}"));
            }
            Ok(SweepPoint {
                changes,
                config: decoded.config,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::preset;

    #[test]
    fn grid_and_random() {
        let base = preset("moons").unwrap();
        let axes = vec![
            ("lr".to_string(), values("0.001, 0.01")),
            ("hidden".to_string(), values("4 16")),
        ];
        let grid = plan(&base, &axes, None).unwrap();
        assert_eq!(grid.len(), 4);
        assert_eq!(grid[1].changes, "lr=0.001&hidden=16,16");
        assert_eq!(grid[1].config.hidden, vec![16, 16]);
        assert!((grid[1].config.optimizer.lr - 0.001).abs() < 1e-9);
        assert_eq!(grid[1].config.activations.len(), 2);
        let some = plan(&base, &axes, Some((3, 7))).unwrap();
        assert_eq!(some.len(), 3);
        assert!(some.iter().all(|p| grid.contains(p)));
        assert!(plan(&base, &[("seed".into(), values("1"))], None).is_err());
        assert!(plan(&base, &[("lr".into(), values("-3"))], None).is_err());
    }
}
