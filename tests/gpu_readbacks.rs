//! Device traffic of the page's loop on the GPU: a training step reads nothing back,
//! and a refresh (history point, host copy, plots) waits on exactly one mapping.

mod common;

use common::gpu::gpu_device;
use gradlab::cli::bench::{traffic, TRAFFIC_PRESETS};

#[test]
fn print_traffic() {
    let Some(gpu) = gpu_device() else { return };
    for name in TRAFFIC_PRESETS {
        let t = traffic(name, &gpu).expect("traffic");
        println!("{name}: step {:?}", t.step);
        println!("{name}: refresh {:?}", t.refresh);
        println!("{name}: plots {:?}", t.plots_only);
    }
}
