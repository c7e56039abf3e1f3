//! A step's goals on the page: each said in the page's language, judged on the live run
//! with [`Goal::met`] (the same judgement as the native test of the lessons).

use super::super::state::Lab;
use crate::lessons::goal::{Cmp, Metric, Within};
use crate::lessons::{Goal, Lang};
use leptos::prelude::*;

/// The metric as people say it.
fn metric_name(m: Metric, lang: Lang) -> &'static str {
    match m {
        Metric::TrainLoss => lang.tr("training loss", "训练损失"),
        Metric::TestLoss => lang.tr("test loss", "测试损失"),
        Metric::Accuracy => lang.tr("test accuracy", "测试准确率"),
        Metric::Precision => lang.tr("test precision", "测试精确率"),
        Metric::Recall => lang.tr("test recall", "测试召回率"),
        Metric::F1 => lang.tr("test F1", "测试 F1"),
        Metric::ExactMatch => lang.tr("test exact match", "测试完全匹配率"),
        Metric::Mse => lang.tr("test MSE", "测试均方误差"),
        Metric::R2 => lang.tr("test R²", "测试 R²"),
        Metric::HiddenLayers => lang.tr("hidden layers", "隐藏层数"),
        Metric::HiddenUnits => lang.tr("hidden units", "隐藏神经元总数"),
    }
}

/// The goal as a sentence (`test accuracy ≥ 0.95 within 100 epochs`).
pub fn describe(goal: &Goal, lang: Lang) -> String {
    match goal {
        Goal::Diverged => lang
            .tr("make the training diverge", "让训练发散")
            .to_string(),
        Goal::Reach {
            metric,
            cmp,
            value,
            within,
        } => {
            let op = match cmp {
                Cmp::Lt => "<",
                Cmp::Le => "≤",
                Cmp::Gt => ">",
                Cmp::Ge => "≥",
            };
            let name = metric_name(*metric, lang);
            let when = match (within, lang) {
                (None, _) => String::new(),
                (Some(Within::Epochs(n)), Lang::En) => format!(" within {n} epochs"),
                (Some(Within::Epochs(n)), Lang::Zh) => format!("（{n} 轮以内）"),
                (Some(Within::Steps(n)), Lang::En) => format!(" within {n} steps"),
                (Some(Within::Steps(n)), Lang::Zh) => format!("（{n} 步以内）"),
                (Some(Within::End), Lang::En) => " at the end of training".into(),
                (Some(Within::End), Lang::Zh) => "（训练结束时）".into(),
            };
            format!("{name} {op} {value}{when}")
        }
    }
}

/// Whether each goal is met by the run shown: its history (with the latest readback),
/// the configuration being edited, and whether it diverged.
pub fn judge(lab: &Lab, goals: &[Goal]) -> Vec<bool> {
    let config = lab.config.get();
    let mut history = lab.history.get();
    if let Some(live) = lab.live.get() {
        if history.last().map(|p| p.step) != Some(live.step) {
            history.push(live);
        }
    }
    // The driver's divergence message (`Error::NonFinite`): "training diverged at ...".
    let diverged = lab
        .error
        .with(|e| e.as_deref().is_some_and(|m| m.contains("diverged")));
    goals
        .iter()
        .map(|g| g.met(&config, &history, diverged))
        .collect()
}
