//! Training settings: loss, optimizer and its parameters, learning rate, L1/L2, and the
//! budget (epochs or unlimited).

use super::fields::{check_field, number_field, select_field};
use super::i18n::t;
use super::state::Lab;
use crate::experiment::{limits, Budget, LossKind};
use crate::optim::OptimizerKind;
use leptos::prelude::*;

/// The step budget used for "unlimited" training (the limit table's largest).
const UNLIMITED_STEPS: u64 = limits::STEPS.max;

/// The optimizer panel.
#[component]
pub fn OptimizerControls(lab: Lab) -> impl IntoView {
    let cfg = lab.config;
    let kind = move || cfg.with(|c| c.optimizer.kind);
    let losses = move || {
        let classify = cfg.with(|c| c.data.is_classification());
        LossKind::ALL
            .iter()
            .filter(|&&l| match l {
                LossKind::Mse => true,
                LossKind::Mae => !classify,
                LossKind::CrossEntropy => classify,
            })
            .map(|l| (l.name().to_string(), l.name().to_string()))
            .collect::<Vec<_>>()
    };
    let unlimited = move || cfg.with(|c| c.budget == Budget::Steps(UNLIMITED_STEPS));
    view! {
        <fieldset class="group">
            <legend>{move || t("Training")}</legend>
            {move || {
                select_field(
                    "Loss",
                    "The objective: mean squared error, or cross-entropy of the softmax (classification)",
                    losses(),
                    move || cfg.with(|c| c.loss.name().to_string()),
                    move |v| {
                        if let Some(l) = LossKind::from_name(&v) {
                            lab.edit(|c| c.loss = l)
                        }
                    },
                )
            }}
            {select_field(
                "Optimizer",
                "The update rule (PyTorch's equations)",
                OptimizerKind::ALL
                    .iter()
                    .map(|k| (k.name().to_string(), k.name().to_string()))
                    .collect(),
                move || kind().name().to_string(),
                move |v| {
                    if let Some(k) = OptimizerKind::from_name(&v) {
                        lab.edit(|c| c.optimizer.kind = k)
                    }
                },
            )}
            {number_field(
                "Learning rate",
                "Step size of the optimizer",
                limits::LR.control().bounds(),
                move || cfg.with(|c| c.optimizer.lr as f64),
                move |v| lab.edit(|c| c.optimizer.lr = v as f32),
            )}
            <Show when=move || kind() == OptimizerKind::Momentum>
                {number_field(
                    "Momentum",
                    "Momentum factor",
                    limits::MOMENTUM.control().bounds(),
                    move || cfg.with(|c| c.optimizer.momentum as f64),
                    move |v| lab.edit(|c| c.optimizer.momentum = v as f32),
                )}
                {check_field(
                    "Nesterov",
                    "Nesterov momentum",
                    move || cfg.with(|c| c.optimizer.nesterov),
                    move |on| lab.edit(|c| c.optimizer.nesterov = on),
                )}
            </Show>
            <Show when=move || matches!(kind(), OptimizerKind::Adam | OptimizerKind::AdamW)>
                {number_field(
                    "β₁",
                    "Decay of Adam's first moment",
                    limits::BETA1.control().bounds(),
                    move || cfg.with(|c| c.optimizer.beta1 as f64),
                    move |v| lab.edit(|c| c.optimizer.beta1 = v as f32),
                )}
                {number_field(
                    "β₂",
                    "Decay of Adam's second moment",
                    limits::BETA2.control().bounds(),
                    move || cfg.with(|c| c.optimizer.beta2 as f64),
                    move |v| lab.edit(|c| c.optimizer.beta2 = v as f32),
                )}
            </Show>
            <Show when=move || kind() == OptimizerKind::AdamW>
                {number_field(
                    "Weight decay",
                    "AdamW's decoupled weight decay",
                    limits::WEIGHT_DECAY.control().bounds(),
                    move || cfg.with(|c| c.optimizer.weight_decay as f64),
                    move |v| lab.edit(|c| c.optimizer.weight_decay = v as f32),
                )}
            </Show>
            {number_field(
                "L1",
                "L1 penalty: adds l1 · sign(w) to each gradient",
                limits::L1.control().bounds(),
                move || cfg.with(|c| c.optimizer.l1 as f64),
                move |v| lab.edit(|c| c.optimizer.l1 = v as f32),
            )}
            {number_field(
                "L2",
                "L2 penalty: adds l2 · w to each gradient",
                limits::L2.control().bounds(),
                move || cfg.with(|c| c.optimizer.l2 as f64),
                move |v| lab.edit(|c| c.optimizer.l2 = v as f32),
            )}
            <div class="row">
                <Show when=move || !unlimited()>
                    {number_field(
                        "Epochs",
                        "Whole passes over the training set before training stops",
                        limits::EPOCHS.control().bounds(),
                        move || {
                            cfg.with(|c| match c.budget {
                                Budget::Epochs(e) => e as f64,
                                Budget::Steps(_) => 0.0,
                            })
                        },
                        move |v| lab.edit(|c| c.budget = Budget::Epochs(v.round() as u32)),
                    )}
                </Show>
                {check_field(
                    "Unlimited",
                    "Train until paused",
                    unlimited,
                    move |on| {
                        lab.edit(|c| {
                            c.budget = if on {
                                Budget::Steps(UNLIMITED_STEPS)
                            } else {
                                Budget::Epochs(limits::EPOCHS.default as u32)
                            }
                        })
                    },
                )}
            </div>
        </fieldset>
    }
}
