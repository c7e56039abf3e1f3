//! The history is recorded at the runner's steps, not at times: `Runner::record_due`
//! says where (step 0, every `eval_interval()` steps, the end of the budget), and a loop
//! that steps one at a time and records when it says so (as the page does) leaves the
//! same history, bit for bit, as `Runner::run` (as the CLI does).

use gradlab::experiment::{preset, Budget, ExperimentConfig, HistoryPoint, Runner};
use gradlab::platform::block_on;
use gradlab::Device;

/// xor with a budget that does not end on an evaluation step, so the end point counts.
fn config(steps: u64, eval_every: u64) -> ExperimentConfig {
    let mut c = preset("xor").expect("the xor preset exists");
    c.budget = Budget::Steps(steps);
    c.eval_every = eval_every;
    c
}

/// `(step, train loss bits, test loss bits)` of each point.
fn curve(h: &[HistoryPoint]) -> Vec<(u64, u64, u64)> {
    h.iter()
        .map(|p| (p.step, p.train_loss.to_bits(), p.test_loss.to_bits()))
        .collect()
}

/// Steps the page's loop would take: one at a time, recording whenever a point is due.
fn page_loop(config: ExperimentConfig) -> Runner {
    let mut r = Runner::new(config, Device::Cpu).expect("config builds");
    assert!(r.record_due(), "step 0 is due before anything is recorded");
    block_on(r.record()).expect("evaluates");
    assert!(!r.record_due(), "a recorded step is not due again");
    while !r.is_done() {
        r.step().expect("steps");
        if r.record_due() {
            block_on(r.record()).expect("evaluates");
        }
    }
    r
}

#[test]
fn stepping_with_record_due_gives_the_history_of_run() {
    for (steps, every) in [(61, 0), (50, 7), (40, 10), (1, 0)] {
        let mut cli = Runner::new(config(steps, every), Device::Cpu).expect("config builds");
        block_on(cli.run(|_, _| {})).expect("trains");
        let page = page_loop(config(steps, every));
        assert_eq!(
            curve(page.history()),
            curve(cli.history()),
            "{steps} steps, eval {every}"
        );
        assert_eq!(page.history(), cli.history(), "metrics too");
    }
}

#[test]
fn points_fall_on_step_zero_the_interval_and_the_end() {
    let (steps, every) = (50, 7);
    let r = page_loop(config(steps, every));
    assert_eq!(r.eval_interval(), every);
    let mut want: Vec<u64> = (0..=steps).filter(|s| s % every == 0).collect();
    want.push(steps);
    let got: Vec<u64> = r.history().iter().map(|p| p.step).collect();
    assert_eq!(got, want);
}

#[test]
fn no_point_is_due_between_intervals() {
    let mut r = Runner::new(config(30, 5), Device::Cpu).expect("config builds");
    block_on(r.record()).expect("evaluates");
    for step in 1..=30u64 {
        r.step().expect("steps");
        assert_eq!(r.record_due(), step % 5 == 0, "step {step}");
        if r.record_due() {
            block_on(r.record()).expect("evaluates");
        }
    }
    // Past the end (the page's single step allows it) every step counts as the end.
    r.step().expect("steps");
    assert!(r.record_due());
}
