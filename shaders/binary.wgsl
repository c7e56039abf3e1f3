// Elementwise ops of two inputs with numpy broadcasting: out[i] = op(a[av(i)], b[bv(i)]),
// or op(a[av(i)], c) with a uniform constant c (scalar mode, see `misc`).
// Entry points are `binary_<op>`, named by `BinaryOp::wgsl_entry()`, and `binary_<op>_flat`
// for the common layouts (`BinaryOp::wgsl_flat_entry()`): `a` dense over the output and
// `b` dense over its last dimensions and repeated over the leading ones (the same shape,
// a bias row, a scalar tensor) or a constant, read as a[a_off + i] and
// b[b_off + i % period] with none of the per-element divisions of the general views (on
// a software adapter those divisions cost more than the op). Both forms apply the same
// `op_<name>` function, so they give the same bits. The math follows the CPU reference
// in `src/op.rs` (Max's NaN rule, comparisons giving 1.0 / 0.0).
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
    // The flat entries read `b`'s period (elements before it repeats) from dims.x.
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

fn lhs_flat(i: u32) -> f32 {
    return a[params.misc.x + i];
}

fn rhs_flat(i: u32) -> f32 {
    if (params.misc.w == 1u) {
        return bitcast<f32>(params.b_strides.x);
    }
    return b[params.misc.y + i % params.dims.x];
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

// The ops, one function each, shared by both forms of entry point.
fn op_add(x: f32, y: f32) -> f32 { return x + y; }
fn op_sub(x: f32, y: f32) -> f32 { return x - y; }
fn op_mul(x: f32, y: f32) -> f32 { return x * y; }
fn op_div(x: f32, y: f32) -> f32 { return x / y; }
fn op_max(x: f32, y: f32) -> f32 { return max_f32(x, y); }
fn op_pow(x: f32, y: f32) -> f32 { return pow_f32(x, y); }
fn op_lt(x: f32, y: f32) -> f32 { return select(0.0, 1.0, ordered(x, y) && x < y); }
fn op_gt(x: f32, y: f32) -> f32 { return select(0.0, 1.0, ordered(x, y) && x > y); }
fn op_eq(x: f32, y: f32) -> f32 { return select(0.0, 1.0, ordered(x, y) && x == y); }

// d gelu(x) * g, GELU's backward (`x` the input, `g` the output's gradient), with the
// terms of `op::gelu_grad` in the same order.
fn op_gelu_grad(x: f32, g: f32) -> f32 {
    let t = tanh_f32((x + x * x * x * 0.044715) * 0.7978846);
    let ga = g * 0.5;
    let through_factor = ga * (t + 1.0);
    let g_inner = ga * x * (1.0 - t * t);
    let g_sum = g_inner * 0.7978846;
    let g_cube = g_sum * 0.044715;
    let through_square = g_cube * (x * x);
    let through_x2 = g_cube * x * x;
    return through_factor + g_sum + through_square + through_x2 + through_x2;
}

@compute @workgroup_size(256)
fn binary_add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_add(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_add_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_add(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_sub(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_sub(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_sub_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_sub(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_mul(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_mul(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_mul_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_mul(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_div(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_div(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_div_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_div(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_max(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_max(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_max_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_max(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_pow(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_pow(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_pow_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_pow(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_lt(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_lt(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_lt_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_lt(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_gt(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_gt(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_gt_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_gt(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_eq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_eq(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_eq_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_eq(lhs_flat(i), rhs_flat(i)); }
}

@compute @workgroup_size(256)
fn binary_gelu_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_gelu_grad(lhs(i), rhs(i)); }
}

@compute @workgroup_size(256)
fn binary_gelu_grad_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.z) { out[i] = op_gelu_grad(lhs_flat(i), rhs_flat(i)); }
}
