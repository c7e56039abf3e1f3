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

/// The page's copy of a run that trains in its worker follows it by applying the
/// worker's snapshots in place (later ones, and an earlier one after a reset of the
/// worker's side): training on from there gives the same bits as never stopping.
#[test]
fn applying_snapshots_in_place_continues_bit_identically() {
    for (name, points, then) in [
        ("spiral", [3u64, 57, 20], 25u64),
        ("iris", [0, 14, 5], 31),
        ("shakespeare-char", [2, 5, 1], 3),
    ] {
        let mut config = preset(name).unwrap();
        let last = *points.iter().max().unwrap() + then;
        config.budget = Budget::Steps(last);
        let mut source = Runner::new(config.clone(), Device::Cpu).unwrap();
        let mut snaps = Vec::new();
        for &p in &points {
            let mut r = Runner::new(config.clone(), Device::Cpu).unwrap();
            r.train_steps(p).unwrap();
            snaps.push(block_on(r.snapshot()).unwrap());
        }
        // The follower jumps forward, back and forward again, then trains on.
        let mut follower = Runner::new(config.clone(), Device::Cpu).unwrap();
        follower.train_steps(1).unwrap();
        for s in &snaps {
            follower.apply_snapshot(s).unwrap();
            assert_eq!(follower.step_count(), s.step);
            assert_eq!(block_on(follower.snapshot()).unwrap(), *s, "{name}: state");
        }
        let end = *points.last().unwrap();
        follower.train_steps(then).unwrap();
        source.train_steps(end + then).unwrap();
        assert_eq!(
            weights_bits(&follower),
            weights_bits(&source),
            "{name}: the follower differs"
        );
    }
}
