use gradlab::experiment::{preset, Cost};
#[test]
fn show() {
    for name in ["translate-dates", "shakespeare-char", "sentiment"] {
        let c = preset(name).unwrap();
        let k = Cost::of(&c);
        println!(
            "{name}: batch {} vpr {} step_values {} eval_values {} step_flops {:.3e} eval {:.3e}",
            k.rows.batch,
            k.values_per_row,
            k.step_values(),
            k.page_eval_values(),
            k.step_flops(),
            k.page_eval_flops()
        );
        for l in &k.layers {
            println!("   {:?}", l);
        }
    }
}
