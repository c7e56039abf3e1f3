//! Lesson 4's stepper on the page: the computation graph of one example through the
//! run's 2-2-1 network (from the autograd tape, see [`crate::lessons::backprop`]),
//! stepped through node by node: every value in the forward pass, every gradient in the
//! backward pass, then one gradient-descent update of every parameter.

use super::super::state::Lab;
use crate::lessons::backprop::{trace, Net221, NodeKind, Trace};
use leptos::prelude::*;

/// The example stepped through: a point of the tilted plane `y = (x1 + x2) / 10`.
const X: [f32; 2] = [0.5, -1.0];
const Y: f32 = -0.05;

/// Horizontal and vertical spacing of the drawn graph (SVG units).
const DX: f64 = 70.0;
const DY: f64 = 46.0;

/// Column and row of every node: an op one column right of its deepest input; a leaf
/// one column left of the first op that uses it, so the parameters sit beside the
/// step they enter rather than in one tall column.
fn layout(t: &Trace) -> Vec<(f64, f64)> {
    let n = t.nodes.len();
    let mut depth = vec![0usize; n];
    for (i, node) in t.nodes.iter().enumerate() {
        depth[i] = node.inputs.iter().map(|&k| depth[k] + 1).max().unwrap_or(0);
    }
    for (i, node) in t.nodes.iter().enumerate() {
        if node.inputs.is_empty() {
            let user = (0..n).find(|&u| t.nodes[u].inputs.contains(&i));
            depth[i] = user.map_or(0, |u| depth[u].saturating_sub(1));
        }
    }
    let columns = depth.iter().max().map_or(1, |d| d + 1);
    let mut rows = vec![0usize; columns];
    let mut at = Vec::with_capacity(n);
    for &d in &depth {
        at.push((24.0 + d as f64 * DX, 24.0 + rows[d] as f64 * DY));
        rows[d] += 1;
    }
    // Centre each column vertically on the tallest.
    let tallest = rows.iter().copied().max().unwrap_or(1) as f64;
    at.iter()
        .zip(&depth)
        .map(|(&(x, y), &d)| (x, y + (tallest - rows[d] as f64) * DY / 2.0))
        .collect()
}

/// The symbol drawn in a node.
fn symbol(kind: &NodeKind, name: &str) -> String {
    match kind {
        NodeKind::Op("add") => "+".into(),
        NodeKind::Op("sub") => "−".into(),
        NodeKind::Op("mul") => "×".into(),
        NodeKind::Op(op) => (*op).into(),
        _ => name.into(),
    }
}

/// The stepper.
#[component]
pub fn BackpropStepper(lab: Lab) -> impl IntoView {
    let net = Memo::new(move |_| {
        lab.plot_frame
            .with(|f| Net221::from_weights(&f.weights))
            .unwrap_or(Net221::START)
    });
    let traced = Memo::new(move |_| trace(&net.get(), X, Y).ok());
    // 0: nothing computed; then one forward node per step, one gradient per step, the update.
    let phase = RwSignal::new(0usize);
    let counts = move || {
        traced.with(|t| {
            t.as_ref().map_or((0, 0), |t| {
                (t.forward_order().len(), t.backward_order().len())
            })
        })
    };
    let lr32 = move || lab.config.with(|c| c.optimizer.lr);
    let lr = move || f64::from(lr32());
    let tr = move |en: &'static str, zh: &'static str| lab.lang.get().tr(en, zh);
    let graph = move || {
        let t = traced.get()?;
        let p = phase.get();
        let (f, _) = counts();
        let fwd = t.forward_order();
        let bwd = t.backward_order();
        let shown_value =
            |i: usize| !matches!(t.nodes[i].kind, NodeKind::Op(_)) || fwd[..p.min(f)].contains(&i);
        let shown_grad = |i: usize| p > f && bwd[..(p - f).min(bwd.len())].contains(&i);
        let current = if p == 0 {
            None
        } else if p <= f {
            Some(fwd[p - 1])
        } else {
            bwd.get(p - f - 1).copied()
        };
        let at = layout(&t);
        let width = at.iter().map(|a| a.0).fold(0.0, f64::max) + 60.0;
        let height = at.iter().map(|a| a.1).fold(0.0, f64::max) + 30.0;
        let edges = t
            .nodes
            .iter()
            .enumerate()
            .flat_map(|(i, n)| n.inputs.iter().map(move |&k| (k, i)))
            .map(|(k, i)| {
                let ((x1, y1), (x2, y2)) = (at[k], at[i]);
                view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class="bp-edge" /> }
            })
            .collect_view();
        let nodes = t
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let (x, y) = at[i];
                let value = shown_value(i).then(|| format!("{:.3}", n.value));
                let grad = shown_grad(i).then(|| format!("∂ {:.3}", n.grad));
                let (value_attr, grad_attr) = (
                    value.clone().unwrap_or_default(),
                    grad.clone().unwrap_or_default(),
                );
                let class = match n.kind {
                    NodeKind::Param => "bp-node param",
                    NodeKind::Data => "bp-node data",
                    NodeKind::Op(_) => "bp-node op",
                };
                view! {
                    <g
                        class=class
                        class:current=current == Some(i)
                        data-testid="bp-node"
                        data-name=n.name.clone()
                        data-value=value_attr
                        data-grad=grad_attr
                    >
                        <circle cx=x cy=y r="11" />
                        <text x=x y=y + 4.0 class="bp-sym">{symbol(&n.kind, &n.name)}</text>
                        <text x=x y=y - 14.0 class="bp-val">{value}</text>
                        <text x=x y=y + 23.0 class="bp-grad">{grad}</text>
                    </g>
                }
            })
            .collect_view();
        let describe = current.map(|i| {
            let n = &t.nodes[i];
            let name = if n.name.is_empty() {
                symbol(&n.kind, &n.name)
            } else {
                n.name.clone()
            };
            if p <= f {
                format!("{name} = {:.4}", n.value)
            } else {
                format!("∂loss/∂{name} = {:.4}", n.grad)
            }
        });
        Some(view! {
            <svg
                class="bp-graph"
                viewBox=format!("0 0 {width} {height}")
                role="img"
                aria-label="computation graph"
            >
                {edges}
                {nodes}
            </svg>
            <p class="bp-now" data-testid="bp-now">{describe}</p>
        })
    };
    let update_rows = move || {
        let (f, b) = counts();
        (phase.get() > f + b).then(|| {
            let rows = traced
                .get()
                .map(|t| t.update(lr()))
                .unwrap_or_default()
                .into_iter()
                .map(|(name, old, g, new)| {
                    view! {
                        <tr>
                            <td>{name}</td>
                            <td>{format!("{old:.4}")}</td>
                            <td>{format!("{g:.4}")}</td>
                            <td>{format!("{new:.4}")}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="bp-update" data-testid="bp-update-table">
                    <caption>{move || format!("w ← w − lr · ∂loss/∂w, lr = {}", lr32())}</caption>
                    <thead>
                        <tr>
                            <th></th>
                            <th>{move || tr("before", "更新前")}</th>
                            <th>"∂loss/∂w"</th>
                            <th>{move || tr("after", "更新后")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        })
    };
    view! {
        <figure class="lesson-widget backprop" data-testid="backprop" data-phase=move || phase.get()>
            {graph}
            <div class="bp-buttons">
                <button
                    type="button"
                    data-testid="bp-forward"
                    disabled={move || phase.get() >= counts().0}
                    on:click=move |_| phase.update(|p| *p += 1)
                >
                    {move || tr("Forward ▸", "前向 ▸")}
                </button>
                <button
                    type="button"
                    data-testid="bp-backward"
                    disabled={move || {
                        let (f, b) = counts();
                        phase.get() < f || phase.get() >= f + b
                    }}
                    on:click=move |_| phase.update(|p| *p += 1)
                >
                    {move || tr("◂ Backward", "◂ 反向")}
                </button>
                <button
                    type="button"
                    data-testid="bp-update"
                    disabled={move || {
                        let (f, b) = counts();
                        phase.get() != f + b
                    }}
                    on:click=move |_| phase.update(|p| *p += 1)
                >
                    {move || tr("Update", "更新")}
                </button>
                <button type="button" data-testid="bp-reset" on:click=move |_| phase.set(0)>
                    {move || tr("Start over", "重新开始")}
                </button>
            </div>
            {update_rows}
            <figcaption>
                {move || {
                    tr(
                        "One example, x = (0.5, −1), y = −0.05, through the network's current weights. Above each node: its value; below: the gradient of the loss with respect to it.",
                        "一个样本 x = (0.5, −1)，y = −0.05，用网络当前的权重计算。节点上方是它的值，下方是损失对它的梯度。",
                    )
                }}
            </figcaption>
        </figure>
    }
}
