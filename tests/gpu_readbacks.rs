//! Device traffic of the page's loop on the GPU: `read_all` packs many tensors into one
//! mapping and gives the values of separate reads; a training step reads nothing back;
//! a refresh of the plots (weights included) waits on exactly one mapping.

mod common;

use common::gpu::gpu_device;
use gradlab::cli::bench::{traffic, TRAFFIC_PRESETS};
use gradlab::platform::block_on;
use gradlab::{Device, Tensor};

/// Deterministic values that differ per tensor and per element.
fn values(len: usize, salt: usize) -> Vec<f32> {
    (0..len)
        .map(|i| ((i * 7 + salt * 13) % 101) as f32 * 0.25 - 12.0)
        .collect()
}

#[test]
fn read_all_of_odd_lengths_equals_separate_reads_in_one_mapping() {
    let Some(gpu) = gpu_device() else { return };
    // Odd lengths (so parts start at offsets that are multiples of 4 bytes, not of 8
    // or 16), an empty tensor and a single element among them.
    let lens = [3usize, 0, 1, 7, 257, 1, 1000, 5];
    let tensors: Vec<Tensor> = lens
        .iter()
        .enumerate()
        .map(|(k, &n)| Tensor::from_slice(&values(n, k), &[n], &gpu))
        .collect();
    // Computed on the device (not just uploaded), and read together with the inputs.
    let doubled: Vec<Tensor> = tensors.iter().map(|t| t.add(t)).collect();
    let all: Vec<&Tensor> = tensors.iter().chain(&doubled).collect();
    let before = gpu.gpu_stats().expect("GPU stats");
    let together = block_on(Tensor::read_all(&all)).expect("read_all");
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    assert_eq!(d.readbacks, 1, "one mapping for all parts: {d:?}");
    assert_eq!(d.submits, 1, "one submit for all parts: {d:?}");
    let separate: Vec<Vec<f32>> = all
        .iter()
        .map(|t| t.to_vec_blocking().expect("read"))
        .collect();
    assert_eq!(together, separate);
    // And both equal the CPU backend's values.
    let cpu: Vec<Vec<f32>> = lens
        .iter()
        .enumerate()
        .map(|(k, &n)| Tensor::from_slice(&values(n, k), &[n], &Device::Cpu))
        .map(|t| t.to_vec_now().expect("cpu"))
        .collect();
    let cpu_doubled: Vec<Vec<f32>> = lens
        .iter()
        .enumerate()
        .map(|(k, &n)| {
            let t = Tensor::from_slice(&values(n, k), &[n], &Device::Cpu);
            t.add(&t).to_vec_now().expect("cpu")
        })
        .collect();
    assert_eq!(together, [cpu, cpu_doubled].concat());
}

#[test]
fn read_all_of_empty_tensors_reads_nothing() {
    let Some(gpu) = gpu_device() else { return };
    let a = Tensor::zeros(&[0], &gpu);
    let b = Tensor::zeros(&[2, 0], &gpu);
    let before = gpu.gpu_stats().expect("GPU stats");
    let got = block_on(Tensor::read_all(&[&a, &b])).expect("read_all");
    assert_eq!(got, vec![Vec::<f32>::new(), Vec::new()]);
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    assert_eq!(d.readbacks, 0, "{d:?}");
    assert!(block_on(Tensor::read_all(&[])).expect("none").is_empty());
}

#[test]
fn a_step_reads_nothing_and_a_plot_refresh_maps_once() {
    let Some(gpu) = gpu_device() else { return };
    for name in TRAFFIC_PRESETS {
        let t = traffic(name, &gpu).expect("traffic");
        println!("{name}: step {:?}", t.step);
        println!("{name}: refresh {:?}", t.refresh);
        println!("{name}: plots {:?}", t.plots_only);
        assert_eq!(
            t.step.readbacks, 0,
            "{name}: a step read back: {:?}",
            t.step
        );
        assert_eq!(
            t.step.submits, 1,
            "{name}: a step submits once: {:?}",
            t.step
        );
        assert_eq!(
            t.plots_only.readbacks, 1,
            "{name}: the plots and weights map once: {:?}",
            t.plots_only
        );
        assert_eq!(t.plots_only.submits, 1, "{name}: {:?}", t.plots_only);
    }
}

/// The page's whole refresh (`Runner::refresh`): the plots, the weights and an evaluation
/// of a step between two history points in ONE mapping, with the same losses as a
/// separate `evaluate`; the host copy of the optimizer state costs exactly one more.
#[test]
fn a_page_refresh_with_an_evaluation_maps_once_and_a_host_copy_once_more() {
    let Some(gpu) = gpu_device() else { return };
    let stats = || gpu.gpu_stats().expect("gpu stats");
    for name in TRAFFIC_PRESETS {
        let mut config = gradlab::experiment::preset(name).expect("preset");
        config.backend = gradlab::experiment::BackendChoice::Gpu;
        config.eval_every = 1_000_000;
        let mut r = gradlab::experiment::Runner::new(config, gpu.clone()).expect("runner");
        r.train_steps(3).expect("steps");
        let expected = block_on(r.evaluate()).expect("evaluate");
        let points = r.points_2d();
        block_on(r.plots(points.as_ref(), None)).expect("warm plots");
        let before = stats();
        let read = block_on(r.refresh(points.as_ref(), false)).expect("refresh");
        let d = stats().since(&before);
        assert_eq!(d.readbacks, 1, "{name}: one mapping per refresh: {d:?}");
        assert_eq!(d.submits, 1, "{name}: {d:?}");
        let live = read.live.expect("an evaluation of step 3");
        assert_eq!(live.step, 3);
        assert_eq!(
            live.train_loss.to_bits(),
            expected.train_loss.to_bits(),
            "{name}"
        );
        assert_eq!(
            live.test_loss.to_bits(),
            expected.test_loss.to_bits(),
            "{name}"
        );
        assert!(
            r.history().iter().all(|p| p.step != 3),
            "{name}: not due, not recorded"
        );
        let before = stats();
        let read = block_on(r.refresh(points.as_ref(), true)).expect("refresh with copy");
        let d = stats().since(&before);
        assert!(read.host_copy.is_some());
        assert_eq!(
            d.readbacks, 2,
            "{name}: plots+evaluation, then optimizer state: {d:?}"
        );
    }
}
