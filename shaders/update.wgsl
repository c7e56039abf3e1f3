// Fused optimizer updates, one dispatch per parameter tensor, in place. The equations are
// those of `src/backend/cpu/update.rs` (PyTorch's), written in the same operation order:
//   g = grad * gscale[0] (when flag bit 2 is set: gradient clipping's coefficient, folded
//       in here instead of a multiply dispatch per gradient), else grad
//   g' = g + l2*p + l1*sign(p)
//   SGD:      p -= lr*g'
//   momentum: buf = g' (first step) or momentum*buf + (1-dampening)*g';
//             d = g' + momentum*buf (Nesterov) or buf;  p -= lr*d
//   Adam(W):  p *= 1 - lr*wd (when wd != 0); m = b1*m + (1-b1)g'; v = b2*v + (1-b2)g'^2;
//             p -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)

struct Params {
    len: u32,
    // bit 0: first step (momentum buffer set to g'); bit 1: Nesterov; bit 2: scale the
    // gradient by gscale[0].
    flags: u32,
    lr: f32,
    momentum: f32,
    dampening: f32,
    l1: f32,
    l2: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    bias_correction1: f32,
    bias_correction2_sqrt: f32,
    decoupled_wd: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> p: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
// One element: the gradient's scale (the gradient is bound again when flag bit 2 is off).
@group(0) @binding(3) var<storage, read> gscale: array<f32>;
@group(0) @binding(4) var<storage, read_write> s1: array<f32>;
@group(0) @binding(5) var<storage, read_write> s2: array<f32>;

// sign with sign(0) = 0, as the CPU's.
fn sign_f32(v: f32) -> f32 {
    if (v > 0.0) {
        return 1.0;
    }
    if (v < 0.0) {
        return -1.0;
    }
    return 0.0;
}

fn regularized(i: u32) -> f32 {
    let pv = p[i];
    var g = grad[i];
    if ((params.flags & 4u) != 0u) {
        g = g * gscale[0];
    }
    return g + params.l2 * pv + params.l1 * sign_f32(pv);
}

@compute @workgroup_size(256)
fn update_sgd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i >= params.len) {
        return;
    }
    let g = regularized(i);
    p[i] = p[i] - params.lr * g;
}

@compute @workgroup_size(256)
fn update_sgd_momentum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i >= params.len) {
        return;
    }
    let g = regularized(i);
    var buf = g;
    if ((params.flags & 1u) == 0u) {
        buf = params.momentum * s1[i] + (1.0 - params.dampening) * g;
    }
    s1[i] = buf;
    var d = buf;
    if ((params.flags & 2u) != 0u) {
        d = g + params.momentum * buf;
    }
    p[i] = p[i] - params.lr * d;
}

@compute @workgroup_size(256)
fn update_adam(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i >= params.len) {
        return;
    }
    let g = regularized(i);
    var pv = p[i];
    if (params.decoupled_wd != 0.0) {
        pv = pv * (1.0 - params.lr * params.decoupled_wd);
    }
    let m = params.beta1 * s1[i] + (1.0 - params.beta1) * g;
    let v = params.beta2 * s2[i] + (1.0 - params.beta2) * g * g;
    s1[i] = m;
    s2[i] = v;
    let step_size = params.lr / params.bias_correction1;
    let denom = sqrt(v) / params.bias_correction2_sqrt + params.eps;
    p[i] = pv - step_size * m / denom;
}
