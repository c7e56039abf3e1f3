// Elementwise ops of two inputs with numpy broadcasting: out[i] = op(a[av(i)], b[bv(i)]),
// or op(a[av(i)], c) with a uniform constant c (scalar mode, see `misc`).
// Entry points are `binary_<op>`, named by `BinaryOp::wgsl_entry()`; the math follows the
// CPU reference in `src/tensor/op.rs` (Max's NaN rule, comparisons giving 1.0 / 0.0).
// NaN is tested on the bits (`is_nan`) before any comparison: WGSL leaves comparisons
// with NaN to the implementation, and the browser must give the CPU's answer.
// Each input is read through a view: the element at padded output index (i0, i1, i2, i3)
// sits at offset + i0*s0 + i1*s1 + i2*s2 + i3*s3 (stride 0 broadcasts).

struct Params {
    // Padded output shape (d0, d1, d2, d3).
    dims: vec4<u32>,
    a_strides: vec4<u32>,
    b_strides: vec4<u32>,
    // (a offset, b offset, number of output elements, scalar mode). In scalar mode
    // (1) the second operand is the constant whose bits are b_strides.x, and `b` is a
    // placeholder that is never read: constants cost no buffer and no fill dispatch.
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

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

fn lhs(i: u32) -> f32 {
    return a[at(unflatten(i), params.misc.x, params.a_strides)];
}

fn rhs(i: u32) -> f32 {
    if (params.misc.w == 1u) {
        return bitcast<f32>(params.b_strides.x);
    }
    return b[at(unflatten(i), params.misc.y, params.b_strides)];
}

// Max propagating NaN, as the CPU: `x` when it is NaN, else `y` when it is NaN, else the
// larger (`x` on a tie).
fn max_f32(x: f32, y: f32) -> f32 {
    if (is_nan(x)) {
        return x;
    }
    if (is_nan(y)) {
        return y;
    }
    return select(y, x, x >= y);
}

// IEEE comparisons: false whenever either side is NaN.
fn ordered(x: f32, y: f32) -> bool {
    return !is_nan(x) && !is_nan(y);
}

// libm's powf on the cases that matter: x^0 = 1 and 1^y = 1 (even for NaN), a negative
// base with an integral exponent keeps its sign for odd exponents, else NaN.
fn pow_f32(x: f32, y: f32) -> f32 {
    if (y == 0.0 || x == 1.0) {
        return 1.0;
    }
    if (is_nan(x) || is_nan(y)) {
        return f32_from_bits(0x7fc00000u);
    }
    if (x == 0.0) {
        return select(f32_from_bits(0x7f800000u), 0.0, y > 0.0);
    }
    if (x < 0.0) {
        if (floor(y) != y) {
            return f32_from_bits(0x7fc00000u);
        }
        let m = pow(-x, y);
        let odd = abs(y) < 16777216.0 && (i32(abs(y)) & 1) == 1;
        return select(m, -m, odd);
    }
    return pow(x, y);
}

@compute @workgroup_size(256)
fn binary_add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = lhs(i) + rhs(i); }
}

@compute @workgroup_size(256)
fn binary_sub(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = lhs(i) - rhs(i); }
}

@compute @workgroup_size(256)
fn binary_mul(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = lhs(i) * rhs(i); }
}

@compute @workgroup_size(256)
fn binary_div(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = lhs(i) / rhs(i); }
}

@compute @workgroup_size(256)
fn binary_max(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = max_f32(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_pow(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = pow_f32(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_lt(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { let x = lhs(i); let y = rhs(i); out[i] = select(0.0, 1.0, ordered(x, y) && x < y); }
}

@compute @workgroup_size(256)
fn binary_gt(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { let x = lhs(i); let y = rhs(i); out[i] = select(0.0, 1.0, ordered(x, y) && x > y); }
}

@compute @workgroup_size(256)
fn binary_eq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { let x = lhs(i); let y = rhs(i); out[i] = select(0.0, 1.0, ordered(x, y) && x == y); }
}

// d gelu(a) * b, GELU's backward (`a` the input, `b` the output's gradient), with the
// terms of `op::gelu_grad` in the same order.
@compute @workgroup_size(256)
fn binary_gelu_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) {
        let x = lhs(i);
        let g = rhs(i);
        let t = tanh_f32((x + x * x * x * 0.044715) * 0.7978846);
        let ga = g * 0.5;
        let through_factor = ga * (t + 1.0);
        let g_inner = ga * x * (1.0 - t * t);
        let g_sum = g_inner * 0.7978846;
        let g_cube = g_sum * 0.044715;
        let through_square = g_cube * (x * x);
        let through_x2 = g_cube * x * x;
        out[i] = through_factor + g_sum + through_square + through_x2 + through_x2;
    }
}
