//! A model file is what PyTorch's `nn.Sequential` of the same layers would load: numpy,
//! reading the file with Python's `safetensors`, rebuilds the stack from the config in
//! its metadata (PyTorch's layouts: `Linear.weight [out, in]`, `Conv2d.weight [out, in,
//! kh, kw]`, NCHW, `nn.Flatten`, `nn.LayerNorm(eps=1e-5)`, `nn.GELU('tanh')`, a residual
//! block adding its input) and runs the forward pass; its outputs must match gradlab's.
//!
//! Needs `python3` with `safetensors` and `numpy`; skipped loudly without them unless
//! `GRADLAB_REQUIRE_PYTHON=1` (as in `safetensors_python.rs`).

use gradlab::data::RealSet;
use gradlab::experiment::{to_safetensors, Budget, DataSource, ExperimentConfig, Runner};
use gradlab::nn::parse_stack;
use gradlab::platform::block_on;
use gradlab::Device;
use std::process::Command;

/// The numpy forward pass of a gradlab model file: argv[1] the file, stdin a JSON list of
/// input rows (already preprocessed); prints the outputs as JSON.
const FORWARD: &str = r#"
import json, sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

path = sys.argv[1]
W = load_file(path)
with safe_open(path, framework="np") as f:
    config = json.loads(f.metadata()["gradlab_config"])

def split_top(s):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(s):
        depth += c == "("
        depth -= c == ")"
        if c == "," and depth == 0:
            parts.append(s[start:i]); start = i + 1
    parts.append(s[start:])
    return parts

def parse(s):
    out = []
    for p in split_top(s):
        name, _, args = p.partition("(")
        args = args[:-1]
        out.append((name, parse(args) if name == "res" else [float(a) for a in args.split(",") if a]))
    return out

def conv(x, w, b, stride, pad):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    y = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            y[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    return y + b[None, :, None, None]

def pool(x, k, stride, f):
    n, c, h, w = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[:, :, i, j] = f(x[:, :, i * stride:i * stride + k, j * stride:j * stride + k], axis=(2, 3))
    return y

def run(layers, x, prefix):
    for i, (name, a) in enumerate(layers):
        p = lambda t: W[f"{prefix}{i}.{t}"].astype(np.float64)
        if name == "dense": x = x @ p("weight").T + p("bias")
        elif name == "conv":
            stride = int(a[2]) if len(a) > 2 else 1
            pad = int(a[3]) if len(a) > 3 else 0
            x = conv(x, p("weight"), p("bias"), stride, pad)
        elif name in ("maxpool", "avgpool"):
            k = int(a[0]); s = int(a[1]) if len(a) > 1 else k
            x = pool(x, k, s, np.max if name == "maxpool" else np.mean)
        elif name == "flatten": x = x.reshape(x.shape[0], -1)
        elif name == "relu": x = np.maximum(x, 0)
        elif name == "tanh": x = np.tanh(x)
        elif name == "sigmoid": x = 1 / (1 + np.exp(-x))
        elif name == "gelu": x = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
        elif name == "layernorm":
            m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
            x = (x - m) / np.sqrt(v + 1e-5) * p("weight") + p("bias")
        elif name == "res": x = x + run(a, x, f"{prefix}{i}.")
        elif name in ("dropout", "linear"): pass
        else: raise SystemExit(f"unknown layer {name}")
    return x

rows = np.array(json.load(sys.stdin), dtype=np.float64)
shape = {"digits": (1, 8, 8), "mnist": (1, 28, 28)}.get(config["data"]["name"])
x = rows.reshape((len(rows),) + shape) if shape else rows
print(json.dumps(run(parse(config["model"]), x, "").tolist()))
"#;

fn python_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import numpy, safetensors"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("GRADLAB_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "python3 with numpy and safetensors is needed; GRADLAB_REQUIRE_PYTHON=1 makes \
             its absence a failure"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"\nSKIPPED: pytorch_forward needs python3 with numpy and safetensors \
              (bash scripts/setup.sh python)\n",
        );
    }
    ok
}

/// Train `text` on the 8x8 digits a few steps, then compare numpy's forward pass of the
/// model file with gradlab's on test rows.
fn check_stack(text: &str) {
    let config = ExperimentConfig {
        data: DataSource::Real(RealSet::Digits),
        standardize: true,
        test_fraction: 0.25,
        model: Some(parse_stack(text).unwrap()),
        budget: Budget::Steps(5),
        batch_size: 16,
        ..ExperimentConfig::default()
    };
    let mut runner = Runner::new(config, Device::Cpu).unwrap();
    block_on(runner.run(|_, _| {})).unwrap();
    let weights = block_on(runner.weights()).unwrap();
    let dir = std::env::temp_dir().join(format!("gradlab-torch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.safetensors", text.len()));
    std::fs::write(&path, to_safetensors(&weights, runner.config()).unwrap()).unwrap();

    let test = runner.test_data();
    let n = 12;
    let x: Vec<f32> = test.x[..n * test.features].to_vec();
    let ours = block_on(runner.predict(&x, n)).unwrap();
    let rows: Vec<&[f32]> = x.chunks(test.features).collect();

    let mut child = Command::new("python3")
        .args(["-c", FORWARD])
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        serde_json::to_string(&rows).unwrap().as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{text}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<Vec<f64>> = serde_json::from_slice(&out.stdout).unwrap();
    let theirs: Vec<f64> = theirs.concat();
    assert_eq!(theirs.len(), ours.len(), "{text}");
    for (i, (&a, &b)) in ours.iter().zip(&theirs).enumerate() {
        assert!(
            (a as f64 - b).abs() <= 1e-4 * (1.0 + b.abs()),
            "{text}: output {i}: gradlab {a}, numpy {b}"
        );
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn numpy_runs_the_model_file_as_pytorch_would_and_agrees() {
    if !python_ready() {
        return;
    }
    for text in [
        "conv(4,3,1,1),relu,maxpool(2),conv(6,3),tanh,avgpool(2,1),flatten,dense(10)",
        "conv(3,5,2,2),gelu,flatten,res(layernorm,dense(48),relu),dense(16),sigmoid,dense(10)",
        "flatten,dense(32),relu,dropout(0.2),dense(10)",
    ] {
        check_stack(text);
    }
}
