// Data movement: the strided copy that makes a view (permute, expand, slice) contiguous
// for kernels that read row-major data (`movement_copy_view`),
// constant fill (`movement_fill`), one part of a concatenation (`movement_concat`) and a
// part padded with zeros to the whole (`movement_pad`: the gradient of a slice, in one
// dispatch instead of a fill per zero block and a concatenation dispatch per part).
// All four read binding 1 and write binding 2; `movement_fill` ignores its input.

struct Params {
    // Padded output shape (copy_view).
    dims: vec4<u32>,
    // Source strides per padded output dimension (copy_view).
    strides: vec4<u32>,
    // copy_view: (source offset, number of output elements, -, -)
    // fill: (number of elements, value bits, -, -)
    // concat, pad: (rows, part row length, output row length, column offset of the part)
    misc: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// out[i] = x[offset + sum(index(i) * strides)]
@compute @workgroup_size(256)
fn movement_copy_view(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i >= params.misc.y) {
        return;
    }
    let d = params.dims;
    let s = params.strides;
    var t = i;
    let i3 = t % d.w;
    t = t / d.w;
    let i2 = t % d.z;
    t = t / d.z;
    let i1 = t % d.y;
    let i0 = t / d.y;
    out[i] = x[params.misc.x + i0 * s.x + i1 * s.y + i2 * s.z + i3 * s.w];
}

// out[i] = value
@compute @workgroup_size(256)
fn movement_fill(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i < params.misc.x) {
        out[i] = bitcast<f32>(params.misc.y);
    }
}

// out[r * total + offset + c] = x[r * chunk + c] for the part seen as [rows, chunk].
@compute @workgroup_size(256)
fn movement_concat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    let chunk = params.misc.y;
    if (i >= params.misc.x * chunk) {
        return;
    }
    let r = i / chunk;
    let c = i % chunk;
    out[r * params.misc.z + params.misc.w + c] = x[i];
}

// out[r * total + c] = x[r * chunk + c - offset] for offset <= c < offset + chunk, else 0:
// the part seen as [rows, chunk] placed in zeros of [rows, total].
@compute @workgroup_size(256)
fn movement_pad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    let total = params.misc.z;
    if (i >= params.misc.x * total) {
        return;
    }
    let r = i / total;
    let c = i % total;
    let offset = params.misc.w;
    let chunk = params.misc.y;
    var v = 0.0;
    if (c >= offset && c - offset < chunk) {
        v = x[r * chunk + c - offset];
    }
    out[i] = v;
}
