//! GPT-2's weight initialisation (`init=gpt`): every matrix and embedding from
//! `N(0, 0.02)`, the last matrix of each residual branch from `N(0, 0.02 / sqrt(R))`
//! for `R` branches, biases zero, layer-norm scales one; the link carries the choice,
//! and a config without it reads and writes as before.

use gradlab::backend::Device;
use gradlab::experiment::{decode_link, encode_link, preset};
use gradlab::nn::{parse_stack, InitScheme, Module, Sequential};
use gradlab::rng::Rng;

/// Two pre-LN blocks (4 residual branches) of a causal GPT, 64 wide.
const GPT: &str = "embed(65,64),pos(16),\
    res(layernorm,attn(4,causal)),res(layernorm,dense(256),gelu,dense(64)),\
    res(layernorm,attn(4,causal)),res(layernorm,dense(256),gelu,dense(64)),\
    layernorm,unembed";

fn weights(scheme: InitScheme) -> Vec<(String, Vec<f32>)> {
    let layers = parse_stack(GPT).unwrap();
    let model =
        Sequential::with_init(&layers, &[16], scheme, &mut Rng::new(7), &Device::Cpu).unwrap();
    model
        .params()
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_vec_blocking().unwrap()))
        .collect()
}

/// Mean and standard deviation in f64.
fn moments(x: &[f32]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The std a parameter should be drawn with under GPT-2's scheme, `None` for biases
/// and norms (constants).
fn expected_std(name: &str) -> Option<f64> {
    let branch = 0.02 / 4f64.sqrt();
    match name {
        n if n.ends_with("bias") => None,
        // The layer norms: `i.0.weight` inside blocks, `6.weight` at the top.
        "6.weight" => None,
        n if n.ends_with(".0.weight") => None,
        "0.weight" | "1.weight" => Some(0.02),
        n if n.ends_with("in_proj_weight") => Some(0.02),
        n if n.ends_with("out_proj.weight") => Some(branch),
        // The MLP's first (1) and last (3) dense layers.
        n if n.ends_with(".1.weight") => Some(0.02),
        n if n.ends_with(".3.weight") => Some(branch),
        n => panic!("unexpected parameter {n}"),
    }
}

#[test]
fn gpt_init_draws_each_parameter_at_gpt2_scale() {
    let w = weights(InitScheme::Gpt);
    let mut checked = 0;
    for (name, x) in &w {
        match expected_std(name) {
            Some(std) => {
                // The sample std of n normals has relative sd 1/sqrt(2n) (< 1.1% for
                // the smallest matrix here, 64*64); 5% is over 4.5 of those.
                let (mean, s) = moments(x);
                assert!((s / std - 1.0).abs() < 0.05, "{name}: std {s} vs {std}");
                assert!(mean.abs() < 4.0 * std / (x.len() as f64).sqrt() + 1e-9, "{name}");
                checked += 1;
            }
            None if name.ends_with("bias") => assert!(x.iter().all(|&v| v == 0.0), "{name}"),
            None => assert!(x.iter().all(|&v| v == 1.0), "{name}"),
        }
    }
    // embed, pos, 2 x (in_proj, out_proj, dense, dense).
    assert_eq!(checked, 10);
}

#[test]
fn layer_init_is_what_sequential_new_draws() {
    let layers = parse_stack(GPT).unwrap();
    let model = Sequential::new(&layers, &[16], &mut Rng::new(7), &Device::Cpu).unwrap();
    let by_new: Vec<Vec<f32>> = model
        .params()
        .iter()
        .map(|(_, t)| t.to_vec_blocking().unwrap())
        .collect();
    let by_scheme: Vec<Vec<f32>> = weights(InitScheme::Layer)
        .into_iter()
        .map(|(_, x)| x)
        .collect();
    assert_eq!(by_new, by_scheme);
    // The embedding keeps N(0, 1) under the layer scheme: 50x GPT-2's scale.
    let (_, s) = moments(&by_scheme[0]);
    assert!((s - 1.0).abs() < 0.05, "{s}");
}

#[test]
fn the_link_carries_gpt_init_and_older_links_read_the_layer_scheme() {
    let c = preset("shakespeare-char-nanogpt").unwrap();
    assert_eq!(c.init, InitScheme::Gpt);
    let link = encode_link(&c, None, None).unwrap().fragment;
    assert!(link.contains("&init=gpt&"), "{link}");
    let d = decode_link(&link).unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(d.config, c);

    let small = preset("shakespeare-char").unwrap();
    let link = encode_link(&small, None, None).unwrap().fragment;
    assert!(!link.contains("init="), "{link}");
    let bad = link.replace("&seed=", "&init=orthogonal&seed=");
    let d = decode_link(&bad).unwrap();
    assert_eq!(d.config.init, InitScheme::Layer);
    assert!(
        d.warnings.iter().any(|w| w.key == "init"),
        "{:?}",
        d.warnings
    );
}
