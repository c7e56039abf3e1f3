//! Every lesson step's goals are reachable: the step's own solution (written in the
//! lesson file) applied to its link is trained with the runner on the CPU backend to the
//! end of its budget, and every goal is judged with the same code the page uses. A step
//! whose goal is `diverged` must diverge. Where the solution changes the experiment, the
//! step's own link must not already meet every goal (the learner has something to do).

use gradlab::experiment::{decode_link, ExperimentConfig, HistoryPoint, Runner};
use gradlab::lessons::{all, Goal, Lang};
use gradlab::platform::block_on;
use gradlab::{Device, Error};

#[test]
fn every_solution_meets_its_goals() {
    let mut failures = Vec::new();
    for lesson in all(Lang::En) {
        for (i, step) in lesson.steps.iter().enumerate() {
            let at = format!("lesson {} step {}", lesson.id, i + 1);
            let start = decode_link(&step.link)
                .expect("validated link")
                .replay_config();
            let config = decode_link(&step.solved_link())
                .expect("validated solution")
                .replay_config();
            if config != start {
                let (history, diverged) = train(&start, &at);
                let goals = step.goals();
                if goals.iter().all(|g| g.met(&start, &history, diverged)) {
                    failures.push(format!(
                        "{at}: the starting experiment already meets every goal"
                    ));
                }
            }
            let (history, diverged) = train(&config, &at);
            let history = &history[..];
            for goal in step.goals() {
                if !goal.met(&config, history, diverged) {
                    let last = history.last();
                    failures.push(format!("{at}: `{goal}` not met; last point {last:?}"));
                }
                if goal != Goal::Diverged && diverged {
                    failures.push(format!("{at}: diverged"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Trains `config` to the end of its budget (or until it diverges): the history and
/// whether it diverged.
fn train(config: &ExperimentConfig, at: &str) -> (Vec<HistoryPoint>, bool) {
    let mut runner = Runner::new(config.clone(), Device::Cpu)
        .unwrap_or_else(|e| panic!("{at}: the experiment does not build: {e}"));
    let diverged = match block_on(runner.run(|_, _| {})) {
        Ok(_) => false,
        Err(Error::NonFinite { .. }) => true,
        Err(e) => panic!("{at}: training failed: {e}"),
    };
    (runner.history().to_vec(), diverged)
}
