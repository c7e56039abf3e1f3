//! Gradients of every primitive op from `backward()` against central finite
//! differences of the f64 reference (`common::reference`), on every device, over every
//! case of the op table (`common::cases`) whose inputs lie in the op's smooth domain
//! (`Domain::Smooth`: away from kinks, zero for relu and abs, and ties for max).
//! Comparisons, conditions and indices must receive no gradient.

mod common;

use common::cases::{check_table, is_smooth};
use common::reference::{self as r, Ref};
use common::{
    assert_no_failures, check_forward, check_grad, constant, diff, no_grad, on_each_device, Case,
};
use gradlab::rng::Rng;
use gradlab::tensor::UnaryOp;
use gradlab::Device;

fn every_op_gradient_matches_on(device: &Device) {
    let mut rng = Rng::new(0x6EAD);
    let (failed, total) = check_table(is_smooth, |_, case| check_grad(device, case, &mut rng));
    println!("{total} gradient-checked cases on {}", device.label());
    assert_no_failures(&failed, total);
}

#[test]
fn every_op_gradient_matches_finite_differences() {
    on_each_device(every_op_gradient_matches_on);
}

/// The check must catch a wrong backward rule: here the op's true derivative is
/// compared with a reference whose derivative differs.
#[test]
fn gradient_check_rejects_a_wrong_gradient() {
    let wrong = Case::new(
        "tanh checked against sigmoid",
        vec![diff(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].tanh(),
        |x| r::unary(UnaryOp::Sigmoid, &x[0]),
    );
    let blocked = Case::new(
        "no gradient where one is due",
        vec![diff(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].detach().exp(),
        |x| r::unary(UnaryOp::Exp, &x[0]),
    );
    let leaked = Case::new(
        "gradient into a NoGrad input",
        vec![no_grad(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].exp(),
        |x| r::unary(UnaryOp::Exp, &x[0]),
    );
    on_each_device(|d| {
        let mut rng = Rng::new(1);
        for c in [&wrong, &blocked, &leaked] {
            assert!(check_grad(d, c, &mut rng).is_err(), "{} passed", c.name);
        }
    });
}

/// The reference itself must fail loudly on a wrong value, or the suite proves nothing.
#[test]
fn forward_check_rejects_a_wrong_op() {
    let wrong = Case::new(
        "exp computed as tanh",
        vec![constant(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].tanh(),
        |x| r::unary(UnaryOp::Exp, &x[0]),
    );
    let shape = Case::new(
        "reshape reported with the wrong shape",
        vec![constant(&[2, 3], vec![1.0; 6])],
        |x| x[0].reshape(&[3, 2]),
        |x: &[Ref]| r::reshape(&x[0], &[6]),
    );
    // A NaN matches only a NaN: a finite value where the reference is NaN (a NaN the
    // op swallowed), or a NaN where it is finite, fails.
    let swallowed = Case::new(
        "exp where the reference is NaN",
        vec![constant(&[2], vec![0.5, 1.0])],
        |x| x[0].exp(),
        |x: &[Ref]| Ref::new(&x[0].dims, vec![f64::NAN, 1.0f64.exp()]),
    );
    let invented = Case::new(
        "log of a negative number against exp",
        vec![constant(&[2], vec![-0.5, 1.0])],
        |x| x[0].log(),
        |x| r::unary(UnaryOp::Exp, &x[0]),
    );
    // And a NaN where the reference has one is right (log of a negative number).
    let kept = Case::new(
        "log of a negative number",
        vec![constant(&[2], vec![-0.5, 1.0])],
        |x| x[0].log(),
        |x| r::unary(UnaryOp::Log, &x[0]),
    );
    on_each_device(|d| {
        for case in [&wrong, &shape, &swallowed, &invented] {
            assert!(check_forward(d, case).is_err(), "{} passed", case.name);
        }
        assert_eq!(check_forward(d, &kept), Ok(()));
    });
}
