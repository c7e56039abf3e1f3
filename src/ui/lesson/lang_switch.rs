//! The header's language switch and its "Lessons" button.

use super::super::state::Lab;
use crate::lessons::Lang;
use leptos::prelude::*;

/// English / 中文: the interface and the lessons switch at once; the choice is kept in
/// the address (`lang=`).
#[component]
pub fn LangSwitch(lab: Lab) -> impl IntoView {
    view! {
        <label class="lang-switch">
            <span class="sr-only">{move || lab.lang.get().tr("Language", "语言")}</span>
            <select
                data-testid="lang-select"
                on:change=move |ev| {
                    if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
                        lab.lang.set(lang);
                        lab.lang_chosen.set(true);
                        super::links::show_address(&lab);
                    }
                }
            >
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.code() selected=move || lab.lang.get() == l>
                                {l.own_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// Opens (or closes) the lesson index.
#[component]
pub fn LessonsButton(lab: Lab) -> impl IntoView {
    view! {
        <button
            type="button"
            class="lessons-button"
            data-testid="lessons-button"
            aria-pressed=move || lab.lesson_index.get().to_string()
            on:click=move |_| lab.lesson_index.update(|v| *v = !*v)
        >
            {move || lab.lang.get().tr("Lessons", "课程")}
        </button>
    }
}
