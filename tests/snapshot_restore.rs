//! A run snapshotted to the host and restored continues exactly: on the CPU backend the
//! result is bit-identical to a run that never stopped.

use gradlab::experiment::{preset, Budget, Runner, Snapshot};
use gradlab::platform::block_on;
use gradlab::Device;

fn weights_bits(r: &Runner) -> Vec<u32> {
    block_on(r.weights())
        .unwrap()
        .iter()
        .flat_map(|w| w.data.iter().map(|v| v.to_bits()))
        .collect()
}

#[test]
fn restored_runs_continue_bit_identically() {
    for (name, first, then) in [
        ("spiral", 37, 20),
        ("iris", 11, 30),
        ("linear-regression", 4, 9),
    ] {
        let mut config = preset(name).unwrap();
        config.budget = Budget::Steps(first + then);
        let mut straight = Runner::new(config.clone(), Device::Cpu).unwrap();
        straight.train_steps(first + then).unwrap();

        let mut interrupted = Runner::new(config.clone(), Device::Cpu).unwrap();
        interrupted.train_steps(first).unwrap();
        let snap: Snapshot = block_on(interrupted.snapshot()).unwrap();
        drop(interrupted);
        let mut resumed = Runner::restore(config, Device::Cpu, &snap).unwrap();
        assert_eq!(resumed.step_count(), first);
        resumed.train_steps(then).unwrap();
        assert_eq!(
            weights_bits(&resumed),
            weights_bits(&straight),
            "{name}: resumed run differs"
        );
    }
}

#[test]
fn a_snapshot_of_another_model_is_refused() {
    let spiral = Runner::new(preset("spiral").unwrap(), Device::Cpu).unwrap();
    let snap = block_on(spiral.snapshot()).unwrap();
    let err = Runner::restore(preset("iris").unwrap(), Device::Cpu, &snap)
        .err()
        .expect("must fail");
    assert!(err.to_string().contains("does not match"), "{err}");
}

#[test]
fn history_stays_bounded_on_long_runs() {
    use gradlab::experiment::MAX_HISTORY_POINTS;
    let mut config = preset("linear-regression").unwrap();
    config.eval_every = 1;
    let steps = 3 * MAX_HISTORY_POINTS as u64;
    config.budget = Budget::Steps(steps);
    let mut r = Runner::new(config, Device::Cpu).unwrap();
    block_on(r.run(|_, _| {})).unwrap();
    let h = r.history();
    assert!(h.len() <= MAX_HISTORY_POINTS, "{} points kept", h.len());
    assert!(h.len() > MAX_HISTORY_POINTS / 2, "{} points kept", h.len());
    assert_eq!(h.first().unwrap().step, 0);
    assert_eq!(h.last().unwrap().step, steps);
    assert!(
        h.windows(2).all(|w| w[0].step < w[1].step),
        "steps stay in order"
    );
}
