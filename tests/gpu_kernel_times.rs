//! Kernel timing, the GPU backend's profiling mode (`gradlab bench --backend gpu` prints a
//! step's device time by kernel with it): a step timed dispatch by dispatch computes the
//! same bits as one recorded as usual, and its times cover every dispatch of the step,
//! kernel by kernel.

mod common;

use common::gpu::gpu_device;
use gradlab::experiment::{preset, Runner};
use gradlab::platform::block_on;

#[test]
fn a_timed_step_gives_the_same_weights_and_times_every_dispatch() {
    let Some(gpu) = gpu_device() else { return };
    let backend = gpu.gpu_backend().expect("the GPU backend").clone();
    let config = preset("spiral").expect("the spiral preset");
    let mut plain = Runner::new(config.clone(), gpu.clone()).expect("runner");
    let mut timed = Runner::new(config, gpu.clone()).expect("runner");
    plain.train_steps(3).expect("steps");
    timed.train_steps(2).expect("steps");
    let counts = backend.dispatches_by_kernel();
    let times = backend.kernel_times();
    backend.set_kernel_timing(true);
    timed.step().expect("a timed step");
    backend.set_kernel_timing(false);
    let step_counts = backend.dispatches_by_kernel().since(&counts);
    let step_times = backend.kernel_times().since(&times);
    println!("one timed spiral step: {:?}", step_times.ranked());
    let timed_counts: Vec<(&str, u64)> = step_times.0.iter().map(|(k, (n, _))| (*k, *n)).collect();
    let counted: Vec<(&str, u64)> = step_counts.0.iter().map(|(k, n)| (*k, *n)).collect();
    assert_eq!(
        timed_counts, counted,
        "every dispatch of the step timed, by kernel"
    );
    assert!(step_times
        .0
        .values()
        .all(|&(_, ms)| ms.is_finite() && ms >= 0.0));
    assert!(step_times.total_ms() > 0.0, "{step_times:?}");
    // Nothing was timed while timing was off.
    plain.step().expect("an untimed step");
    assert_eq!(backend.kernel_times().since(&times), step_times);
    timed.step().expect("an untimed step");
    let a = block_on(plain.weights()).expect("weights");
    let b = block_on(timed.weights()).expect("weights");
    assert_eq!(a, b, "timing the dispatches changed the results");
}
