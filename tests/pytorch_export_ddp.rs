//! The exported `train.py` scales out without changing the result: under
//! `torchrun --nproc_per_node=2` (gloo on the CPU) each global batch is split across the
//! ranks, unevenly when it does not divide, and the loss is the global batch mean, so the
//! weights and history match the single-process run. A run stopped at a checkpoint and
//! resumed ends where an uninterrupted run does.
//!
//! Needs Python with PyTorch (see `pytorch_export.rs`).

#[path = "pytorch_export/support.rs"]
mod support;

use gradlab::experiment::{preset, Budget};
use support::*;

#[test]
fn two_ranks_under_torchrun_match_one_process_with_uneven_shards() {
    if !torch_ready("two_ranks_under_torchrun_match_one_process_with_uneven_shards") {
        return;
    }
    // Batches of 7 split 3 + 4; moons' 250 training rows end each epoch on a batch of 5.
    let mut config = preset("moons").unwrap();
    config.batch_size = 7;
    config.budget = Budget::Steps(40);
    config.eval_every = 20;
    let dir = export(&config, "ddp");
    let (single, single_metrics) = train_py(&dir, "single", &[]);
    let (ddp, ddp_metrics) = torchrun_two(&dir);
    let diff = max_weight_diff(&single, &ddp);
    assert!(
        diff <= DDP_TOL,
        "DDP weights differ by {diff} (> {DDP_TOL})"
    );
    assert_same_history(
        &single_metrics["history"],
        &ddp_metrics["history"],
        1e-5,
        "ddp",
    );
    assert_eq!(ddp_metrics["device"], "cpu x 2");
    // And both are gradlab's run.
    let (ours, _) = gradlab_run(&config);
    assert!(max_weight_diff(&ours, &single) <= 1e-4);
}

#[test]
fn a_resumed_run_ends_where_an_uninterrupted_run_does() {
    if !torch_ready("a_resumed_run_ends_where_an_uninterrupted_run_does") {
        return;
    }
    let mut config = preset("spiral").unwrap();
    config.budget = Budget::Steps(40);
    config.eval_every = 10;
    let dir = export(&config, "resume");
    let (straight, straight_metrics) = train_py(&dir, "straight", &[]);
    // Stop at step 15 (mid-epoch: 25 batches per epoch), then continue to 40.
    train_py(&dir, "halves", &["--steps", "15"]);
    let (resumed, mut resumed_metrics) = train_py(&dir, "halves", &["--resume", "--steps", "40"]);
    // The first half's last point (step 15, where it stopped) is the only extra one.
    let history = resumed_metrics["history"].as_array_mut().unwrap();
    let before = history.len();
    history.retain(|p| p["step"] != 15);
    assert_eq!(history.len(), before - 1);
    assert_eq!(
        max_weight_diff(&straight, &resumed),
        0.0,
        "the same steps from the same state give the same bits"
    );
    assert_same_history(
        &straight_metrics["history"],
        &resumed_metrics["history"],
        0.0,
        "resume",
    );
}
