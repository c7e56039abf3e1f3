//! Python's `safetensors` package reads what gradlab writes: names, shapes, dtypes,
//! every value's bits, and the config in the metadata.
//!
//! Needs `python3` with `safetensors` and `numpy` (`pip install safetensors numpy`).
//! Without them the tests print a loud SKIP and pass, unless `GRADLAB_REQUIRE_PYTHON=1`
//! (then they fail), so CI can insist once its setup installs the packages.

use gradlab::experiment::{
    from_safetensors, preset, to_safetensors, ExperimentConfig, NamedWeight, CONFIG_KEY,
};
use gradlab::rng::Rng;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Loads a safetensors file with the Python package and prints, as JSON, every
/// tensor's dtype, shape and values as uint32 bit patterns, plus the metadata.
const LOADER: &str = r#"
import json, sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file
path = sys.argv[1]
tensors = load_file(path)
with safe_open(path, framework="np") as f:
    meta = f.metadata()
out = {"metadata": meta, "tensors": {}}
for name, a in tensors.items():
    out["tensors"][name] = {
        "dtype": str(a.dtype),
        "shape": list(a.shape),
        "bits": [int(b) for b in np.ascontiguousarray(a).view(np.uint32).ravel()],
    }
print(json.dumps(out))
"#;

/// True when the Python packages are there; otherwise prints a loud skip (or panics
/// when `GRADLAB_REQUIRE_PYTHON=1`).
fn python_ready(test: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import safetensors, numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        let msg = format!(
            "{test}: python3 with safetensors and numpy not found \
             (pip install safetensors numpy)"
        );
        if std::env::var("GRADLAB_REQUIRE_PYTHON").as_deref() == Ok("1") {
            panic!("{msg}; GRADLAB_REQUIRE_PYTHON=1 makes this a failure");
        }
        eprintln!("\n!!!!!!!! SKIP {msg} !!!!!!!!\n");
    }
    ok
}

/// What Python sees in the file at `path`.
fn python_load(path: &Path) -> Value {
    let out = Command::new("python3")
        .args(["-c", LOADER])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python could not load {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the loader prints JSON")
}

/// Python's view must hold exactly `weights` (any order) and `config`.
fn assert_python_sees(py: &Value, weights: &[NamedWeight], config: &ExperimentConfig) {
    let tensors = py["tensors"].as_object().unwrap();
    assert_eq!(tensors.len(), weights.len());
    for w in weights {
        let t = &tensors[&w.name];
        assert_eq!(t["dtype"], "float32", "{}", w.name);
        assert_eq!(t["shape"], serde_json::json!(w.shape), "{}", w.name);
        let bits: Vec<u64> = w.data.iter().map(|v| v.to_bits() as u64).collect();
        assert_eq!(t["bits"], serde_json::json!(bits), "{}", w.name);
    }
    let stored = py["metadata"][CONFIG_KEY]
        .as_str()
        .expect("the config is in the metadata");
    let stored: ExperimentConfig = serde_json::from_str(stored).unwrap();
    assert_eq!(&stored, config);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradlab-py-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn python_reads_names_shapes_bits_and_config() {
    if !python_ready("python_reads_names_shapes_bits_and_config") {
        return;
    }
    let mut rng = Rng::new(17);
    let mut weights = Vec::new();
    // Ranks 1 to 3, odd sizes, and awkward values (signed zero, subnormal, extremes).
    for (name, shape) in [
        ("0.weight", vec![7, 3]),
        ("0.bias", vec![7]),
        ("1.weight", vec![1, 7]),
        ("1.bias", vec![1]),
        ("emb.weight", vec![2, 3, 5]),
    ] {
        let n: usize = shape.iter().product();
        let data = (0..n).map(|_| rng.normal()).collect();
        weights.push(NamedWeight {
            name: name.into(),
            shape,
            data,
        });
    }
    weights[1].data[..4].copy_from_slice(&[-0.0, f32::MIN_POSITIVE / 8.0, f32::MAX, f32::MIN]);
    let config = preset("spiral").unwrap();
    let dir = scratch("lib");
    let path = dir.join("model.safetensors");
    std::fs::write(&path, to_safetensors(&weights, &config).unwrap()).unwrap();
    assert_python_sees(&python_load(&path), &weights, &config);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn python_reads_the_cli_model_file() {
    if !python_ready("python_reads_the_cli_model_file") {
        return;
    }
    let dir = scratch("cli");
    let out = Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args(["run", "iris", "--steps", "30", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("model.safetensors");
    let (weights, config) = from_safetensors(&std::fs::read(&path).unwrap()).unwrap();
    let config: ExperimentConfig = serde_json::from_str(&config.unwrap()).unwrap();
    // nn.Sequential(Linear, act, Linear) numbers its children 0, 1, 2; weights are
    // PyTorch's [out, in].
    let iris = preset("iris").unwrap();
    let (features, hidden, classes) = (4, iris.hidden[0], 3);
    let mut shapes: Vec<(String, Vec<usize>)> = weights
        .iter()
        .map(|w| (w.name.clone(), w.shape.clone()))
        .collect();
    shapes.sort();
    assert_eq!(
        shapes,
        vec![
            ("0.bias".into(), vec![hidden]),
            ("0.weight".into(), vec![hidden, features]),
            ("2.bias".into(), vec![classes]),
            ("2.weight".into(), vec![classes, hidden]),
        ]
    );
    assert_python_sees(&python_load(&path), &weights, &config);
    let _ = std::fs::remove_dir_all(&dir);
}
