//! Strided views: permute, expand and slice (and reshape of a dense tensor) share their
//! input's storage, and consumers read through the layout. For chains of views (a slice
//! of a permute, an expand of a slice, ...) feeding every elementwise op, unary ops,
//! reductions and matmul, on the CPU and the GPU:
//! - values are bit-identical to the copy-first path (the view materialised first, as
//!   every view was before), and match the f64 reference;
//! - on the GPU, building a view dispatches nothing and an elementwise, unary or reduce
//!   consumer dispatches exactly its own kernel (no copy);
//! - gradients through views match f64 finite differences.

mod common;

use common::reference::{self as r, Ref};
use common::{
    assert_all, axis_subsets, check_forward, check_grad, devices, diff, read, uniform, Case,
};
use gradlab::rng::Rng;
use gradlab::tensor::{BinaryOp, ReduceOp, UnaryOp};
use gradlab::{Device, Tensor};
use std::rc::Rc;

/// A chain of movement ops: on device tensors and on the f64 reference.
#[derive(Clone)]
struct Chain {
    name: &'static str,
    input: &'static [usize],
    run: Rc<dyn Fn(&Tensor) -> Tensor>,
    reference: Rc<dyn Fn(&Ref) -> Ref>,
}

fn chain(
    name: &'static str,
    input: &'static [usize],
    run: impl Fn(&Tensor) -> Tensor + 'static,
    reference: impl Fn(&Ref) -> Ref + 'static,
) -> Chain {
    Chain {
        name,
        input,
        run: Rc::new(run),
        reference: Rc::new(reference),
    }
}

/// Views of every kind and their compositions.
fn chains() -> Vec<Chain> {
    vec![
        chain(
            "permute [2, 3, 4] by [2, 0, 1]",
            &[2, 3, 4],
            |x| x.permute(&[2, 0, 1]),
            |x| r::permute(x, &[2, 0, 1]),
        ),
        chain(
            "expand [3, 1] to [2, 3, 4]",
            &[3, 1],
            |x| x.expand(&[2, 3, 4]),
            |x| r::expand(x, &[2, 3, 4]),
        ),
        chain(
            "slice [4, 5, 6] at [1..3, 0..5, 2..6]",
            &[4, 5, 6],
            |x| x.slice(&[(1, 3), (0, 5), (2, 6)]),
            |x| r::slice(x, &[(1, 3), (0, 5), (2, 6)]),
        ),
        chain(
            "slice of a permute",
            &[3, 4, 5],
            |x| x.permute(&[2, 0, 1]).slice(&[(1, 4), (0, 3), (1, 3)]),
            |x| r::slice(&r::permute(x, &[2, 0, 1]), &[(1, 4), (0, 3), (1, 3)]),
        ),
        chain(
            "expand of a slice",
            &[4, 1, 6],
            |x| x.slice(&[(1, 3), (0, 1), (2, 5)]).expand(&[3, 2, 4, 3]),
            |x| r::expand(&r::slice(x, &[(1, 3), (0, 1), (2, 5)]), &[3, 2, 4, 3]),
        ),
        chain(
            "permute of an expand",
            &[3, 1],
            |x| x.expand(&[2, 3, 4]).permute(&[2, 0, 1]),
            |x| r::permute(&r::expand(x, &[2, 3, 4]), &[2, 0, 1]),
        ),
        chain(
            "slice to one row, then expand",
            &[4, 3],
            |x| x.slice(&[(2, 3), (0, 3)]).expand(&[5, 3]),
            |x| r::expand(&r::slice(x, &[(2, 3), (0, 3)]), &[5, 3]),
        ),
        chain(
            "reshape of a leading-axis slice (dense at an offset)",
            &[6, 4],
            |x| x.slice(&[(2, 5), (0, 4)]).reshape(&[2, 6]),
            |x| r::reshape(&r::slice(x, &[(2, 5), (0, 4)]), &[2, 6]),
        ),
        chain(
            "empty slice past the last element",
            &[2, 3],
            |x| x.slice(&[(2, 2), (3, 3)]),
            |x| r::slice(x, &[(2, 2), (3, 3)]),
        ),
        chain(
            "reshape of a transpose (copied), then permuted",
            &[2, 3, 4],
            |x| x.transpose(0, 2).reshape(&[4, 6]).permute(&[1, 0]),
            |x| r::permute(&r::reshape(&r::permute(x, &[2, 1, 0]), &[4, 6]), &[1, 0]),
        ),
    ]
}

/// The values of `t` in a fresh contiguous tensor: the copy-first path.
fn copied(t: &Tensor) -> Tensor {
    Tensor::from_slice(&read(t), t.dims(), t.device())
}

/// Inputs in `[lo, hi)`, seeded.
fn values(rng: &mut Rng, dims: &[usize], lo: f32, hi: f32) -> Vec<f32> {
    uniform(rng, r::numel(dims), lo, hi)
}

/// Bit equality (NaN equal to NaN with the same bits).
fn assert_bits(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(
            g.to_bits(),
            w.to_bits(),
            "{what}: element {i} is {g}, copy-first gives {w}"
        );
    }
}

/// A consumer of a view: `f(view, other)` with `other` a contiguous tensor of the
/// view's shape.
type Consumer = Rc<dyn Fn(&Tensor, &Tensor) -> Tensor>;

/// Every consumer applied to `view` (a view) and to `base` (the same values copied
/// first): `f(view)` and `f(base)` must be bit-identical.
fn consumers(view_dims: &[usize]) -> Vec<(String, Consumer)> {
    let mut v: Vec<(String, Consumer)> = Vec::new();
    for &op in UnaryOp::ALL {
        v.push((op.name().into(), Rc::new(move |x, _| x.unary(op))));
    }
    for &op in BinaryOp::ALL {
        // With a contiguous operand on either side, and the view with itself.
        v.push((
            format!("{} (view, other)", op.name()),
            Rc::new(move |x, o| x.binary(op, o)),
        ));
        v.push((
            format!("{} (other, view)", op.name()),
            Rc::new(move |x, o| o.binary(op, x)),
        ));
        v.push((
            format!("{} (view, view)", op.name()),
            Rc::new(move |x, _| x.binary(op, x)),
        ));
        v.push((
            format!("{} with a scalar", op.name()),
            Rc::new(move |x, _| x.binary_scalar(op, 0.75)),
        ));
    }
    v.push((
        "select(view > 0, view, other)".into(),
        Rc::new(|x, o| Tensor::select(&x.gt(&x.scalar_like(0.0)), x, o)),
    ));
    v.push((
        "select(other > 0, other, view)".into(),
        Rc::new(|x, o| Tensor::select(&o.gt(&o.scalar_like(0.0)), o, x)),
    ));
    for axes in axis_subsets(view_dims.len()) {
        for &op in ReduceOp::ALL {
            let a = axes.clone();
            v.push((
                format!("{} over {axes:?}", op.name()),
                Rc::new(move |x, _| x.reduce_keepdim(op, &a)),
            ));
        }
    }
    match view_dims.len() {
        2 => v.push(("matmul".into(), Rc::new(|x, o| x.matmul_t(o, false, true)))),
        3 => v.push((
            "batched matmul".into(),
            Rc::new(|x, o| x.matmul_t(o, false, true)),
        )),
        _ => {}
    }
    v
}

#[test]
fn every_consumer_of_a_view_equals_the_copy_first_path_bit_for_bit() {
    let mut rng = Rng::new(8);
    for device in devices() {
        for c in chains() {
            let x = Tensor::from_slice(&values(&mut rng, c.input, -2.0, 2.0), c.input, &device);
            let view = (c.run)(&x);
            let base = copied(&view);
            // A second operand of the view's shape (contiguous), with values apart
            // from the view's so comparisons and max see both orders.
            let other = Tensor::from_slice(
                &values(&mut rng, view.dims(), -2.0, 2.0),
                view.dims(),
                &device,
            );
            for (name, f) in consumers(view.dims()) {
                let what = format!("{name} of {} on {}", c.name, device.label());
                assert_bits(&what, &read(&f(&view, &other)), &read(&f(&base, &other)));
            }
        }
    }
}

#[test]
fn views_match_the_f64_reference_on_every_device() {
    let mut rng = Rng::new(9);
    let cases: Vec<Case> = chains()
        .into_iter()
        .map(|c| {
            let (run, reference) = (c.run.clone(), c.reference.clone());
            Case::new(
                c.name,
                vec![diff(c.input, values(&mut rng, c.input, -2.0, 2.0))],
                move |x| run(&x[0]),
                move |x| reference(&x[0]),
            )
        })
        .collect();
    for device in devices() {
        assert_all(&cases, |case| check_forward(&device, case));
    }
}

/// Cases whose gradient flows back through a chain of views into an elementwise op, a
/// unary op, a reduction and a matmul.
fn gradient_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for c in chains() {
        let dims = {
            let probe = (c.run)(&Tensor::zeros(c.input, &Device::Cpu));
            probe.dims().to_vec()
        };
        let x = diff(c.input, values(rng, c.input, -2.0, 2.0));
        let w = diff(&dims, values(rng, &dims, -2.0, 2.0));
        let (run, reference) = (c.run.clone(), c.reference.clone());
        cases.push(Case::new(
            format!("tanh(view) * w, view = {}", c.name),
            vec![x.clone(), w],
            move |t| run(&t[0]).tanh().mul(&t[1]),
            move |t| {
                let v = r::unary(UnaryOp::Tanh, &reference(&t[0]));
                r::binary(BinaryOp::Mul, &v, &t[1])
            },
        ));
        let (run, reference) = (c.run.clone(), c.reference.clone());
        let first = vec![0];
        let first_ref = first.clone();
        cases.push(
            Case::new(
                format!("sum over axis 0 of exp(view), view = {}", c.name),
                vec![x.clone()],
                move |t| run(&t[0]).exp().sum_axes(&first, true),
                move |t| {
                    let v = r::unary(UnaryOp::Exp, &reference(&t[0]));
                    r::reduce(ReduceOp::Sum, &v, &first_ref)
                },
            )
            .accumulating(),
        );
        if dims.len() == 2 {
            let (run, reference) = (c.run.clone(), c.reference.clone());
            let m = diff(&[3, dims[1]], values(rng, &[3, dims[1]], -2.0, 2.0));
            cases.push(
                Case::new(
                    format!("view @ m^T, view = {}", c.name),
                    vec![x, m],
                    move |t| run(&t[0]).matmul_t(&t[1], false, true),
                    move |t| r::matmul(&reference(&t[0]), &t[1], false, true),
                )
                .accumulating(),
            );
        }
    }
    cases
}

#[test]
fn gradients_through_views_match_finite_differences() {
    let mut rng = Rng::new(10);
    let cases = gradient_cases(&mut rng);
    for device in devices() {
        let mut grad_rng = Rng::new(11);
        assert_all(&cases, |case| check_grad(&device, case, &mut grad_rng));
    }
}

#[test]
fn views_share_storage_until_a_contiguous_consumer_copies_once() {
    for device in devices() {
        let x = Tensor::from_slice(
            &(0..24).map(|v| v as f32).collect::<Vec<_>>(),
            &[2, 3, 4],
            &device,
        );
        assert!(x.is_contiguous());
        let p = x.permute(&[2, 0, 1]);
        assert!(!p.is_contiguous(), "a permute is a strided view");
        let s = x.slice(&[(0, 1), (0, 3), (0, 4)]);
        assert!(!s.is_contiguous(), "a slice reads part of its storage");
        // Dense at offset 0 but shorter than its storage: still not plain (kernels that
        // take a storage's own length must not see the rest).
        let r = s.reshape(&[12]);
        assert_eq!(r.layout().offset, 0);
        assert!(!r.is_contiguous());
        let e = x.sum_axes(&[0, 1, 2], true).expand(&[2, 3, 4]);
        assert!(!e.is_contiguous());
        // A plain reshape stays plain.
        assert!(x.reshape(&[6, 4]).is_contiguous());
        // `storage()` holds exactly the row-major values, and a later call reuses them.
        let want = r::permute(&Ref::from_f32(&[2, 3, 4], &read(&x)), &[2, 0, 1]);
        let got: Vec<f64> = read(&p).iter().map(|&v| v as f64).collect();
        assert_eq!(got, want.data, "permute on {}", device.label());
        assert_eq!(p.storage().len(), p.numel());
    }
}

/// Dispatches recorded by `f` on the GPU.
fn dispatches(gpu: &Device, f: impl FnOnce()) -> u64 {
    let before = gpu.gpu_stats().expect("GPU stats");
    f();
    gpu.gpu_stats()
        .expect("GPU stats")
        .since(&before)
        .dispatches
}

#[test]
fn on_the_gpu_views_dispatch_nothing_and_elementwise_consumers_copy_nothing() {
    let Some(gpu) = common::gpu::gpu_device() else {
        return;
    };
    let mut rng = Rng::new(12);
    for c in chains() {
        let x = Tensor::from_slice(&values(&mut rng, c.input, -2.0, 2.0), c.input, &gpu);
        let mut view = None;
        // "reshape of a transpose" must copy once (a non-dense reshape); every other
        // chain is free.
        let copies = u64::from(c.name.starts_with("reshape of a transpose"));
        let n = dispatches(&gpu, || view = Some((c.run)(&x)));
        assert_eq!(n, copies, "building {} dispatched {n} kernels", c.name);
        let view = view.expect("built");
        if view.numel() == 0 {
            // Nothing to compute: kernels over no element are not launched at all.
            continue;
        }
        let other = Tensor::zeros(view.dims(), &gpu);
        // Each consumer is exactly one kernel: its own.
        let one: Vec<(&str, Consumer)> = vec![
            ("relu", Rc::new(|x, _| x.relu())),
            ("add", Rc::new(|x, o| x.add(o))),
            ("mul by itself", Rc::new(|x, _| x.mul(x))),
            ("add_scalar", Rc::new(|x, _| x.add_scalar(1.0))),
            ("select", Rc::new(|x, o| Tensor::select(o, x, o))),
            ("sum over axis 0", Rc::new(|x, _| x.sum_axes(&[0], true))),
            (
                "max over all",
                Rc::new(|x, _| x.reduce_keepdim(ReduceOp::Max, &(0..x.rank()).collect::<Vec<_>>())),
            ),
        ];
        for (name, f) in one {
            let n = dispatches(&gpu, || drop(f(&view, &other)));
            assert_eq!(n, 1, "{name} of {} dispatched {n} kernels", c.name);
        }
        // A contiguous-only consumer copies a strided view once, and only once.
        if !view.is_contiguous() {
            assert_eq!(
                dispatches(&gpu, || {
                    let _ = view.storage();
                }),
                1
            );
            assert_eq!(
                dispatches(&gpu, || {
                    let _ = view.storage();
                }),
                0
            );
        }
    }
}

#[test]
fn the_gradient_of_a_sum_reaches_a_product_without_a_copy() {
    let Some(gpu) = common::gpu::gpu_device() else {
        return;
    };
    let a = Tensor::parameter(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], &gpu);
    let b = Tensor::parameter(&[0.5, -1.0, 2.0, 1.5, 0.25, -3.0], &[2, 3], &gpu);
    let loss = a.mul(&b).sum_all();
    // backward: one fill (the seed gradient of ones), Sum's backward `g.expand` and the
    // reshape are views, then Mul's rule is two products (g*b, g*a): three kernels.
    // Copying the expanded gradient first would make it four.
    let mut grads = None;
    let n = dispatches(&gpu, || grads = Some(loss.backward()));
    assert_eq!(n, 3, "backward of sum(a*b) dispatched {n} kernels");
    let grads = grads.expect("backward");
    // d sum(a*b)/da = b, d/db = a.
    assert_eq!(read(grads.get(&a).expect("grad a")), read(&b));
    assert_eq!(read(grads.get(&b).expect("grad b")), read(&a));
}
