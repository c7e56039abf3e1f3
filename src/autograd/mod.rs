//! Reverse-mode automatic differentiation over the recorded graph.
//!
//! `backward` sorts the graph topologically and walks it once in reverse, asking each
//! node's backward rule (`rules.rs`, one per primitive) for its inputs' gradients.
//! Unbroadcasting is done here, once for all ops: a gradient that comes back in a
//! broadcast shape is summed down to its input's shape.

mod rules;
mod rules_fused;

// Grad mode is the tensor's (ops consult it when they record); re-exported here, where
// users look for it next to `backward`.
pub use crate::tensor::{is_grad_enabled, no_grad};

use crate::tensor::Tensor;
use std::collections::{HashMap, HashSet};

/// Gradients of one backward pass, keyed by tensor.
#[derive(Default, Debug)]
pub struct Gradients {
    map: HashMap<u64, Tensor>,
}

impl Gradients {
    /// The gradient of `t`, if `t` is a leaf that requires gradients and was reached.
    pub fn get(&self, t: &Tensor) -> Option<&Tensor> {
        self.map.get(&t.id())
    }

    /// Take the gradient of `t` out of the store.
    pub fn remove(&mut self, t: &Tensor) -> Option<Tensor> {
        self.map.remove(&t.id())
    }

    /// How many gradients are held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no gradient is held.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn accumulate(&mut self, t: &Tensor, g: Tensor) {
        let g = unbroadcast(g, t);
        match self.map.remove(&t.id()) {
            Some(prev) => self.map.insert(t.id(), prev.add(&g)),
            None => self.map.insert(t.id(), g),
        };
    }
}

/// Sum a gradient computed in a broadcast shape down to `input`'s shape.
fn unbroadcast(g: Tensor, input: &Tensor) -> Tensor {
    if g.shape() == input.shape() {
        return g;
    }
    let axes = input.shape().broadcast_axes(g.shape());
    g.sum_axes(&axes, true).reshape(input.dims())
}

/// Tensors reachable from `root` through recorded nodes, inputs before outputs.
fn topological_order(root: &Tensor) -> Vec<Tensor> {
    let mut order = Vec::new();
    let mut visited = HashSet::new();
    let mut stack = vec![(root.clone(), false)];
    while let Some((t, expanded)) = stack.pop() {
        if expanded {
            order.push(t);
            continue;
        }
        if !visited.insert(t.id()) {
            continue;
        }
        stack.push((t.clone(), true));
        if let Some(node) = t.node() {
            for i in &node.inputs {
                if i.requires_grad() && !visited.contains(&i.id()) {
                    stack.push((i.clone(), false));
                }
            }
        }
    }
    order
}

impl Tensor {
    /// Gradients of this tensor (summed, if it has several elements) with respect to
    /// every leaf that requires gradients.
    pub fn backward(&self) -> Gradients {
        no_grad(|| {
            let mut grads = Gradients::default();
            if !self.requires_grad() {
                return grads;
            }
            grads
                .map
                .insert(self.id(), Tensor::ones(self.dims(), self.device()));
            for t in topological_order(self).iter().rev() {
                let Some(node) = t.node() else { continue };
                // Interior gradients are dropped once used; only leaves stay in the store.
                let Some(g) = grads.map.remove(&t.id()) else {
                    continue;
                };
                let input_grads = rules::input_grads(node, t, &g);
                for (input, ig) in node.inputs.iter().zip(input_grads) {
                    if let Some(ig) = ig {
                        if input.requires_grad() {
                            grads.accumulate(input, ig);
                        }
                    }
                }
            }
            grads
        })
    }
}
