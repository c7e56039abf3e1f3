//! The lesson check in `make test`: every lesson file parses, both languages have the
//! same steps, every link and solution decodes without warnings, the controls named
//! exist, the goals name metrics the task reports, and no raw HTML. Also checks that the
//! check itself notices each kind of fault, on broken copies of a real lesson.

use gradlab::lessons::validate::{check_step, validate_all, validate_source};
use gradlab::lessons::{all, lesson, Lang, Source, SOURCES};

/// The curriculum's lessons.
const LESSONS: u32 = 12;

#[test]
fn every_lesson_is_valid() {
    let problems = validate_all();
    assert!(
        problems.is_empty(),
        "lesson problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_lesson_exists_in_both_languages() {
    for lang in Lang::ALL {
        let ids: Vec<String> = all(lang).into_iter().map(|l| l.id).collect();
        let want: Vec<String> = (1..=LESSONS).map(|n| format!("{n:02}")).collect();
        assert_eq!(ids, want, "{lang:?}");
    }
    assert_eq!(lesson("4", Lang::Zh).unwrap().id, "04");
    assert!(lesson("42", Lang::En).is_err());
}

/// A copy of lesson 1's source whose Chinese text is `zh`.
fn with_zh(zh: &'static str) -> Source {
    Source { zh, ..SOURCES[0] }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn the_check_notices_faults() {
    let en = SOURCES[0].en;
    let cases = [
        (
            en.replace("samples=100", "samples=100&bogus=1"),
            "unknown key",
        ),
        (en.replace("lr=0.1&", "lr=-4&"), "lr"),
        (
            en.replacen("show: training", "show: trainig", 1),
            "control group",
        ),
        (en.replacen("lock: data", "lock: dta", 1), "no setting"),
        (
            en.replacen("goal: train_loss", "goal: train_los", 1),
            "unknown metric",
        ),
        (
            en.replacen("goal: train_loss <", "goal: test_accuracy >", 1),
            "does not report",
        ),
        (
            en.replacen("solution: lr=0.1", "solution: lr=zz", 1),
            "solution",
        ),
        (
            en.replacen("widget: loss-surface", "widget: surface", 1),
            "widget",
        ),
        (
            en.replacen(
                "\n## A slower start",
                "\nsee <b>this</b>\n## A slower start",
                1,
            ),
            "HTML",
        ),
        (
            en.split("\n## A slower start")
                .next()
                .unwrap_or_default()
                .to_string(),
            "steps in English",
        ),
        (en.replacen("lr=0.005", "lr=0.006", 1), "differs"),
    ];
    for (zh, want) in cases {
        let problems = validate_source(&with_zh(leak(zh)));
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "expected a problem with `{want}`, got {problems:?}"
        );
    }
    assert!(validate_source(&with_zh(en)).is_empty());
    let mut step = lesson("01", Lang::En).unwrap().steps.remove(0);
    step.hint.clear();
    assert!(check_step(&step).iter().any(|p| p.contains("hint")));
}
