// Elementwise ops of one input: out[i] = op(x[i]) over `len` contiguous elements.
// Entry points are `unary_<op>`, named by `UnaryOp::wgsl_entry()`; the math follows the
// CPU reference in `src/tensor/op.rs` (for example sigmoid's two-sided form).
// One thread per element; workgroups are laid out on a 2-D grid (x up to 65535), so the
// element index is (workgroup_id.y * num_workgroups.x + workgroup_id.x) * 256 + lane.

struct Params {
    len: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// tanh after Cephes' tanhf: a polynomial near zero (no cancellation), the exponential
// form elsewhere, and +-1 beyond 10 where tanh rounds to 1 in f32 (exp cannot overflow).
fn tanh_f32(v: f32) -> f32 {
    let a = abs(v);
    if (a > 10.0) {
        return sign(v);
    }
    if (a < 0.625) {
        let z = v * v;
        let p = ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z
            + 1.33314422036e-1) * z - 3.33332819422e-1) * z;
        return p * v + v;
    }
    let e = exp(2.0 * a);
    let t = 1.0 - 2.0 / (e + 1.0);
    return select(t, -t, v < 0.0);
}

// Two-sided sigmoid: exp of a non-positive number only, so neither branch overflows.
fn sigmoid_f32(v: f32) -> f32 {
    if (v >= 0.0) {
        return 1.0 / (1.0 + exp(-v));
    }
    let e = exp(v);
    return e / (1.0 + e);
}

@compute @workgroup_size(256)
fn unary_neg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = -x[i]; }
}

@compute @workgroup_size(256)
fn unary_exp(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = exp(x[i]); }
}

@compute @workgroup_size(256)
fn unary_log(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = log(x[i]); }
}

@compute @workgroup_size(256)
fn unary_sqrt(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = sqrt(x[i]); }
}

@compute @workgroup_size(256)
fn unary_recip(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = 1.0 / x[i]; }
}

@compute @workgroup_size(256)
fn unary_abs(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = abs(x[i]); }
}

@compute @workgroup_size(256)
fn unary_relu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    // NaN passes through, as on the CPU; tested on the bits (`is_nan`), since a
    // compiler may assume comparisons never see NaN.
    if (i < params.len) { let v = x[i]; out[i] = select(0.0, v, is_nan(v) || v > 0.0); }
}

@compute @workgroup_size(256)
fn unary_tanh(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = tanh_f32(x[i]); }
}

@compute @workgroup_size(256)
fn unary_sigmoid(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.len) { out[i] = sigmoid_f32(x[i]); }
}
