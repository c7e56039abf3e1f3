//! Lessons: short texts beside live experiments, in English and Simplified Chinese.
//!
//! Each lesson is a file in `lessons/en/` and `lessons/zh/` (format in [`file`]),
//! compiled into the app with `include_str!` (the text is small, a few kilobytes a
//! lesson, so nothing is fetched later and lessons work offline). Each step names an
//! experiment by its link, the controls shown and locked, and goals on live metrics
//! ([`goal`]) that the page checks while training. [`validate`] checks every lesson
//! (run by `tests/lessons.rs`); `tests/lessons_goals.rs` trains every step's solution.

pub mod backprop;
pub mod compare;
pub mod file;
pub mod goal;
pub mod markdown;
pub mod sweep;
pub mod validate;

pub use file::{overlay, parse_lesson, Lesson, Step, CONTROL_GROUPS, WIDGETS};
pub use goal::{Goal, Metric};

/// A language of the interface and the lessons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Both languages.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The code used in links (`lang=zh`) and in `lessons/<code>/`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The language of a code (`zh`, `zh-CN`, `en-US`...): Chinese for any `zh`, English
    /// for any `en`; `None` otherwise.
    pub fn from_code(code: &str) -> Option<Lang> {
        let c = code.trim().to_ascii_lowercase();
        if c.starts_with("zh") {
            Some(Lang::Zh)
        } else if c.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language's own name, for the switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// `en` or `zh`, whichever is this language: every interface string is written as
    /// such a pair at the place it is shown, so none can lack a translation.
    pub fn tr(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// One lesson's source files.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    /// Two digits (`01`).
    pub id: &'static str,
    /// The file name without language folder (`01-linear-regression.md`).
    pub file: &'static str,
    /// The English text.
    pub en: &'static str,
    /// The Chinese text.
    pub zh: &'static str,
}

impl Source {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// `source!("01", "01-name")`: both language files of a lesson, compiled in.
macro_rules! source {
    ($id:literal, $name:literal) => {
        Source {
            id: $id,
            file: concat!($name, ".md"),
            en: include_str!(concat!("../../lessons/en/", $name, ".md")),
            zh: include_str!(concat!("../../lessons/zh/", $name, ".md")),
        }
    };
}

/// Every lesson, in order.
pub static SOURCES: &[Source] = &[
    source!("01", "01-linear-regression"),
    source!("02", "02-loss-functions"),
    source!("03", "03-activations"),
    source!("04", "04-backpropagation"),
    source!("05", "05-learning-rate"),
    source!("06", "06-optimizers"),
    source!("07", "07-capacity"),
    source!("08", "08-evaluation"),
    source!("09", "09-overfitting"),
    source!("10", "10-images"),
    source!("11", "11-text"),
    source!("12", "12-inference"),
];

/// Lesson `id` (`03`, or `3`) in `lang`, parsed. Errs when there is no such lesson or
/// its file does not parse (the validator makes sure every file does).
pub fn lesson(id: &str, lang: Lang) -> Result<Lesson, String> {
    let id = normalize_id(id).ok_or_else(|| format!("no lesson `{id}`"))?;
    let src = SOURCES
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| format!("no lesson `{id}`"))?;
    parse_lesson(src.id, src.text(lang))
}

/// Every lesson in `lang` that parses, in order.
pub fn all(lang: Lang) -> Vec<Lesson> {
    SOURCES
        .iter()
        .filter_map(|s| parse_lesson(s.id, s.text(lang)).ok())
        .collect()
}

/// `3`, `03` -> `03`; `None` for what is not a number from 1 to 99.
pub fn normalize_id(id: &str) -> Option<String> {
    let n: u32 = id.trim().parse().ok()?;
    (1..=99).contains(&n).then(|| format!("{n:02}"))
}
