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
            let m = Rc::make_mut(&mut ms[0]);
            let v = Rc::make_mut(&mut vs[0]);
            let p = Rc::make_mut(&mut param);
            let step_size = lr / bias_correction1;
            for i in 0..len {
                let g = grad_at(i) + l2 * p[i] + l1 * sign(p[i]);
                if decoupled_wd != 0.0 {
                    p[i] *= 1.0 - lr * decoupled_wd;
                }
                m[i] = beta1 * m[i] + (1.0 - beta1) * g;
                v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
                let denom = libm::sqrtf(v[i]) / bias_correction2_sqrt + eps;
                p[i] -= step_size * m[i] / denom;
            }
        }
    }
    (param, state)
}
