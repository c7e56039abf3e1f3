// Elementwise ops of one input: out[i] = op(x[xv(i)]) over `len` output elements. The
// input is read through a view, as in binary.wgsl: the element at padded output index
// (i0, i1, i2, i3) sits at offset + i0*s0 + i1*s1 + i2*s2 + i3*s3; a dense view (the
// common case) reads x[offset + i] with no index arithmetic.
// Entry points are `unary_<op>`, named by `UnaryOp::wgsl_entry()`; the math follows the
// CPU reference in `src/tensor/op.rs` (for example sigmoid's two-sided form).
// One thread per element; workgroups are laid out on a 2-D grid (x up to 65535), so the
// element index is (workgroup_id.y * num_workgroups.x + workgroup_id.x) * 256 + lane.

struct Params {
    // Padded output shape (d0, d1, d2, d3).
    dims: vec4<u32>,
    strides: vec4<u32>,
    // (input offset, number of output elements, dense view: 1, -)
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// The padded multi-index of flat output element `i` (row-major).
fn unflatten(i: u32) -> vec4<u32> {
    let d = params.dims;
    var t = i;
    let i3 = t % d.w;
    t = t / d.w;
    let i2 = t % d.z;
    t = t / d.z;
    let i1 = t % d.y;
    let i0 = t / d.y;
    return vec4<u32>(i0, i1, i2, i3);
}

// The input element of output element `i`.
fn x_at(i: u32) -> f32 {
    if (params.misc.z == 1u) {
        return x[params.misc.x + i];
    }
    return x[at(unflatten(i), params.misc.x, params.strides)];
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
    if (i < params.misc.y) { out[i] = -x_at(i); }
}

@compute @workgroup_size(256)
fn unary_exp(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) { out[i] = exp(x_at(i)); }
}

@compute @workgroup_size(256)
fn unary_log(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) { out[i] = log(x_at(i)); }
}

@compute @workgroup_size(256)
fn unary_sqrt(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) { out[i] = sqrt(x_at(i)); }
}

@compute @workgroup_size(256)
fn unary_recip(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) { out[i] = 1.0 / x_at(i); }
}

@compute @workgroup_size(256)
fn unary_abs(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) { out[i] = abs(x_at(i)); }
}

@compute @workgroup_size(256)
fn unary_relu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    // NaN passes through, as on the CPU; tested on the bits (`is_nan`), since a
    // compiler may assume comparisons never see NaN.
    if (i < params.misc.y) { let v = x_at(i); out[i] = select(0.0, v, is_nan(v) || v > 0.0); }
}

@compute @workgroup_size(256)
fn unary_tanh(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) { out[i] = tanh_f32(x_at(i)); }
}

@compute @workgroup_size(256)
fn unary_sigmoid(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) { out[i] = sigmoid_f32(x_at(i)); }
}

// GELU, tanh form, in the CPU's order: x * (tanh((x + x*x*x*0.044715) * c) + 1) * 0.5.
@compute @workgroup_size(256)
fn unary_gelu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.y) {
        let v = x_at(i);
        let t = tanh_f32((v + v * v * v * 0.044715) * 0.7978846);
        out[i] = v * (t + 1.0) * 0.5;
    }
}
