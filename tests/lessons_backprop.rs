//! Lesson 4's stepper: the graph traced from the autograd tape gives each parameter the
//! gradient `Tensor::backward` gives it, the forward values match the network's
//! equations computed here in f64, and interior gradients match central finite
//! differences of the loss in f64.

use gradlab::lessons::backprop::{forward, trace, Net221, NodeKind};

/// The loss of `net` on `(x, y)` in f64.
fn loss64(net: &Net221, x: [f64; 2], y: f64) -> f64 {
    let h: Vec<f64> = (0..2)
        .map(|j| {
            (f64::from(net.w[j][0]) * x[0] + f64::from(net.w[j][1]) * x[1] + f64::from(net.b[j]))
                .tanh()
        })
        .collect();
    let out = f64::from(net.v[0]) * h[0] + f64::from(net.v[1]) * h[1] + f64::from(net.c);
    (out - y).powi(2)
}

#[test]
fn traced_gradients_match_autograd_and_finite_differences() {
    let (x, y) = ([0.5f32, -1.0], -0.05f32);
    let net = Net221::START;
    let t = trace(&net, x, y).expect("trace");
    // The loss is last and its value is the network's loss.
    let loss = t.nodes.last().unwrap();
    assert_eq!(loss.name, "loss");
    let want = loss64(&net, [0.5, -1.0], -0.05);
    assert!((loss.value - want).abs() < 1e-6, "{} vs {want}", loss.value);
    // Every parameter's gradient equals autograd's.
    let (l, leaves) = forward(&net, x, y);
    let grads = l.backward();
    let params: Vec<_> = t
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Param)
        .collect();
    assert_eq!(params.len(), 9);
    for p in params {
        let (_, tensor) = leaves.iter().find(|(n, _)| *n == p.name).expect("leaf");
        let g = grads.get(tensor).expect("gradient").to_vec_now().unwrap()[0];
        assert!(
            (p.grad - f64::from(g)).abs() < 1e-5,
            "{}: {} vs {g}",
            p.name,
            p.grad
        );
    }
    // An interior gradient: d loss / d h1 by central differences on h1 = tanh(z1).
    let h1 = t.nodes.iter().find(|n| n.name == "h1").unwrap();
    let eps = 1e-6;
    let z2 = (f64::from(net.w[1][0]) * 0.5 - f64::from(net.w[1][1]) + f64::from(net.b[1])).tanh();
    let f = |h: f64| {
        (f64::from(net.v[0]) * h + f64::from(net.v[1]) * z2 + f64::from(net.c) + 0.05).powi(2)
    };
    let fd = (f(h1.value + eps) - f(h1.value - eps)) / (2.0 * eps);
    assert!((h1.grad - fd).abs() < 1e-5, "dL/dh1 {} vs {fd}", h1.grad);
    // Forward order puts every node after its inputs; backward order starts at the loss.
    let fwd = t.forward_order();
    for &i in &fwd {
        assert!(t.nodes[i].inputs.iter().all(|&k| k < i));
    }
    assert_eq!(t.backward_order()[0], t.nodes.len() - 1);
    // One update moves each parameter against its gradient.
    for (name, old, g, new) in t.update(0.1) {
        assert!((new - (old - 0.1 * g)).abs() < 1e-12, "{name}");
    }
}

#[test]
fn weights_of_a_2_2_1_run_are_read() {
    use gradlab::experiment::{decode_link, Runner};
    use gradlab::lessons::{lesson, Lang};
    use gradlab::platform::block_on;
    use gradlab::Device;
    let step = &lesson("04", Lang::En).unwrap().steps[0];
    let config = decode_link(&step.link).unwrap().replay_config();
    let runner = Runner::new(config, Device::Cpu).unwrap();
    let weights = block_on(runner.weights()).unwrap();
    let net = Net221::from_weights(&weights).expect("lesson 4 trains a 2-2-1 network");
    assert_eq!(net.w[0][0], weights[0].data[0]);
    assert_eq!(net.c, weights[3].data[0]);
}
