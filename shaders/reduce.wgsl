// Reductions of `outer` rows of `inner` elements to one value each, in a fixed order
// (deterministic: no atomics). The rows are the source elements in row-major order of
// the padded shape `dims`, read through a view (offset + i0*s0 + ... + i3*s3), so
// reducing a permuted or broadcast tensor needs no copy. Two layouts skip the index
// arithmetic: dense rows (element k at offset + k) and two-stride views (element j of
// row r at offset + r * rs + j * es: a transposed matrix's columns, as a bias gradient
// sums them).
//
// Two kernel shapes, chosen on the host from (outer, inner) and the adapter alone:
// - `reduce_<op>`, long rows: one workgroup per row. Lane t folds elements t, t+256,
//   t+512, ... left to right, then the 256 partials are combined by a fixed binary tree
//   in workgroup memory (128, 64, ..., 1).
// - `reduce_<op>_rows`: one thread per row folds it left to right, exactly the CPU's
//   order, 64 rows to a workgroup.
// Max follows the CPU rule: a NaN accumulator stays, else take x when x is NaN or
// x > acc (NaN propagates). NaN is tested on the bits before comparing: WGSL leaves
// comparisons with NaN to the implementation.

struct Params {
    outer: u32,
    inner: u32,
    // 1: dense rows; 2: two strides, the row's in `strides.x` and the element's in
    // `strides.y`; 0: the general view.
    form: u32,
    pad: u32,
    // Padded source shape and its strides in `x`.
    dims: vec4<u32>,
    strides: vec4<u32>,
    offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, 256>;

// Element `j` of row `row` of the general view: element row * inner + j in row-major
// order of `dims`.
fn load(row: u32, j: u32) -> f32 {
    let d = params.dims;
    var t = row * params.inner + j;
    let i3 = t % d.w;
    t = t / d.w;
    let i2 = t % d.z;
    t = t / d.z;
    let i1 = t % d.y;
    let i0 = t / d.y;
    return x[at(vec4<u32>(i0, i1, i2, i3), params.offset, params.strides)];
}

// Where row `row` of a dense or two-stride form starts, and its element stride.
fn row_walk(row: u32) -> vec2<u32> {
    if (params.form == 2u) {
        return vec2<u32>(params.offset + row * params.strides.x, params.strides.y);
    }
    return vec2<u32>(params.offset + row * params.inner, 1u);
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

// One workgroup per row: `group` is the row, the same for the whole workgroup, so every
// barrier below is reached by all lanes.
fn reduce_tree(op: u32, wid: vec3<u32>, nwg: vec3<u32>, lane: u32) {
    let row = wid.y * nwg.x + wid.x;
    var acc = identity(op);
    if (row < params.outer && params.form == 0u) {
        for (var j = lane; j < params.inner; j = j + 256u) {
            acc = combine(op, acc, load(row, j));
        }
    } else if (row < params.outer) {
        let walk = row_walk(row);
        var pos = walk.x + lane * walk.y;
        for (var j = lane; j < params.inner; j = j + 256u) {
            acc = combine(op, acc, x[pos]);
            pos = pos + 256u * walk.y;
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

// One thread per row, left to right. The dense and two-stride forms walk their rows by
// one stride, with no branch or index arithmetic inside the loop.
fn reduce_row(op: u32, wid: vec3<u32>, nwg: vec3<u32>, lane: u32) {
    let row = (wid.y * nwg.x + wid.x) * 64u + lane;
    if (row >= params.outer) {
        return;
    }
    var acc = identity(op);
    if (params.form == 0u) {
        for (var j = 0u; j < params.inner; j = j + 1u) {
            acc = combine(op, acc, load(row, j));
        }
    } else {
        let walk = row_walk(row);
        var pos = walk.x;
        for (var j = 0u; j < params.inner; j = j + 1u) {
            acc = combine(op, acc, x[pos]);
            pos = pos + walk.y;
        }
    }
    out[row] = acc;
}

@compute @workgroup_size(256)
fn reduce_sum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    reduce_tree(0u, wid, nwg, lane);
}

@compute @workgroup_size(256)
fn reduce_max(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    reduce_tree(1u, wid, nwg, lane);
}

@compute @workgroup_size(64)
fn reduce_sum_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    reduce_row(0u, wid, nwg, lane);
}

@compute @workgroup_size(64)
fn reduce_max_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    reduce_row(1u, wid, nwg, lane);
}
