// Shared helpers, prepended to every kernel family's file when its module is built
// (`Family::source` in src/backend/gpu/pipelines.rs), the same on every target. Only
// pure functions live here: a family's `params` and bindings stay in its own file.

// Flat element index of a lane in a 2-D grid of 256-lane workgroups (grids past 65535
// workgroups per dimension spill into y).
fn element(wid: vec3<u32>, nwg: vec3<u32>, lane: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * 256u + lane;
}

// The source index of padded multi-index `idx` in a view with `offset` and strides `s`.
fn at(idx: vec4<u32>, offset: u32, s: vec4<u32>) -> u32 {
    return offset + idx.x * s.x + idx.y * s.y + idx.z * s.z + idx.w * s.w;
}

// NaN test on the bits: compilers may assume comparisons never see NaN.
fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// NaN and infinities are built from bits held in a variable: a constant-expression
// bitcast to NaN/Inf is rejected by Chrome's WGSL compiler (naga accepts it).
fn f32_from_bits(bits: u32) -> f32 {
    var b = bits;
    return bitcast<f32>(b);
}


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
