//! Every lesson step's goals are reachable: the step's own solution (written in the
//! lesson file) applied to its link is trained with the runner on the CPU backend to the
//! end of its budget, and every goal is judged with the same code the page uses. A step
//! whose goal is `diverged` must diverge. The step's own link is also checked to build.

use gradlab::experiment::{decode_link, Runner};
use gradlab::lessons::{all, Goal, Lang};
use gradlab::platform::block_on;
use gradlab::{Device, Error};

#[test]
fn every_solution_meets_its_goals() {
    let mut failures = Vec::new();
    for lesson in all(Lang::En) {
        for (i, step) in lesson.steps.iter().enumerate() {
            let at = format!("lesson {} step {}", lesson.id, i + 1);
            let start = decode_link(&step.link).expect("validated link");
            Runner::new(start.replay_config(), Device::Cpu)
                .unwrap_or_else(|e| panic!("{at}: the step's experiment does not build: {e}"));
            let solved = decode_link(&step.solved_link()).expect("validated solution");
            let config = solved.replay_config();
            let mut runner = Runner::new(config.clone(), Device::Cpu)
                .unwrap_or_else(|e| panic!("{at}: the solution does not build: {e}"));
            let diverged = match block_on(runner.run(|_, _| {})) {
                Ok(_) => false,
                Err(Error::NonFinite { .. }) => true,
                Err(e) => panic!("{at}: training failed: {e}"),
            };
            let history = runner.history();
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
