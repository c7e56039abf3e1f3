//! Lessons in the page: the panel beside the lab (text, goals with ticks, hint,
//! previous/next, "try it freely"), the index, the language switch, progress kept in
//! `localStorage`, and the views some steps add (the loss surface, the activations).
//! Lessons themselves (files, goals, validation) are in [`crate::lessons`].

mod backprop_view;
mod goals;
mod index;
mod lang_switch;
mod panel;
pub mod progress;
mod text;
mod widgets;

pub use index::LessonIndex;
pub use lang_switch::{LangSwitch, LessonsButton};
pub use panel::LessonPanel;

use super::links;
use super::state::{Lab, LessonAt};
use crate::lessons::{lesson, normalize_id};

/// The page's stylesheet for lessons (kept here, with the components it styles).
pub const CSS: &str = include_str!("lesson.css");

/// Opens step `step` (from 0; clamped to the lesson's steps) of lesson `id`: the
/// lesson panel shows it and the lab opens the step's experiment. Returns false (with a
/// notice) when there is no such lesson.
pub fn open_step(lab: &Lab, id: &str, step: usize) -> bool {
    let lang = leptos::prelude::GetUntracked::get_untracked(&lab.lang);
    let found = normalize_id(id).map(|id| (lesson(&id, lang), id));
    let (l, id) = match found {
        Some((Ok(l), id)) => (l, id),
        _ => {
            let msg = lang.tr("no such lesson", "没有这一课");
            leptos::prelude::Set::set(&lab.link_notices, vec![format!("{msg}: `{id}`")]);
            return false;
        }
    };
    let step = step.min(l.steps.len().saturating_sub(1));
    leptos::prelude::Set::set(&lab.lesson_index, false);
    leptos::prelude::Set::set(
        &lab.lesson,
        Some(LessonAt {
            id: id.clone(),
            step,
        }),
    );
    let opened = links::open(lab, &l.steps[step].link);
    links::show_address(lab);
    opened
}

/// Closes the lesson; the lab keeps the experiment as it is ("try it freely").
pub fn close(lab: &Lab) {
    leptos::prelude::Set::set(&lab.lesson, None);
    links::show_address(lab);
}
