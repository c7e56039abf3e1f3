//! The lesson file format: restricted Markdown (see [`super::markdown`]) with steps.
//!
//! ```text
//! # Title of the lesson
//! Introduction (Markdown).
//!
//! ## Title of step 1
//! :::step
//! link: #v=1&data=linear&...            the experiment, as a full link (replays exactly)
//! show: data, optimizer, training       the control groups shown (see CONTROL_GROUPS)
//! lock: data, samples, noise            link keys the learner may not change
//! goal: train_loss < 0.01 within 100 epochs     (any number of goals)
//! solution: lr=0.1&hidden=4             link keys that, applied to `link`, meet every goal
//! widget: loss-surface                  an extra view (see WIDGETS), optional
//! hint: Try a larger learning rate.     shown after a while (this language)
//! :::
//! Text of step 1 (Markdown).
//! ```
//!
//! Everything but `hint` and the Markdown is the same in every language; the validator
//! checks that it is.

use super::goal::Goal;

/// The control groups a step may show (the page's panels and bars).
pub const CONTROL_GROUPS: [&str; 6] =
    ["data", "network", "optimizer", "training", "share", "model"];

/// The extra views a step may ask for.
pub const WIDGETS: [&str; 5] = [
    "loss-surface",
    "activations",
    "backprop",
    "compare",
    "sweep",
];

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The step's title.
    pub title: String,
    /// The experiment's link (`#v=1&...`, every key written).
    pub link: String,
    /// The control groups shown (the others are hidden).
    pub show: Vec<String>,
    /// Link keys locked during the step.
    pub lock: Vec<String>,
    /// Goal texts as written (parse them with [`Step::goals`]).
    pub goals: Vec<String>,
    /// Link keys and values (`lr=0.1&hidden=4`) that meet every goal.
    pub solution: String,
    /// An extra view, if any.
    pub widget: Option<String>,
    /// The hint shown after a while.
    pub hint: String,
    /// The step's text (Markdown).
    pub body: String,
}

impl Step {
    /// The goals, parsed (the validator has checked they parse).
    pub fn goals(&self) -> Vec<Goal> {
        self.goals
            .iter()
            .filter_map(|g| Goal::parse(g).ok())
            .collect()
    }

    /// The step's link with the solution's keys written over it.
    pub fn solved_link(&self) -> String {
        overlay(&self.link, &self.solution)
    }
}

/// A lesson in one language.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Two digits (`01`).
    pub id: String,
    /// The title.
    pub title: String,
    /// The introduction (Markdown).
    pub intro: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// `link` with each `key=value` of `changes` replacing that key's value (or appended
/// before `run`/`w` when the link lacks the key).
pub fn overlay(link: &str, changes: &str) -> String {
    let (prefix, query) = link.split_once('#').map_or(("", link), |(p, q)| (p, q));
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    for change in changes.split('&').filter(|c| !c.trim().is_empty()) {
        let (k, v) = change.trim().split_once('=').unwrap_or((change.trim(), ""));
        match pairs.iter_mut().find(|(pk, _)| pk == k) {
            Some(pair) => pair.1 = v.to_string(),
            None => pairs.push((k.to_string(), v.to_string())),
        }
    }
    let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let hash = if link.contains('#') || prefix.is_empty() {
        "#"
    } else {
        ""
    };
    format!("{prefix}{hash}{}", body.join("&"))
}

/// Parses the lesson `id` from its file `text`. Errs with the line and what is wrong.
pub fn parse_lesson(id: &str, text: &str) -> Result<Lesson, String> {
    let mut title = None;
    let mut intro = String::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut in_block = false;
    for (n, line) in text.lines().enumerate() {
        let at = |m: String| format!("lesson {id}, line {}: {m}", n + 1);
        let t = line.trim();
        if in_block {
            if t == ":::" {
                in_block = false;
                continue;
            }
            let step = steps
                .last_mut()
                .ok_or_else(|| at("a step block outside a step".into()))?;
            let (key, value) = t
                .split_once(':')
                .ok_or_else(|| at(format!("`{t}` is not `key: value`")))?;
            let value = value.trim().to_string();
            let list = || -> Vec<String> {
                value
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            };
            match key.trim() {
                "link" => step.link = value,
                "show" => step.show = list(),
                "lock" => step.lock = list(),
                "goal" => step.goals.push(value),
                "solution" => step.solution = value,
                "widget" => step.widget = Some(value),
                "hint" => step.hint = value,
                other => return Err(at(format!("unknown step field `{other}`"))),
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("# ").filter(|_| title.is_none()) {
            title = Some(rest.trim().to_string());
        } else if let Some(rest) = t.strip_prefix("## ") {
            steps.push(Step {
                title: rest.trim().to_string(),
                link: String::new(),
                show: Vec::new(),
                lock: Vec::new(),
                goals: Vec::new(),
                solution: String::new(),
                widget: None,
                hint: String::new(),
                body: String::new(),
            });
        } else if t == ":::step" {
            if steps.is_empty() {
                return Err(at("a step block before the first `## step`".into()));
            }
            in_block = true;
        } else {
            let into = match steps.last_mut() {
                Some(s) => &mut s.body,
                None => &mut intro,
            };
            into.push_str(line);
            into.push('\n');
        }
    }
    if in_block {
        return Err(format!(
            "lesson {id}: a step block is not closed with `:::`"
        ));
    }
    let title = title.ok_or_else(|| format!("lesson {id}: no `# title` line"))?;
    if steps.is_empty() {
        return Err(format!(
            "lesson {id}: no steps (`## ...` with a `:::step` block)"
        ));
    }
    for (i, s) in steps.iter().enumerate() {
        if s.link.is_empty() {
            return Err(format!("lesson {id}, step {}: no `link:`", i + 1));
        }
    }
    Ok(Lesson {
        id: id.to_string(),
        title,
        intro: intro.trim().to_string(),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_replaces_and_appends() {
        assert_eq!(
            overlay("#v=1&lr=0.1&seed=1", "lr=0.5&x=2"),
            "#v=1&lr=0.5&seed=1&x=2"
        );
        assert_eq!(overlay("#v=1&lr=0.1", ""), "#v=1&lr=0.1");
    }

    #[test]
    fn parses_steps() {
        let text = "# T\nintro\n\n## S1\n:::step\nlink: #v=1\nshow: data, optimizer\ngoal: diverged\nhint: h\n:::\nbody\n## S2\n:::step\nlink: #v=1\n:::\n";
        let l = parse_lesson("01", text).unwrap();
        assert_eq!(l.title, "T");
        assert_eq!(l.intro, "intro");
        assert_eq!(l.steps.len(), 2);
        assert_eq!(l.steps[0].show, ["data", "optimizer"]);
        assert_eq!(l.steps[0].goals, ["diverged"]);
        assert_eq!(l.steps[0].body.trim(), "body");
        assert!(parse_lesson("02", "# T\n## S\n:::step\nlink: x\n").is_err());
        assert!(parse_lesson("03", "# T\n## S\n:::step\nbad line\n:::\n").is_err());
    }
}
