//! `gradlab export PRESET|LINK --pytorch DIR`: the experiment as a PyTorch project.

use super::args::{unknown_flag, UsageError};
use super::run::resolve;
use super::{print_out, CliError};
use crate::experiment::Budget;
use std::path::PathBuf;

/// Arguments of `gradlab export`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportArgs {
    /// A preset's name or an experiment link.
    pub target: String,
    /// The folder to write the project into (created if missing).
    pub pytorch: PathBuf,
    /// Override the budget with this many steps.
    pub steps: Option<u64>,
    /// Override the seed.
    pub seed: Option<u64>,
}

const FLAGS: &[&str] = &["--pytorch", "--steps", "--seed", "--help"];

/// Parse `export`'s arguments (after the command name).
pub fn parse_export(rest: &[String]) -> Result<ExportArgs, UsageError> {
    let (mut target, mut pytorch, mut steps, mut seed) = (None, None, None, None);
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        if !arg.starts_with("--") {
            if target.replace(arg.clone()).is_some() {
                return Err(UsageError(format!(
                    "unexpected argument '{arg}' for `export` (its flags: {})",
                    FLAGS.join(", ")
                )));
            }
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        if !FLAGS.contains(&flag) || flag == "--help" {
            return Err(unknown_flag(flag, FLAGS));
        }
        let value = match inline.or_else(|| it.next().cloned()) {
            Some(v) if !v.is_empty() && !v.starts_with("--") => v,
            _ => return Err(UsageError(format!("{flag} needs a value"))),
        };
        let number = |min: u64| match value.trim().parse::<u64>() {
            Ok(n) if n >= min => Ok(n),
            _ => Err(UsageError(format!(
                "{flag} expects a whole number of at least {min}, got '{value}'"
            ))),
        };
        let seen = match flag {
            "--pytorch" => pytorch.replace(PathBuf::from(&value)).is_some(),
            "--steps" => steps.replace(number(1)?).is_some(),
            _ => seed.replace(number(0)?).is_some(),
        };
        if seen {
            return Err(UsageError(format!("{flag} is given more than once")));
        }
    }
    let Some(target) = target else {
        return Err(UsageError(
            "export needs a preset name (see `gradlab presets`) or an experiment link".into(),
        ));
    };
    let Some(pytorch) = pytorch else {
        return Err(UsageError(
            "export needs --pytorch DIR (the folder for the PyTorch project)".into(),
        ));
    };
    Ok(ExportArgs {
        target,
        pytorch,
        steps,
        seed,
    })
}

/// Write the project and say what was written.
pub fn export(args: &ExportArgs) -> Result<(), CliError> {
    let (mut config, link) = resolve(&args.target)?;
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(steps) = args.steps {
        config.budget = Budget::Steps(steps);
    }
    let label = if link.is_some() { "link" } else { &args.target };
    let files = crate::export::pytorch_project(&config, label)?;
    let dir = &args.pytorch;
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::failed(format!("cannot create {}: {e}", dir.display())))?;
    for f in &files {
        let path = dir.join(f.name);
        std::fs::write(&path, &f.bytes)
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    print_out(format!(
        "wrote {}/{{{}}}\nrun: cd {} && python train.py   (see README.md for torchrun)\n",
        dir.display(),
        names.join(", "),
        dir.display()
    ))
}

/// `gradlab help export`.
pub const EXPORT_HELP: &str = "\
usage: gradlab export PRESET|LINK --pytorch DIR [--steps N] [--seed S]

Write the experiment as a PyTorch project into DIR: train.py (the model with gradlab's
parameter names, gradlab's batch order, loss, optimizer, learning-rate schedule and
evaluation; DistributedDataParallel under torchrun), data.safetensors (the preprocessed
train and test rows; for a language model the training text's token ids and the
evaluation windows), init.safetensors (the initial weights) and README.md (how to run it
on a GPU or a cluster). Every model kind exports: MLPs, CNNs, GPTs, text encoders. Its
outputs, metrics.json and model.safetensors, have gradlab's layout (`gradlab predict` and
`gradlab sample` read them).

  --pytorch DIR the folder to write (created if missing; files in it are replaced)
  --steps N     a budget of N optimizer steps instead of the experiment's
  --seed S      seed of data, split, initial weights and batch order
";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_in_both_forms() {
        let a = parse_export(&args("spiral --pytorch=out --steps 5 --seed 3")).unwrap();
        assert_eq!(
            a,
            ExportArgs {
                target: "spiral".into(),
                pytorch: "out".into(),
                steps: Some(5),
                seed: Some(3),
            }
        );
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for (line, needle) in [
            ("--pytorch d", "needs a preset"),
            ("spiral", "--pytorch DIR"),
            ("spiral --pytorch", "needs a value"),
            ("spiral --pytorch a --pytorch b", "more than once"),
            ("spiral --steps 0 --pytorch a", "at least 1"),
            ("spiral xor --pytorch a", "unexpected argument"),
            ("spiral --onnx a", "unknown flag"),
        ] {
            match parse_export(&args(line)) {
                Err(UsageError(m)) => assert!(m.contains(needle), "{line}: {m}"),
                Ok(a) => panic!("{line} parsed as {a:?}"),
            }
        }
    }
}
