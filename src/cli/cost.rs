//! The CLI's side of bounded work: judge a configuration's cost before anything is
//! built (refuse with exit code 2 unless `--allow-large`, and never past the machine's
//! ceiling), and the `presets --cost` table.

use super::CliError;
use crate::backend::Device;
use crate::experiment::limits::{Ceiling, GIB};
use crate::experiment::{assess, bytes, flops, presets, Cost, ExperimentConfig, Verdict};
use std::fmt::Write as _;

/// Memory assumed when the machine's cannot be read (`/proc/meminfo` is Linux's).
const FALLBACK_MEMORY_BYTES: u64 = 16 * GIB;

/// The native ceiling: three quarters of the machine's memory (the rest is the
/// system's and the allocator's), and the GPU's buffer limits when `device` is one.
pub fn native_ceiling(device: Option<&Device>) -> Ceiling {
    let memory = machine_memory().unwrap_or(FALLBACK_MEMORY_BYTES) / 4 * 3;
    let ceiling = Ceiling::native(memory);
    match device {
        Some(Device::Gpu(g)) => {
            let l = g.limits();
            ceiling.with_gpu(l.max_buffer_size, l.max_storage_buffer_binding_size)
        }
        Some(Device::Cpu) | None => ceiling,
    }
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// Refuses `config` (exit code 2) when it is over the default cost limits and
/// `allow_large` is not set, or over `ceiling` at all; the message gives the cost
/// summary and each limit passed. Returns the notice to print when a large run goes
/// ahead.
pub fn check_cost(
    config: &ExperimentConfig,
    ceiling: &Ceiling,
    allow_large: bool,
) -> Result<Option<String>, CliError> {
    let (cost, verdict) = assess(config, ceiling);
    let refuse = |hint: &str| CliError {
        code: 2,
        message: format!("{}; {hint}", verdict.message(&cost)),
    };
    match verdict {
        Verdict::Fits => Ok(None),
        Verdict::Large(_) if allow_large => Ok(Some(format!(
            "running a large experiment (--allow-large): {}",
            verdict.message(&cost)
        ))),
        Verdict::Large(_) => Err(refuse(
            "add --allow-large to run it anyway, or use a smaller batch, data set or network",
        )),
        Verdict::TooLarge(_) => Err(refuse(
            "that is more than this machine can hold, even with --allow-large",
        )),
    }
}

/// `gradlab presets --cost`: one row per preset with its parameters, the FLOPs of a
/// step and of an evaluation, the bytes held and the largest buffer, the steps of its
/// budget and the FLOPs of the whole run.
pub fn preset_cost_table() -> String {
    let width = presets().iter().map(|p| p.name.len()).max().unwrap_or(0);
    let mut t = String::new();
    let row = |t: &mut String, cells: [&str; 8]| {
        let _ = writeln!(
            t,
            "{:width$}  {:>8}  {:>11}  {:>11}  {:>9}  {:>9}  {:>8}  {:>11}",
            cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]
        );
    };
    row(
        &mut t,
        [
            "preset",
            "params",
            "step",
            "evaluation",
            "held",
            "buffer",
            "steps",
            "run",
        ],
    );
    for p in presets() {
        let c: Cost = Cost::of(&(p.config)());
        row(
            &mut t,
            [
                p.name,
                &c.params.to_string(),
                &flops(c.step_flops()),
                &flops(c.page_eval_flops()),
                &bytes(c.held_bytes()),
                &bytes(c.largest_buffer_bytes),
                &c.run_steps.to_string(),
                &flops(c.run_flops),
            ],
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::preset;

    #[test]
    fn allow_large_never_passes_the_ceiling() {
        let mut c = preset("digits").unwrap();
        c.hidden = vec![1024; 4];
        c.activations = vec![c.activations[0]; 4];
        let large = check_cost(&c, &Ceiling::native(GIB), false).unwrap_err();
        assert_eq!(large.code, 2);
        assert!(large.message.contains("--allow-large"), "{}", large.message);
        assert!(check_cost(&c, &Ceiling::native(GIB), true)
            .unwrap()
            .is_some());
        // The same run on a machine that can hold only 1 MiB.
        let tiny = check_cost(&c, &Ceiling::native(1 << 20), true).unwrap_err();
        assert_eq!(tiny.code, 2);
        assert!(
            tiny.message.contains("the memory ceiling"),
            "{}",
            tiny.message
        );
        assert_eq!(
            check_cost(&preset("digits").unwrap(), &Ceiling::native(GIB), false),
            Ok(None)
        );
    }

    #[test]
    fn the_native_ceiling_is_part_of_the_machine() {
        let c = native_ceiling(None);
        assert!(c.memory_bytes > 0 && c.max_buffer_size.is_none());
        assert!(c.step_flops.is_none(), "no per-step ceiling natively");
    }
}
