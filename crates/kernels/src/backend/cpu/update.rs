//! Fused optimizer updates on the CPU: the reference for the GPU kernels.

use super::CpuStorage;
use crate::backend::UpdateRule;
use std::rc::Rc;

fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Apply `rule` to `len` elements; parameter and state are updated in place when this
/// is their only owner (the usual case), else copied first. With `grad_scale` (one
/// element: gradient clipping's coefficient) each gradient element is multiplied by it
/// first, `g * s`, the very product a separate elementwise multiply stores, so the bits
/// are those of multiplying first and updating after.
pub fn apply(
    rule: &UpdateRule,
    mut param: CpuStorage,
    grad: &CpuStorage,
    grad_scale: Option<&CpuStorage>,
    mut state: Vec<CpuStorage>,
    len: usize,
) -> (CpuStorage, Vec<CpuStorage>) {
    let scale = grad_scale.map(|s| s[0]);
    let grad_at = |i: usize| match scale {
        Some(s) => grad[i] * s,
        None => grad[i],
    };
    match *rule {
        UpdateRule::Sgd {
            lr,
            momentum,
            dampening,
            nesterov,
            first_step,
            l1,
            l2,
        } => {
            let p = Rc::make_mut(&mut param);
            if momentum != 0.0 {
                let buf = Rc::make_mut(&mut state[0]);
                for i in 0..len {
                    let g = grad_at(i) + l2 * p[i] + l1 * sign(p[i]);
                    buf[i] = if first_step {
                        g
                    } else {
                        momentum * buf[i] + (1.0 - dampening) * g
                    };
                    let d = if nesterov {
                        g + momentum * buf[i]
                    } else {
                        buf[i]
                    };
                    p[i] -= lr * d;
                }
            } else {
                for (i, pi) in p.iter_mut().enumerate().take(len) {
                    let g = grad_at(i) + l2 * *pi + l1 * sign(*pi);
                    *pi -= lr * g;
                }
            }
        }
        UpdateRule::Adam {
            lr,
            beta1,
            beta2,
            eps,
            bias_correction1,
            bias_correction2_sqrt,
            decoupled_wd,
            l1,
            l2,
        } => {
            let (ms, vs) = state.split_at_mut(1);
            let m = &mut Rc::make_mut(&mut ms[0])[..len];
            let v = &mut Rc::make_mut(&mut vs[0])[..len];
            let p = &mut Rc::make_mut(&mut param)[..len];
            let step_size = lr / bias_correction1;
            // One element's update. `f32::sqrt` is IEEE's correctly rounded square root,
            // libm's `sqrtf` bits on every target, and unlike a call it vectorises: the
            // loops below have no bounds checks and no call, so LLVM runs them in SIMD
            // lanes (each lane still computes exactly these operations in this order).
            let adam = |p: &mut f32, m: &mut f32, v: &mut f32, g: f32| {
                let g = g + l2 * *p + l1 * sign(*p);
                if decoupled_wd != 0.0 {
                    *p *= 1.0 - lr * decoupled_wd;
                }
                *m = beta1 * *m + (1.0 - beta1) * g;
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                let denom = v.sqrt() / bias_correction2_sqrt + eps;
                *p -= step_size * *m / denom;
            };
            let lanes = p.iter_mut().zip(m.iter_mut()).zip(v.iter_mut());
            match scale {
                Some(s) => {
                    for (((p, m), v), &g) in lanes.zip(&grad[..len]) {
                        adam(p, m, v, g * s);
                    }
                }
                None => {
                    for (((p, m), v), &g) in lanes.zip(&grad[..len]) {
                        adam(p, m, v, g);
                    }
                }
            }
        }
    }
    (param, state)
}
