//! Hand-written argument parsing: a few commands and flags do not need a framework.
//! Every mistake is a [`UsageError`] with a message (and, for names, the closest valid
//! ones), which the caller turns into exit code 2.

use super::suggest::closest;
use crate::experiment::{presets, BackendChoice};
use std::fmt;
use std::path::PathBuf;

/// A command line that cannot be understood, with the message to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Print help: the overview, or one command's usage.
    Help(Option<&'static str>),
    /// Print the version.
    Version,
    /// List the presets.
    Presets,
    /// List the presets with what each costs (`presets --cost`).
    PresetCosts,
    /// Train a preset or an experiment link.
    Run(RunArgs),
    /// Print the canonical link of a preset (or of a link).
    Link(String),
    /// Run the benchmark.
    Bench(BenchArgs),
    /// Predict with a trained model file.
    Predict(super::predict::PredictArgs),
    /// Write an experiment as a PyTorch project.
    Export(super::export::ExportArgs),
    /// Sample text from a character language model file.
    Sample(super::sample::SampleArgs),
    /// Translate written dates with a dates translator file.
    Translate(super::translate::TranslateArgs),
}

/// Arguments of `gradlab run`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunArgs {
    /// The preset's name (known to exist), or an experiment link (a full URL, a
    /// `#v=1&...` fragment or a bare `v=1&...`; decoded when the run starts).
    pub preset: String,
    /// Which backend to run on (`None`: the link's backend; the CPU for a preset).
    pub backend: Option<BackendChoice>,
    /// Override the budget with this many steps.
    pub steps: Option<u64>,
    /// Override the preset's seed.
    pub seed: Option<u64>,
    /// Write metrics.json, model.safetensors, data.csv and loss.svg here.
    pub out: Option<PathBuf>,
    /// Run a configuration over the default cost limits (up to the machine's ceiling).
    pub allow_large: bool,
}

/// Arguments of `gradlab bench`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchArgs {
    /// Print JSON instead of a table.
    pub json: bool,
    /// Which rows: `cpu` only, `gpu` only, or `auto` (CPU, and GPU when available).
    pub backend: BackendChoice,
    /// Time only this job (a peer job of `bench::PEER_JOBS` or `bench::PRESET_JOBS`, or
    /// `matmul-256` / `matmul-1024`), on the CPU unless `--backend gpu`: one row, for the
    /// drivers that time gradlab against its peers.
    pub job: Option<String>,
}

impl Default for BenchArgs {
    fn default() -> Self {
        BenchArgs {
            json: false,
            backend: BackendChoice::Auto,
            job: None,
        }
    }
}

/// The commands, for suggestions.
const COMMANDS: &[&str] = &[
    "presets",
    "run",
    "link",
    "predict",
    "sample",
    "bench",
    "help",
    "export",
    "translate",
];

/// Parse the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let Some((first, rest)) = args.split_first() else {
        return Err(UsageError("no command given".into()));
    };
    match first.as_str() {
        "-h" | "--help" => Ok(Command::Help(None)),
        "-V" | "--version" => Ok(Command::Version),
        "help" => match rest {
            [] => Ok(Command::Help(None)),
            [topic] => match COMMANDS.iter().find(|c| **c == topic.as_str()) {
                Some(c) => Ok(Command::Help(Some(c))),
                None => Err(unknown("command", topic, COMMANDS.iter().copied())),
            },
            _ => Err(UsageError("help takes at most one command name".into())),
        },
        "presets" => {
            if wants_help(rest) {
                return Ok(Command::Help(Some("presets")));
            }
            match rest {
                [] => Ok(Command::Presets),
                [flag] if flag == "--cost" => Ok(Command::PresetCosts),
                [a, ..] => Err(extra("presets", a, PRESETS_FLAGS)),
            }
        }
        "run" => parse_run(rest),
        "link" => parse_link(rest),
        "bench" => parse_bench(rest),
        "predict" if wants_help(rest) => Ok(Command::Help(Some("predict"))),
        "predict" => Ok(Command::Predict(super::predict::parse_predict(rest)?)),
        "export" if wants_help(rest) => Ok(Command::Help(Some("export"))),
        "export" => Ok(Command::Export(super::export::parse_export(rest)?)),
        "sample" if wants_help(rest) => Ok(Command::Help(Some("sample"))),
        "sample" => Ok(Command::Sample(super::sample::parse_sample(rest)?)),
        "translate" if wants_help(rest) => Ok(Command::Help(Some("translate"))),
        "translate" => Ok(Command::Translate(super::translate::parse_translate(rest)?)),
        other if other.starts_with('-') => Err(unknown_flag(other, &["--help", "--version"])),
        other => Err(unknown("command", other, COMMANDS.iter().copied())),
    }
}

fn wants_help(rest: &[String]) -> bool {
    rest.iter().any(|a| a == "-h" || a == "--help")
}

const PRESETS_FLAGS: &[&str] = &["--cost", "--help"];

const RUN_FLAGS: &[&str] = &[
    "--backend",
    "--steps",
    "--seed",
    "--out",
    "--allow-large",
    "--help",
];

fn parse_run(rest: &[String]) -> Result<Command, UsageError> {
    if wants_help(rest) {
        return Ok(Command::Help(Some("run")));
    }
    let mut preset = None;
    let (mut backend, mut steps, mut seed, mut out) = (None, None, None, None);
    let mut allow_large = false;
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        if arg == "--allow-large" {
            if std::mem::replace(&mut allow_large, true) {
                return Err(UsageError("--allow-large is given more than once".into()));
            }
            continue;
        }
        if !arg.starts_with("--") {
            if preset.is_some() {
                return Err(extra("run", arg, RUN_FLAGS));
            }
            preset = Some(arg.clone());
            continue;
        }
        // `--flag value` or `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        if !RUN_FLAGS.contains(&flag) {
            return Err(unknown_flag(flag, RUN_FLAGS));
        }
        if flag == "--allow-large" {
            return Err(UsageError("--allow-large takes no value".into()));
        }
        let value = match inline {
            Some(v) => v,
            None => match it.next() {
                Some(v) if !v.starts_with("--") => v.clone(),
                _ => return Err(UsageError(format!("{flag} needs a value"))),
            },
        };
        let seen = match flag {
            "--backend" => backend.replace(parse_backend(&value)?).is_some(),
            "--steps" => steps.replace(parse_number(flag, &value, 1)?).is_some(),
            "--seed" => seed.replace(parse_number(flag, &value, 0)?).is_some(),
            _ => {
                if value.is_empty() {
                    return Err(UsageError("--out needs a directory".into()));
                }
                out.replace(PathBuf::from(value)).is_some()
            }
        };
        if seen {
            return Err(UsageError(format!("{flag} is given more than once")));
        }
    }
    let Some(preset) = preset else {
        return Err(UsageError(
            "run needs a preset name (see `gradlab presets`) or an experiment link".into(),
        ));
    };
    check_target(&preset)?;
    Ok(Command::Run(RunArgs {
        preset,
        backend,
        steps,
        seed,
        out,
        allow_large,
    }))
}

/// True when `arg` is an experiment link rather than a preset name (links hold `=`;
/// preset names never do).
pub fn is_link(arg: &str) -> bool {
    arg.contains('=')
}

/// A preset name that exists, or anything that looks like a link.
fn check_target(arg: &str) -> Result<(), UsageError> {
    if is_link(arg) || presets().iter().any(|p| p.name == arg) {
        Ok(())
    } else {
        Err(unknown("preset", arg, presets().iter().map(|p| p.name)))
    }
}

fn parse_link(rest: &[String]) -> Result<Command, UsageError> {
    if wants_help(rest) {
        return Ok(Command::Help(Some("link")));
    }
    match rest {
        [] => Err(UsageError(
            "link needs a preset name (see `gradlab presets`) or a link".into(),
        )),
        [target] if !target.starts_with("--") => {
            check_target(target)?;
            Ok(Command::Link(target.clone()))
        }
        [flag, ..] if flag.starts_with("--") => Err(unknown_flag(flag, &["--help"])),
        [_, extra_arg, ..] => Err(extra("link", extra_arg, &["--help"])),
        [other] => Err(extra("link", other, &["--help"])),
    }
}

const BENCH_FLAGS: &[&str] = &["--json", "--backend", "--job", "--help"];

fn parse_bench(rest: &[String]) -> Result<Command, UsageError> {
    if wants_help(rest) {
        return Ok(Command::Help(Some("bench")));
    }
    let mut args = BenchArgs::default();
    let (mut json, mut backend, mut job) = (false, None, None);
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let seen = match flag {
            "--json" if inline.is_none() => std::mem::replace(&mut json, true),
            "--backend" => {
                let value = match inline.or_else(|| it.next().cloned()) {
                    Some(v) if !v.starts_with("--") => v,
                    _ => return Err(UsageError("--backend needs a value".into())),
                };
                backend.replace(parse_backend(&value)?).is_some()
            }
            "--job" => match inline.or_else(|| it.next().cloned()) {
                Some(v) if !v.starts_with("--") => job.replace(v).is_some(),
                _ => return Err(UsageError("--job needs a job name".into())),
            },
            f if f.starts_with('-') => return Err(unknown_flag(f, BENCH_FLAGS)),
            a => return Err(extra("bench", a, BENCH_FLAGS)),
        };
        if seen {
            return Err(UsageError(format!("{flag} is given more than once")));
        }
    }
    args.json = json;
    args.backend = backend.unwrap_or(BackendChoice::Auto);
    args.job = job;
    Ok(Command::Bench(args))
}

pub(super) fn parse_backend(v: &str) -> Result<BackendChoice, UsageError> {
    match v {
        "cpu" => Ok(BackendChoice::Cpu),
        "gpu" => Ok(BackendChoice::Gpu),
        "auto" => Ok(BackendChoice::Auto),
        _ => Err(unknown("backend", v, ["cpu", "gpu", "auto"].into_iter())),
    }
}

/// A whole number of at least `min`.
fn parse_number(flag: &str, v: &str, min: u64) -> Result<u64, UsageError> {
    match v.trim().parse::<u64>() {
        Ok(n) if n >= min => Ok(n),
        Ok(n) => Err(UsageError(format!(
            "{flag} must be at least {min}, got {n}"
        ))),
        Err(_) => Err(UsageError(format!(
            "{flag} expects a whole number (0 to {}), got '{v}'",
            u64::MAX
        ))),
    }
}

fn extra(command: &str, arg: &str, flags: &[&str]) -> UsageError {
    let hint = if flags.is_empty() {
        String::new()
    } else {
        format!(" (its flags: {})", flags.join(", "))
    };
    UsageError(format!("unexpected argument '{arg}' for `{command}`{hint}"))
}

pub(super) fn unknown_flag(flag: &str, flags: &[&str]) -> UsageError {
    let mut e = unknown("flag", flag, flags.iter().copied());
    if !e.0.contains("did you mean") {
        e.0.push_str(&format!(" (valid: {})", flags.join(", ")));
    }
    e
}

/// "unknown KIND 'word'", with the closest candidates as suggestions.
fn unknown<'a>(kind: &str, word: &str, candidates: impl Iterator<Item = &'a str>) -> UsageError {
    let all: Vec<&str> = candidates.collect();
    let near = closest(word, &all);
    let tail = if !near.is_empty() {
        format!("; did you mean {}?", quoted(&near).join(" or "))
    } else if kind == "flag" {
        String::new()
    } else {
        format!("; valid: {}", all.join(", "))
    };
    UsageError(format!("unknown {kind} '{word}'{tail}"))
}

fn quoted(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("'{n}'")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn run_flags_in_both_forms_and_any_order() {
        let a = parse(&args(
            "run --seed=7 spiral --steps 30 --backend auto --out d",
        ))
        .unwrap();
        assert_eq!(
            a,
            Command::Run(RunArgs {
                preset: "spiral".into(),
                backend: Some(BackendChoice::Auto),
                steps: Some(30),
                seed: Some(7),
                out: Some("d".into()),
                allow_large: false,
            })
        );
    }

    #[test]
    fn allow_large_and_presets_cost() {
        let a = parse(&args("run --allow-large spiral")).unwrap();
        assert!(matches!(a, Command::Run(r) if r.allow_large && r.preset == "spiral"));
        assert_eq!(parse(&args("presets --cost")), Ok(Command::PresetCosts));
    }

    #[test]
    fn bench_flags() {
        let a = parse(&args("bench --backend=cpu --json")).unwrap();
        let want = BenchArgs {
            json: true,
            backend: BackendChoice::Cpu,
            job: None,
        };
        assert_eq!(a, Command::Bench(want));
        let a = parse(&args("bench --job mlp-small-b32")).unwrap();
        assert!(matches!(a, Command::Bench(b) if b.job.as_deref() == Some("mlp-small-b32")));
        assert!(parse(&args("bench --job")).is_err());
        assert_eq!(
            parse(&args("bench")).unwrap(),
            Command::Bench(BenchArgs::default())
        );
    }

    #[test]
    fn every_preset_name_is_accepted() {
        for p in presets() {
            let parsed = parse(&[String::from("run"), p.name.to_string()]);
            assert!(matches!(parsed, Ok(Command::Run(r)) if r.preset == p.name));
        }
    }

    #[test]
    fn mistakes_are_usage_errors_naming_the_problem() {
        let cases = [
            ("", "no command"),
            ("frobnicate", "unknown command"),
            ("rn spiral", "'run'"),
            ("run", "needs a preset"),
            ("link", "needs a preset"),
            ("link spirl", "'spiral'"),
            ("link spiral xor", "unexpected argument"),
            ("link --seed 3", "unknown flag"),
            ("run spirl", "'spiral'"),
            ("run spiral extra", "unexpected argument"),
            ("run spiral --steps", "needs a value"),
            ("run spiral --steps --seed 1", "needs a value"),
            ("run spiral --steps ten", "whole number"),
            ("run spiral --steps -3", "whole number"),
            ("run spiral --steps 0", "at least 1"),
            ("run spiral --seed 1 --seed 2", "more than once"),
            ("run spiral --backend tpu", "unknown backend"),
            ("run spiral --stpes 3", "'--steps'"),
            ("run spiral --out=", "directory"),
            ("bench --csv", "unknown flag"),
            ("bench --json --json", "more than once"),
            ("bench --json=yes", "unknown flag"),
            ("bench --backend", "needs a value"),
            ("bench --backend tpu", "unknown backend"),
            ("presets all", "unexpected argument"),
            ("presets --costs", "its flags: --cost"),
            ("run spiral --allow-large --allow-large", "more than once"),
            ("run spiral --allow-large=yes", "takes no value"),
            ("help nothing", "unknown command"),
        ];
        for (line, needle) in cases {
            match parse(&args(line)) {
                Err(UsageError(m)) => assert!(m.contains(needle), "{line:?}: {m}"),
                Ok(c) => panic!("{line:?} parsed as {c:?}"),
            }
        }
    }

    #[test]
    fn links_are_accepted_where_presets_are() {
        let link = "#v=1&data=xor&lr=0.1";
        let a = parse(&[
            String::from("run"),
            link.into(),
            "--steps".into(),
            "5".into(),
        ]);
        assert!(matches!(a, Ok(Command::Run(r)) if r.preset == link && r.steps == Some(5)));
        let a = parse(&[String::from("link"), "spiral".into()]);
        assert_eq!(a, Ok(Command::Link("spiral".into())));
        let a = parse(&[String::from("link"), link.into()]);
        assert_eq!(a, Ok(Command::Link(link.into())));
    }

    #[test]
    fn preset_suggestions_prefer_the_nearest_names() {
        let names: Vec<&str> = presets().iter().map(|p| p.name).collect();
        assert_eq!(closest("spirl", &names).first(), Some(&"spiral"));
        assert_eq!(closest("breast", &names), vec!["breast-cancer"]);
        assert!(closest("zzzzzzzz", &names).is_empty());
    }
}
