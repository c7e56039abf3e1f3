// Reductions of `outer` rows of `inner` elements to one value each, in a fixed order
// (deterministic: no atomics). Entry points `reduce_sum` and `reduce_max`, named by
// `ReduceOp::wgsl_entry()`. The rows are the source elements in row-major order of the
// padded shape `dims`, read through a view (offset + i0*s0 + ... + i3*s3), so reducing
// a permuted or broadcast tensor needs no copy; a dense view reads x[offset + k].
//
// Two fixed shapes, chosen on the host from (outer, inner) alone:
// - mode 0, long rows: one workgroup per row. Lane t folds elements t, t+256, t+512, ...
//   left to right, then the 256 partials are combined by a fixed binary tree in
//   workgroup memory (128, 64, ..., 1).
// - mode 1, short rows: one thread per row folds it left to right, exactly the CPU order.
// Max follows the CPU rule: a NaN accumulator stays, else take x when x is NaN or
// x > acc (NaN propagates). NaN is tested on the bits before comparing: WGSL leaves
// comparisons with NaN to the implementation.

struct Params {
    outer: u32,
    inner: u32,
    mode: u32,
    // 1: the view is dense (element k at offset + k).
    dense: u32,
    // Padded source shape and its strides in `x`.
    dims: vec4<u32>,
    strides: vec4<u32>,
    offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, 256>;

// Source element `k` in row-major order of `dims`.
fn load(k: u32) -> f32 {
    if (params.dense == 1u) {
        return x[params.offset + k];
    }
    let d = params.dims;
    var t = k;
    let i3 = t % d.w;
    t = t / d.w;
    let i2 = t % d.z;
    t = t / d.z;
    let i1 = t % d.y;
    let i0 = t / d.y;
    return x[at(vec4<u32>(i0, i1, i2, i3), params.offset, params.strides)];
}

fn combine_sum(acc: f32, v: f32) -> f32 {
    return acc + v;
}

fn combine_max(acc: f32, v: f32) -> f32 {
    if (is_nan(acc)) {
        return acc;
    }
    return select(acc, v, is_nan(v) || v > acc);
}

// `op` 0 is sum, 1 is max.
fn combine(op: u32, acc: f32, v: f32) -> f32 {
    if (op == 0u) {
        return combine_sum(acc, v);
    }
    return combine_max(acc, v);
}

fn identity(op: u32) -> f32 {
    if (op == 0u) {
        return 0.0;
    }
    return f32_from_bits(0xff800000u);
}

fn reduce(op: u32, wid: vec3<u32>, nwg: vec3<u32>, lane: u32) {
    let group = wid.y * nwg.x + wid.x;
    let inner = params.inner;
    if (params.mode == 1u) {
        let row = group * 256u + lane;
        if (row < params.outer) {
            var acc = identity(op);
            let base = row * inner;
            for (var j = 0u; j < inner; j = j + 1u) {
                acc = combine(op, acc, load(base + j));
            }
            out[row] = acc;
        }
        return;
    }
    // mode 0: `group` is the row; it is the same for the whole workgroup, so every
    // barrier below is reached by all lanes.
    let row = group;
    var acc = identity(op);
    if (row < params.outer) {
        let base = row * inner;
        for (var j = lane; j < inner; j = j + 256u) {
            acc = combine(op, acc, load(base + j));
        }
    }
    partial[lane] = acc;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s = s >> 1u) {
        if (lane < s) {
            partial[lane] = combine(op, partial[lane], partial[lane + s]);
        }
        workgroupBarrier();
    }
    if (lane == 0u && row < params.outer) {
        out[row] = partial[0];
    }
}

@compute @workgroup_size(256)
fn reduce_sum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    reduce(0u, wid, nwg, lane);
}

@compute @workgroup_size(256)
fn reduce_max(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    reduce(1u, wid, nwg, lane);
}
