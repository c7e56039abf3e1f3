//! Lesson progress, kept in `localStorage` (`gradlab.lessons.done`: completed steps as
//! `03.2`, comma-separated). Storage may be missing or refused (private windows): the
//! page then keeps progress for this visit only.

use super::super::state::Lab;
use leptos::prelude::*;

/// The `localStorage` key.
const KEY: &str = "gradlab.lessons.done";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The steps completed on earlier visits.
pub fn load() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The key of step `step` (from 0) of lesson `id`.
pub fn step_key(id: &str, step: usize) -> String {
    format!("{id}.{}", step + 1)
}

/// Marks a step completed (once) and stores the list.
pub fn mark_done(lab: &Lab, id: &str, step: usize) {
    let key = step_key(id, step);
    if lab.lessons_done.with_untracked(|d| d.contains(&key)) {
        return;
    }
    lab.lessons_done.update(|d| d.push(key));
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, &lab.lessons_done.get_untracked().join(","));
    }
}
