//! The autograd graph itself: shared uses accumulate, `no_grad` and `detach` cut the
//! graph, deep chains neither overflow the stack in `backward` nor when dropped, and
//! gradients of broadcast inputs come back in the inputs' shapes. Values are checked
//! against f64 finite differences (`check_grad`) or closed forms computed in the test.

mod common;

use common::reference::{self as r, Ref};
use common::{check_grad, constant, diff, distinct, on_each_device, read, Case};
use gradlab::autograd::{is_grad_enabled, no_grad};
use gradlab::rng::Rng;
use gradlab::tensor::BinaryOp;
use gradlab::{Device, Tensor};

fn gradient_check(device: &Device, case: &Case) {
    let mut rng = Rng::new(0xA1);
    if let Err(e) = check_grad(device, case, &mut rng) {
        panic!("{e}");
    }
}

#[test]
fn tensor_used_twice_accumulates_gradients() {
    on_each_device(|device| {
        let mut rng = Rng::new(1);
        // y = x * x + x: x feeds three edges.
        let reuse = Case::new(
            "x * x + x",
            vec![diff(&[7], distinct(&mut rng, 7, -2.0, 2.0))],
            |x| x[0].mul(&x[0]).add(&x[0]),
            |x| {
                let sq = r::binary(BinaryOp::Mul, &x[0], &x[0]);
                r::binary(BinaryOp::Add, &sq, &x[0])
            },
        );
        gradient_check(device, &reuse);
        // A diamond: the interior node e = exp(x) is used by two branches.
        let diamond = Case::new(
            "e = exp(x); e * e + e / 2",
            vec![diff(&[2, 3], distinct(&mut rng, 6, -1.0, 1.0))],
            |x| {
                let e = x[0].exp();
                e.mul(&e).add(&e.mul_scalar(0.5))
            },
            |x| {
                let data = x[0].data.iter().map(|v| (2.0 * v).exp() + 0.5 * v.exp());
                Ref::new(&x[0].dims, data.collect())
            },
        );
        gradient_check(device, &diamond);
    });
}

#[test]
fn gradients_of_broadcast_inputs_have_the_inputs_shapes() {
    on_each_device(|device| {
        let mut rng = Rng::new(2);
        let mut input = |dims: &[usize]| diff(dims, distinct(&mut rng, r::numel(dims), -2.0, 2.0));
        // ((a [3, 1] * b [4]) + c []) * d [2, 1, 4]  ->  [2, 3, 4]
        let case = Case::new(
            "(a * b + c) * d with a [3, 1], b [4], c [], d [2, 1, 4]",
            vec![input(&[3, 1]), input(&[4]), input(&[]), input(&[2, 1, 4])],
            |x| x[0].mul(&x[1]).add(&x[2]).mul(&x[3]),
            |x| {
                let ab = r::binary(BinaryOp::Mul, &x[0], &x[1]);
                let abc = r::binary(BinaryOp::Add, &ab, &x[2]);
                r::binary(BinaryOp::Mul, &abc, &x[3])
            },
        );
        // check_grad fails on a gradient whose shape differs from its input's.
        gradient_check(device, &case);
        // And through an explicit expand of a rank-0 tensor.
        let expand = Case::new(
            "expand [] -> [2, 3] times w [2, 3]",
            vec![
                input(&[]),
                constant(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            ],
            |x| x[0].expand(&[2, 3]).mul(&x[1]),
            |x| r::binary(BinaryOp::Mul, &r::expand(&x[0], &[2, 3]), &x[1]),
        );
        gradient_check(device, &expand);
    });
}

#[test]
fn no_grad_records_nothing() {
    on_each_device(|device| {
        let x = Tensor::parameter(&[1.0, 2.0, 3.0], &[3], device);
        let y = no_grad(|| x.mul(&x).exp().sum_all());
        assert!(y.node().is_none(), "an op under no_grad recorded a node");
        assert!(!y.requires_grad(), "an op under no_grad requires gradients");
        assert!(
            y.backward().is_empty(),
            "backward through no_grad gave gradients"
        );
        assert!(is_grad_enabled(), "no_grad did not restore recording");
        // Nested: the inner scope ends inside the outer one, still disabled.
        no_grad(|| {
            no_grad(|| ());
            assert!(!is_grad_enabled(), "an inner no_grad re-enabled recording");
        });
        assert!(is_grad_enabled());
        // A panic inside no_grad must not leave recording off.
        let caught = std::panic::catch_unwind(|| no_grad(|| panic!("inside no_grad")));
        assert!(caught.is_err());
        assert!(
            is_grad_enabled(),
            "a panic under no_grad left recording off"
        );
    });
}

#[test]
fn detach_stops_the_gradient() {
    on_each_device(|device| {
        let v = [0.5f32, -1.5, 2.0, 3.0];
        let x = Tensor::parameter(&v, &[4], device);
        let d = x.detach();
        assert!(!d.requires_grad() && d.node().is_none());
        assert_eq!(read(&d), v, "detach changed the values");
        // y = sum(stop(x) * x): dy/dx = x (not 2x, which it would be without detach).
        let grads = x.detach().mul(&x).sum_all().backward();
        let g = read(grads.get(&x).expect("no gradient for x"));
        assert_eq!(g, v, "d sum(stop(x) x)/dx must be x exactly (1 * x in f32)");
        // Nothing flows through a detached branch alone.
        let only_detached = x.detach().exp().sum_all();
        assert!(only_detached.backward().get(&x).is_none());
    });
}

#[test]
fn only_reached_leaves_that_require_grad_get_gradients() {
    on_each_device(|device| {
        let x = Tensor::parameter(&[1.0, 2.0], &[2], device);
        let c = Tensor::from_slice(&[3.0, 4.0], &[2], device);
        let unused = Tensor::parameter(&[5.0], &[1], device);
        let h = x.mul(&c);
        let grads = h.exp().sum_all().backward();
        assert!(grads.get(&x).is_some(), "the leaf x got no gradient");
        assert!(grads.get(&c).is_none(), "a constant got a gradient");
        assert!(
            grads.get(&unused).is_none(),
            "an unreached leaf got a gradient"
        );
        assert!(
            grads.get(&h).is_none(),
            "an interior tensor kept its gradient"
        );
        assert_eq!(grads.len(), 1);
        // Backward twice over the same graph gives the same gradients.
        let again = h.exp().sum_all().backward();
        assert_eq!(read(grads.get(&x).unwrap()), read(again.get(&x).unwrap()));
        // A non-scalar root is summed: the same as backward of its sum.
        let direct = h.backward();
        assert_eq!(read(direct.get(&x).unwrap()), read(&c));
    });
}

/// Builds and differentiates a chain of `n` ops, alternately `* 2` and `* 0.5`: powers
/// of two are exact in f32, so dy/dx is exactly 1 (and y is exactly x).
fn long_chain(device: &Device, n: usize) {
    let v = [0.5f32, -3.0];
    let x = Tensor::parameter(&v, &[2], device);
    let mut y = x.clone();
    for i in 0..n {
        y = y.mul_scalar(if i % 2 == 0 { 2.0 } else { 0.5 });
    }
    assert_eq!(read(&y), v, "the chain of {n} ops changed the values");
    let grads = y.sum_all().backward();
    let g = read(
        grads
            .get(&x)
            .expect("no gradient at the bottom of the chain"),
    );
    assert_eq!(g, [1.0, 1.0], "d y / d x through {n} ops");
    drop(grads);
    // The chain's last handle: dropping it must not recurse n deep either.
    drop(y);
}

/// 10_000 ops on 1 MiB of stack, like a wasm32 build's default rather than the test
/// thread's 2 MiB. The devices are made inside the thread: a GPU device need not be
/// `Send`.
#[test]
fn backward_through_a_long_chain_does_not_overflow_the_stack() {
    on_small_stack(|| on_each_device(|d| long_chain(d, 10_000)));
}

/// Dropping a graph is a walk of its own: a recursive drop of 200_000 nested nodes
/// overflows 1 MiB. The graph's shape, not the device, is under test, so this runs on
/// the CPU only (200_000 GPU dispatches would take a long while on a software adapter).
#[test]
fn dropping_a_very_deep_graph_does_not_overflow_the_stack() {
    on_small_stack(|| long_chain(&Device::Cpu, 200_000));
}

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the long chain panicked");
}
