//! The lesson check (run by `tests/lessons.rs` in `make test`): every file parses, both
//! languages have the same steps, every step's link (and its solution) decodes with no
//! warnings, the controls it names exist, its goals name real metrics that the task
//! reports, and no text carries raw HTML.

use super::file::{Lesson, Step, CONTROL_GROUPS, WIDGETS};
use super::goal::Goal;
use super::markdown::html_like;
use super::{parse_lesson, Lang, Source, SOURCES};
use crate::experiment::{decode_link, link::key_names};

/// Every problem found in every lesson (empty when all is well).
pub fn validate_all() -> Vec<String> {
    SOURCES.iter().flat_map(validate_source).collect()
}

/// Every problem of one lesson, in both languages.
pub fn validate_source(src: &Source) -> Vec<String> {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for lang in Lang::ALL {
        let text = src.text(lang);
        if html_like(text) {
            problems.push(format!(
                "{}/{}: raw HTML is not allowed",
                lang.code(),
                src.file
            ));
        }
        match parse_lesson(src.id, text) {
            Ok(l) => parsed.push((lang, l)),
            Err(e) => problems.push(format!("{}/{}: {e}", lang.code(), src.file)),
        }
    }
    for (lang, lesson) in &parsed {
        for (i, step) in lesson.steps.iter().enumerate() {
            let at = format!("{}/{} step {}", lang.code(), src.file, i + 1);
            problems.extend(check_step(step).into_iter().map(|p| format!("{at}: {p}")));
        }
    }
    if let [(_, en), (_, zh)] = parsed.as_slice() {
        problems.extend(same_steps(src.file, en, zh));
    }
    problems
}

/// The problems of one step (in either language).
pub fn check_step(step: &Step) -> Vec<String> {
    let mut p = Vec::new();
    let classification = match decode_link(&step.link) {
        Ok(link) => {
            p.extend(link.warnings.iter().map(|w| format!("link: {w}")));
            Some(link.config.data.is_classification())
        }
        Err(e) => {
            p.push(format!("link does not open: {e}"));
            None
        }
    };
    if step.solution.trim().is_empty() {
        p.push("no `solution:` (the settings that meet the goals)".into());
    }
    match decode_link(&step.solved_link()) {
        Ok(link) => p.extend(link.warnings.iter().map(|w| format!("solution: {w}"))),
        Err(e) => p.push(format!("solution does not open: {e}")),
    }
    for g in &step.show {
        if !CONTROL_GROUPS.contains(&g.as_str()) {
            p.push(format!(
                "show: no control group `{g}` (one of {})",
                CONTROL_GROUPS.join(", ")
            ));
        }
    }
    let keys = key_names();
    for k in &step.lock {
        if !keys.contains(&k.as_str()) {
            p.push(format!("lock: no setting `{k}`"));
        }
    }
    if step.goals.is_empty() {
        p.push("no goal".into());
    }
    for g in &step.goals {
        match Goal::parse(g) {
            Ok(goal) => {
                if let (Some(m), Some(c)) = (goal.metric(), classification) {
                    if !m.applies(c) {
                        p.push(format!(
                            "goal `{g}`: this task does not report {}",
                            m.name()
                        ));
                    }
                }
            }
            Err(e) => p.push(e),
        }
    }
    if let Some(w) = &step.widget {
        if !WIDGETS.contains(&w.as_str()) {
            p.push(format!("widget: no `{w}` (one of {})", WIDGETS.join(", ")));
        }
    }
    if step.hint.trim().is_empty() {
        p.push("no `hint:`".into());
    }
    if step.body.trim().is_empty() {
        p.push("no text".into());
    }
    p
}

/// Differences between the two languages' steps in what must not differ: the number of
/// steps and each step's link, controls, goals, solution and widget.
fn same_steps(file: &str, en: &Lesson, zh: &Lesson) -> Vec<String> {
    if en.steps.len() != zh.steps.len() {
        return vec![format!(
            "{file}: {} steps in English, {} in Chinese",
            en.steps.len(),
            zh.steps.len()
        )];
    }
    let mut p = Vec::new();
    for (i, (a, b)) in en.steps.iter().zip(&zh.steps).enumerate() {
        let fields = [
            ("link", a.link == b.link),
            ("show", a.show == b.show),
            ("lock", a.lock == b.lock),
            ("goal", a.goals == b.goals),
            ("solution", a.solution == b.solution),
            ("widget", a.widget == b.widget),
        ];
        for (name, same) in fields {
            if !same {
                p.push(format!(
                    "{file} step {}: `{name}` differs between en and zh",
                    i + 1
                ));
            }
        }
    }
    p
}
