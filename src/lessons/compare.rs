//! Run comparison: what differs between two experiments, said as link keys
//! (`lr=0.1 → 0.01`), so a chart's legend can name what changed between runs.

use crate::experiment::{encode_link, ExperimentConfig};

/// Keys left out of a comparison: where a run ran, not what it was.
const IGNORED: [&str; 3] = ["v", "backend", "run"];

/// `key -> value` of `config`'s link (every key, canonical text).
fn link_pairs(config: &ExperimentConfig) -> Vec<(String, String)> {
    let Ok(link) = encode_link(config, None, None) else {
        return Vec::new();
    };
    link.fragment
        .trim_start_matches('#')
        .split('&')
        .filter_map(|p| p.split_once('='))
        .filter(|(k, _)| !IGNORED.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The settings whose values differ between `a` and `b`: `(key, in a, in b)`, in link
/// order; a key only one of them has shows `-` for the other.
pub fn config_diff(a: &ExperimentConfig, b: &ExperimentConfig) -> Vec<(String, String, String)> {
    let (pa, pb) = (link_pairs(a), link_pairs(b));
    let get = |ps: &[(String, String)], k: &str| {
        ps.iter()
            .find(|(pk, _)| pk == k)
            .map_or("-".to_string(), |(_, v)| v.clone())
    };
    let mut keys: Vec<&String> = pa.iter().map(|(k, _)| k).collect();
    keys.extend(
        pb.iter()
            .map(|(k, _)| k)
            .filter(|k| !pa.iter().any(|(ak, _)| ak == *k)),
    );
    keys.into_iter()
        .filter_map(|k| {
            let (va, vb) = (get(&pa, k), get(&pb, k));
            (va != vb).then(|| (k.clone(), va, vb))
        })
        .collect()
}

/// A legend label for a run of `config` among runs that share `reference`'s other
/// settings: its differing settings (`opt=adam, lr=0.01`), or `same` when none differ.
pub fn label(config: &ExperimentConfig, reference: &ExperimentConfig) -> String {
    let d = config_diff(reference, config);
    if d.is_empty() {
        return "same".into();
    }
    d.into_iter()
        .map(|(k, _, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{preset, BackendChoice};
    use crate::optim::OptimizerKind;

    #[test]
    fn names_exactly_what_differs() {
        let a = preset("moons").unwrap();
        let mut b = a.clone();
        b.optimizer.kind = OptimizerKind::Sgd;
        b.optimizer.lr = 0.1;
        b.backend = BackendChoice::Gpu;
        let d = config_diff(&a, &b);
        let keys: Vec<&str> = d.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(keys, ["opt", "lr"]);
        assert_eq!(d[0], ("opt".into(), "adam".into(), "sgd".into()));
        assert_eq!(label(&b, &a), "opt=sgd, lr=0.1");
        assert_eq!(label(&a, &a), "same");
    }
}
