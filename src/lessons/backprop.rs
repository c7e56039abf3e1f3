//! Lesson 4's backpropagation stepper: one example through a 2-2-1 tanh network with a
//! squared-error loss, built from scalar tensors so that every node of the autograd
//! graph is one arithmetic step a person can follow. [`trace`] records the forward
//! graph from the autograd tape (`Tensor::node`), reads each node's value, and walks
//! the tape backwards with each op's local derivative to give every node's gradient
//! (the autograd keeps only the leaves' gradients; `tests/lessons_backprop.rs` checks
//! those agree with [`Tensor::backward`]).

use crate::op::{BinaryOp, Op, UnaryOp};
use crate::{Device, Tensor};
use std::collections::HashMap;

/// The parameters of a 2-2-1 network: `h_j = tanh(w[j][0] x1 + w[j][1] x2 + b[j])`,
/// `out = v[0] h_1 + v[1] h_2 + c`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Net221 {
    /// Hidden weights, one row per hidden unit.
    pub w: [[f32; 2]; 2],
    /// Hidden biases.
    pub b: [f32; 2],
    /// Output weights.
    pub v: [f32; 2],
    /// Output bias.
    pub c: f32,
}

impl Net221 {
    /// A small fixed start (what the stepper shows when the run is no 2-2-1 network).
    pub const START: Net221 = Net221 {
        w: [[0.5, -0.3], [0.2, 0.8]],
        b: [0.1, -0.1],
        v: [0.7, -0.4],
        c: 0.05,
    };

    /// The network of a run's weights (PyTorch names, `[out, in]`), when they are a
    /// 2-2-1 network: hidden weight `[2, 2]`, bias `[2]`, output weight `[1, 2]`, bias `[1]`.
    pub fn from_weights(weights: &[crate::experiment::NamedWeight]) -> Option<Net221> {
        match weights {
            [w, b, v, c]
                if w.shape == [2, 2] && b.shape == [2] && v.shape == [1, 2] && c.shape == [1] =>
            {
                Some(Net221 {
                    w: [[w.data[0], w.data[1]], [w.data[2], w.data[3]]],
                    b: [b.data[0], b.data[1]],
                    v: [v.data[0], v.data[1]],
                    c: c.data[0],
                })
            }
            _ => None,
        }
    }
}

/// What a node of the graph is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// An input or the target (no gradient flows to it).
    Data,
    /// A parameter (its gradient drives the update).
    Param,
    /// An op: `add`, `sub`, `mul`, `tanh`.
    Op(&'static str),
}

/// One node of the traced graph.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceNode {
    /// Its name: `x1`, `w11`, ... for leaves; `z1`, `h1`, `out`, `loss`... where the
    /// network names it; empty for the intermediate products and sums.
    pub name: String,
    /// What it is.
    pub kind: NodeKind,
    /// Indices of its inputs (earlier in [`Trace::nodes`]).
    pub inputs: Vec<usize>,
    /// Its value in the forward pass.
    pub value: f64,
    /// d loss / d node.
    pub grad: f64,
}

/// The traced graph of one forward and backward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// Every node, inputs before the nodes that use them; the loss is last.
    pub nodes: Vec<TraceNode>,
}

impl Trace {
    /// The op nodes in forward order (the forward steps).
    pub fn forward_order(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| matches!(self.nodes[i].kind, NodeKind::Op(_)))
            .collect()
    }

    /// The nodes whose gradient the backward pass computes, in backward order: the op
    /// nodes from the loss down, then the parameters.
    pub fn backward_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = self.forward_order().into_iter().rev().collect();
        order.extend((0..self.nodes.len()).filter(|&i| self.nodes[i].kind == NodeKind::Param));
        order
    }

    /// The parameters after one gradient-descent step of learning rate `lr`:
    /// `(name, old value, gradient, new value)`.
    pub fn update(&self, lr: f64) -> Vec<(String, f64, f64, f64)> {
        self.nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Param)
            .map(|n| (n.name.clone(), n.value, n.grad, n.value - lr * n.grad))
            .collect()
    }
}

/// The network, built from scalar tensors on the CPU: the loss and every leaf by name.
pub fn forward(net: &Net221, x: [f32; 2], y: f32) -> (Tensor, Vec<(String, Tensor)>) {
    let dev = Device::Cpu;
    let data = |v: f32| Tensor::scalar(v, &dev);
    let param = |v: f32| Tensor::parameter(&[v], &[], &dev);
    let (x1, x2, target) = (data(x[0]), data(x[1]), data(y));
    let mut leaves = vec![
        ("x1".to_string(), x1.clone()),
        ("x2".to_string(), x2.clone()),
    ];
    let mut hidden = Vec::new();
    for j in 0..2 {
        let (wa, wb, b) = (param(net.w[j][0]), param(net.w[j][1]), param(net.b[j]));
        let z = wa.mul(&x1).add(&wb.mul(&x2)).add(&b);
        hidden.push(z.tanh());
        leaves.push((format!("w{}1", j + 1), wa));
        leaves.push((format!("w{}2", j + 1), wb));
        leaves.push((format!("b{}", j + 1), b));
    }
    let (v1, v2, c) = (param(net.v[0]), param(net.v[1]), param(net.c));
    let out = v1.mul(&hidden[0]).add(&v2.mul(&hidden[1])).add(&c);
    let loss = out.sub(&target).square();
    leaves.extend([
        ("v1".to_string(), v1),
        ("v2".to_string(), v2),
        ("c".to_string(), c),
        ("y".to_string(), target),
    ]);
    (loss, leaves)
}

/// The name of an op node the network names (`z1`, `h1`, `out`, `loss`), by its place.
fn op_name(op: &Op) -> Result<&'static str, String> {
    match op {
        Op::Binary(BinaryOp::Add) => Ok("add"),
        Op::Binary(BinaryOp::Sub) => Ok("sub"),
        Op::Binary(BinaryOp::Mul) => Ok("mul"),
        Op::Unary(UnaryOp::Tanh) => Ok("tanh"),
        other => Err(format!("the stepper has no local derivative for {other:?}")),
    }
}

/// One forward and backward pass of `net` on the example `(x, y)`, traced from the
/// autograd tape.
pub fn trace(net: &Net221, x: [f32; 2], y: f32) -> Result<Trace, String> {
    let (loss, leaves) = forward(net, x, y);
    let names: HashMap<u64, String> = leaves.iter().map(|(n, t)| (t.id(), n.clone())).collect();
    // Inputs before users: a depth-first walk of the tape from the loss.
    let mut order: Vec<Tensor> = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut stack = vec![(loss.clone(), false)];
    while let Some((t, expanded)) = stack.pop() {
        if index.contains_key(&t.id()) {
            continue;
        }
        let inputs: Vec<Tensor> = t.node().map(|n| n.inputs.clone()).unwrap_or_default();
        if expanded || inputs.iter().all(|i| index.contains_key(&i.id())) {
            index.insert(t.id(), order.len());
            order.push(t);
            continue;
        }
        stack.push((t.clone(), true));
        for i in inputs.iter().rev() {
            if !index.contains_key(&i.id()) {
                stack.push((i.clone(), false));
            }
        }
    }
    let mut nodes = Vec::with_capacity(order.len());
    for t in &order {
        let value = t
            .to_vec_now()
            .and_then(|v| v.first().copied())
            .ok_or("a value could not be read on the CPU")?;
        let (kind, inputs) = match t.node() {
            Some(n) => (
                NodeKind::Op(op_name(&n.op)?),
                n.inputs.iter().map(|i| index[&i.id()]).collect(),
            ),
            None if t.requires_grad() => (NodeKind::Param, Vec::new()),
            None => (NodeKind::Data, Vec::new()),
        };
        nodes.push(TraceNode {
            name: names.get(&t.id()).cloned().unwrap_or_default(),
            kind,
            inputs,
            value: f64::from(value),
            grad: 0.0,
        });
    }
    name_ops(&mut nodes);
    // Backward: the loss's gradient is 1; each op hands its gradient to its inputs
    // times its local derivative.
    let last = nodes.len() - 1;
    nodes[last].grad = 1.0;
    for i in (0..nodes.len()).rev() {
        let (g, kind, inputs) = (
            nodes[i].grad,
            nodes[i].kind.clone(),
            nodes[i].inputs.clone(),
        );
        let NodeKind::Op(op) = kind else { continue };
        let val = |k: usize| nodes[inputs[k]].value;
        let local: Vec<f64> = match op {
            "add" => vec![1.0, 1.0],
            "sub" => vec![1.0, -1.0],
            "mul" => vec![val(1), val(0)],
            _ => vec![1.0 - nodes[i].value * nodes[i].value], // tanh
        };
        for (k, d) in local.into_iter().enumerate() {
            nodes[inputs[k]].grad += g * d;
        }
    }
    Ok(Trace { nodes })
}

/// Names the op nodes a person would name: each `tanh` is `h1`/`h2` and its input
/// `z1`/`z2`; the loss's input is `out − y`, and its input `out`.
fn name_ops(nodes: &mut [TraceNode]) {
    let mut h = 0;
    for i in 0..nodes.len() {
        if nodes[i].kind == NodeKind::Op("tanh") {
            h += 1;
            nodes[i].name = format!("h{h}");
            let z = nodes[i].inputs[0];
            nodes[z].name = format!("z{h}");
        }
    }
    let last = nodes.len() - 1;
    nodes[last].name = "loss".into();
    if let Some(&diff) = nodes[last].inputs.first() {
        nodes[diff].name = "out − y".into();
        if let Some(&out) = nodes[diff].inputs.first() {
            nodes[out].name = "out".into();
        }
    }
}
