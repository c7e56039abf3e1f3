//! The lesson panel: the step's text, its goals with a tick once met, a hint after a
//! while (or once the run ended short of the goals), previous/next, the index and
//! "try it freely". While a step is open, the control groups it does not show are
//! hidden and the settings it locks are put back when changed.

use super::super::state::Lab;
use super::goals::{describe, judge};
use super::text::markdown;
use super::{close, open_step, progress, widgets};
use crate::experiment::{decode_link, encode_link};
use crate::lessons::{lesson, overlay, Lang, Lesson, CONTROL_GROUPS, SOURCES};
use leptos::prelude::*;
use std::time::Duration;

/// Seconds in a step before its hint shows.
const HINT_AFTER_S: u64 = 45;

/// `key -> value` of a link.
fn pairs(link: &str) -> Vec<(String, String)> {
    let q = link.split_once('#').map_or(link, |(_, q)| q);
    q.split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The locked keys of `step_link` whose value in `now` differs: `(key, step's value)`.
fn changed_locks(step_link: &str, now: &str, lock: &[String]) -> Vec<(String, String)> {
    let (want, have) = (pairs(step_link), pairs(now));
    let value = |ps: &[(String, String)], k: &str| {
        ps.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())
    };
    lock.iter()
        .filter_map(|k| {
            let w = value(&want, k)?;
            (value(&have, k).as_ref() != Some(&w)).then(|| (k.clone(), w))
        })
        .collect()
}

/// The lesson open beside the lab, if any.
#[component]
pub fn LessonPanel(lab: Lab) -> impl IntoView {
    let current = Memo::new(move |_| {
        let at = lab.lesson.get()?;
        let l = lesson(&at.id, lab.lang.get()).ok()?;
        let step = at.step.min(l.steps.len().saturating_sub(1));
        Some((l, step))
    });
    let goals = Memo::new(move |_| {
        current.with(|c| {
            c.as_ref()
                .map(|(l, s)| l.steps[*s].goals())
                .unwrap_or_default()
        })
    });
    let met = Memo::new(move |_| goals.with(|g| judge(&lab, g)));
    let all_met = move || met.with(|m| !m.is_empty() && m.iter().all(|&x| x));
    Effect::new(move |_| {
        if all_met() {
            if let Some(at) = lab.lesson.get_untracked() {
                progress::mark_done(&lab, &at.id, at.step);
            }
        }
    });
    // The hint: after a while in the step, or as soon as a run ends short of the goals.
    let hint_due = RwSignal::new(false);
    let visit = StoredValue::new(0u64);
    Effect::new(move |_| {
        lab.lesson.track();
        hint_due.set(false);
        visit.update_value(|v| *v += 1);
        let this = visit.get_value();
        set_timeout(
            move || {
                if visit.get_value() == this {
                    hint_due.set(true);
                }
            },
            Duration::from_secs(HINT_AFTER_S),
        );
    });
    let run_over = move || {
        lab.status
            .with(|s| s.total_steps > 0 && s.step >= s.total_steps)
            || lab.error.with(Option::is_some)
    };
    let show_hint = move || !all_met() && (hint_due.get() || run_over());
    // Locked settings go back to the step's values.
    let lock_note = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        let config = lab.config.get();
        let Some((l, s)) = current.get() else {
            return;
        };
        let step = &l.steps[s];
        let Ok(now) = encode_link(&config, None, None) else {
            return;
        };
        let changed = changed_locks(&step.link, &now.fragment, &step.lock);
        if changed.is_empty() {
            return;
        }
        let fix: Vec<String> = changed.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Ok(fixed) = decode_link(&overlay(&now.fragment, &fix.join("&"))) {
            lab.edit(|c| *c = fixed.config);
        }
        lock_note.set(changed.into_iter().map(|(k, _)| k).collect());
    });
    Effect::new(move |_| {
        lab.lesson.track();
        lock_note.set(Vec::new());
    });
    let hidden_css = move || {
        current.with(|c| {
            c.as_ref()
                .map(|(l, s)| {
                    CONTROL_GROUPS
                        .iter()
                        .filter(|g| !l.steps[*s].show.iter().any(|x| x == *g))
                        .map(|g| format!("[data-lesson-group=\"{g}\"]{{display:none}}"))
                        .collect::<String>()
                })
                .unwrap_or_default()
        })
    };
    let tr = move |en: &'static str, zh: &'static str| lab.lang.get().tr(en, zh);
    view! {
        <style>{hidden_css}</style>
        {move || {
            current
                .get()
                .map(|(l, s)| {
                    let hint = l.steps[s].hint.clone();
                    view! {
                        <aside
                            class="lesson-panel"
                            data-testid="lesson-panel"
                            data-lesson=l.id.clone()
                            data-step=s + 1
                        >
                            <div class="lesson-main">
                            {head(lab, &l, s)}
                            {(s == 0).then(|| view! { <div class="lesson-intro">{markdown(&l.intro)}</div> })}
                            <h3 class="lesson-step-title" data-testid="lesson-step-title">
                                {l.steps[s].title.clone()}
                            </h3>
                            <div class="lesson-body">{markdown(&l.steps[s].body)}</div>
                            </div>
                            <div class="lesson-side">
                            {widgets::widget(lab, l.steps[s].widget.as_deref())}
                            <ul class="lesson-goals" data-testid="lesson-goals">
                                {move || {
                                    let lang = lab.lang.get();
                                    goals
                                        .get()
                                        .iter()
                                        .zip(met.get())
                                        .map(|(g, ok)| {
                                            view! {
                                                <li class:met=ok data-testid="lesson-goal" data-met=ok.to_string()>
                                                    <span class="tick" aria-hidden="true">
                                                        {if ok { "✓" } else { "○" }}
                                                    </span>
                                                    <span class="sr-only">
                                                        {if ok { lang.tr("met: ", "已达成：") } else { lang.tr("goal: ", "目标：") }}
                                                    </span>
                                                    {describe(g, lang)}
                                                </li>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </ul>
                            <Show when=all_met>
                                <p class="lesson-done" data-testid="lesson-step-done" role="status">
                                    {move || tr("✓ Step complete.", "✓ 这一步完成了。")}
                                </p>
                            </Show>
                            <Show when=move || lab.error.with(|e| e.as_deref().is_some_and(|m| m.contains("diverged")))>
                                <p class="lesson-diverged" data-testid="lesson-diverged" role="note">
                                    {move || {
                                        tr(
                                            "Training diverged: a step overshot the valley of the loss, the next one overshot further, and the numbers grew until they were infinite (NaN). gradlab checks every weight and gradient at each step and stopped the run there. A smaller learning rate keeps each step inside the valley.",
                                            "训练发散了：某一步越过了损失的谷底，下一步越过得更远，数值越滚越大，直到变成无穷大（NaN）。gradlab 在每一步都检查所有权重和梯度，于是在那里停下了这次训练。调小学习率，每一步就能留在谷里。",
                                        )
                                    }}
                                </p>
                            </Show>
                            <Show when=show_hint>
                                <p class="lesson-hint" data-testid="lesson-hint" role="note">
                                    <strong>{move || tr("Hint: ", "提示：")}</strong>
                                    {hint.clone()}
                                </p>
                            </Show>
                            <Show when=move || lock_note.with(|n| !n.is_empty())>
                                <p class="lesson-lock" role="status">
                                    {move || {
                                        format!(
                                            "{} {}",
                                            tr("Fixed in this step:", "这一步固定不变："),
                                            lock_note.get().join(", "),
                                        )
                                    }}
                                </p>
                            </Show>
                            {nav(lab, &l, s)}
                            </div>
                        </aside>
                    }
                })
        }}
    }
}

/// The panel's title line: lesson number, title, step counter.
fn head(lab: Lab, l: &Lesson, s: usize) -> impl IntoView {
    let (id, n) = (l.id.clone(), l.steps.len());
    view! {
        <div class="lesson-head">
            <p class="lesson-kicker">
                {move || {
                    let num = id.trim_start_matches('0');
                    match lab.lang.get() {
                        Lang::En => format!("Lesson {num} · step {} of {n}", s + 1),
                        Lang::Zh => format!("第 {num} 课 · 第 {}/{n} 步", s + 1),
                    }
                }}
            </p>
            <h2 data-testid="lesson-title">{l.title.clone()}</h2>
        </div>
    }
}

/// Previous, next, the index and "try it freely".
fn nav(lab: Lab, l: &Lesson, s: usize) -> impl IntoView {
    let id = l.id.clone();
    let n = l.steps.len();
    let next_lesson = SOURCES
        .iter()
        .position(|src| src.id == id)
        .and_then(|i| SOURCES.get(i + 1))
        .map(|src| src.id);
    let (id_prev, id_next) = (id.clone(), id.clone());
    let tr = move |en: &'static str, zh: &'static str| lab.lang.get().tr(en, zh);
    view! {
        <nav class="lesson-nav">
            <button
                type="button"
                data-testid="lesson-prev"
                disabled={s == 0}
                on:click=move |_| {
                    open_step(&lab, &id_prev, s.saturating_sub(1));
                }
            >
                {move || tr("← Previous", "← 上一步")}
            </button>
            <button
                type="button"
                class="primary"
                data-testid="lesson-next"
                // Braced: a bare `>` here would end the tag in `view!`.
                disabled={s + 1 >= n && next_lesson.is_none()}
                on:click=move |_| {
                    if s + 1 < n {
                        open_step(&lab, &id_next, s + 1);
                    } else if let Some(next) = next_lesson {
                        open_step(&lab, next, 0);
                    }
                }
            >
                {move || {
                    if s + 1 < n { tr("Next step →", "下一步 →") } else { tr("Next lesson →", "下一课 →") }
                }}
            </button>
            <button type="button" data-testid="lesson-index-open" on:click=move |_| lab.lesson_index.set(true)>
                {move || tr("All lessons", "全部课程")}
            </button>
            <button
                type="button"
                data-testid="lesson-free"
                title=move || tr("Close the lesson and keep this experiment", "关闭课程，保留当前实验")
                on:click=move |_| close(&lab)
            >
                {move || tr("Try it freely", "自由探索")}
            </button>
        </nav>
    }
}
