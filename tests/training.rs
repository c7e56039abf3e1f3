use gradlab::experiment::{preset, presets, Runner};
use gradlab::platform::block_on;
use gradlab::Device;

#[test]
fn probe() {
    let only = std::env::var("PRESET").ok();
    for p in presets() {
        if let Some(o) = &only {
            if !o.split(',').any(|x| x == p.name) {
                continue;
            }
        }
        let mut seeds: Vec<u64> = vec![1];
        if let Ok(s) = std::env::var("SEEDS") {
            seeds = s.split(',').map(|x| x.parse().unwrap()).collect();
        }
        for seed in seeds {
            let mut c = preset(p.name).unwrap();
            c.seed = seed;
            if let Ok(v) = std::env::var("EPOCHS") { c.budget = gradlab::experiment::Budget::Epochs(v.parse().unwrap()); }
            if let Ok(v) = std::env::var("TF") { c.test_fraction = v.parse().unwrap(); }
            if let Ok(v) = std::env::var("LR") { c.optimizer.lr = v.parse().unwrap(); }
            if let Ok(v) = std::env::var("BATCH") { c.batch_size = v.parse().unwrap(); }
            if let Ok(v) = std::env::var("WD") { c.optimizer.kind = gradlab::optim::OptimizerKind::AdamW; c.optimizer.weight_decay = v.parse().unwrap(); }
            if let Ok(v) = std::env::var("L2") { c.optimizer.l2 = v.parse().unwrap(); }
            if let Ok(v) = std::env::var("HIDDEN") { c.hidden = v.split(',').map(|x| x.parse().unwrap()).collect(); c.activations = vec![c.activations[0]; c.hidden.len()]; }
            let t = std::time::Instant::now();
            let mut r = Runner::new(c, Device::Cpu).unwrap();
            let f = block_on(r.run(|_, _| {})).unwrap();
            println!("{:18} seed {seed} {:6.2}s steps {} train {:.4} test {:.4} acc {:?} mse {:?} r2 {:?}", p.name, t.elapsed().as_secs_f64(), f.step, f.train_loss, f.test_loss, f.metrics.accuracy, f.metrics.mse, f.metrics.r2);
            if p.name == "linear-regression" {
                println!("{:?}", block_on(r.weights()).unwrap());
            }
        }
    }
}
