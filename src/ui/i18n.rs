//! The interface in English and Simplified Chinese. Components keep their English text
//! and show it through [`t`] (or [`tf`], for text with values in it), which gives the
//! Chinese of the page's language when the page is in Chinese. [`t`] reads the language
//! signal, so a closure that shows `t(...)` follows the language switch. Text without a
//! Chinese entry shows in English rather than not at all.
//!
//! Messages written by the core (errors, notices, link warnings) are English; [`msg`]
//! translates them where the page shows them, by their shape ([`pattern`]): the
//! message patterns are in `zh_messages.rs`.
//!
//! Each area of the page keeps its Chinese in its own table (`fn zh(&str) ->
//! Option<&'static str>`); [`zh`] asks them in the order of [`AREAS`].

use crate::lessons::Lang;
use leptos::prelude::*;
use std::cell::Cell;

mod pattern;
mod zh_messages;
mod zh_page;
mod zh_presets;

/// The Chinese tables of each area of the page, asked in order: add an area's table
/// here with one line (and to `AREA_TABLES` in `tests/lessons_i18n.rs`).
const AREAS: &[fn(&str) -> Option<&'static str>] = &[
    zh_page::zh,
    zh_presets::zh,
    super::resume::zh::zh,
    super::text::zh::zh,
    super::translate_zh::zh,
    super::text_views::zh::zh,
];

thread_local! {
    /// The page's language signal (one page per thread: the browser's main thread).
    static LANG: Cell<Option<RwSignal<Lang>>> = const { Cell::new(None) };
}

/// Makes `lang` the language [`t`] follows.
pub fn install(lang: RwSignal<Lang>) {
    LANG.with(|l| l.set(Some(lang)));
}

/// The page's language (tracked when read in a reactive closure).
pub fn lang() -> Lang {
    LANG.with(Cell::get).map(|s| s.get()).unwrap_or_default()
}

/// `en` in the page's language.
pub fn t(en: &'static str) -> &'static str {
    match lang() {
        Lang::En => en,
        Lang::Zh => zh(en).unwrap_or(en),
    }
}

/// `en` in the page's language with each `{}` replaced by the next of `values`, in order
/// (the Chinese entry has the same `{}` holes, in the same order).
pub fn tf(en: &'static str, values: &[&dyn std::fmt::Display]) -> String {
    let mut parts = t(en).split("{}");
    let mut out = String::from(parts.next().unwrap_or_default());
    for (i, part) in parts.enumerate() {
        if let Some(v) = values.get(i) {
            out.push_str(&v.to_string());
        }
        out.push_str(part);
    }
    out
}

/// A message written in English by the core (an error, a notice, a link warning), in
/// the page's language: an entry of the tables, a known message pattern with its holes
/// translated in turn, or the message as it is.
pub fn msg(message: &str) -> String {
    match lang() {
        Lang::En => message.to_string(),
        Lang::Zh => translate_message(message),
    }
}

/// The Chinese of `message` as far as the tables and patterns know it.
fn translate_message(message: &str) -> String {
    if let Some(z) = zh(message) {
        return z.to_string();
    }
    pattern::rewrite(message, zh_messages::MESSAGES, &translate_message)
        .unwrap_or_else(|| message.to_string())
}

/// The Chinese of an English interface text, from the first area table that has it.
pub fn zh(en: &str) -> Option<&'static str> {
    AREAS.iter().find_map(|area| area(en))
}
