//! The lesson index: every lesson in the page's language with its progress; a lesson
//! opens at its first step not yet completed.

use super::super::state::Lab;
use super::{open_step, progress};
use crate::lessons::all;
use leptos::prelude::*;

/// The list of lessons (shown while [`Lab::lesson_index`] is set).
#[component]
pub fn LessonIndex(lab: Lab) -> impl IntoView {
    let tr = move |en: &'static str, zh: &'static str| lab.lang.get().tr(en, zh);
    view! {
        <Show when=move || lab.lesson_index.get()>
            <section class="lesson-index" data-testid="lesson-index" aria-label=move || tr("Lessons", "课程")>
                <div class="lesson-index-head">
                    <h2>{move || tr("Lessons", "课程")}</h2>
                    <button
                        type="button"
                        class="dismiss"
                        aria-label=move || tr("Close the lesson list", "关闭课程列表")
                        on:click=move |_| lab.lesson_index.set(false)
                    >
                        "×"
                    </button>
                </div>
                <p class="hint">
                    {move || {
                        tr(
                            "Each lesson is a short text beside a live experiment, with goals you reach by changing it.",
                            "每一课都是一段简短的讲解，配着一个可以动手的实验；改动实验，达成目标。",
                        )
                    }}
                </p>
                <ol class="lesson-list">
                    {move || {
                        let done = lab.lessons_done.get();
                        all(lab.lang.get())
                            .into_iter()
                            .map(|l| {
                                let n = l.steps.len();
                                let finished: Vec<bool> = (0..n)
                                    .map(|s| done.contains(&progress::step_key(&l.id, s)))
                                    .collect();
                                let count = finished.iter().filter(|&&d| d).count();
                                let first_open = finished.iter().position(|d| !d).unwrap_or(0);
                                let id = l.id.clone();
                                view! {
                                    <li class:done=count == n>
                                        <button
                                            type="button"
                                            class="lesson-link"
                                            data-testid=format!("lesson-open-{}", l.id)
                                            on:click=move |_| {
                                                open_step(&lab, &id, first_open);
                                            }
                                        >
                                            <span class="lesson-num">{l.id.clone()}</span>
                                            <span class="lesson-name">{l.title.clone()}</span>
                                            <span class="lesson-progress">
                                                {if count == n { "✓".to_string() } else { format!("{count}/{n}") }}
                                            </span>
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ol>
                <p class="hint">
                    {move || {
                        tr(
                            "Each step is a live experiment: the lab stays usable, and your progress stays in this browser.",
                            "每一步都是一个真实运行的实验：实验台随时可用，学习进度保存在这个浏览器里。",
                        )
                    }}
                </p>
            </section>
        </Show>
    }
}
