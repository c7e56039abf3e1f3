// where(cond, a, b) with broadcasting: out[i] = a[av(i)] if c[cv(i)] != 0 else b[bv(i)].
// Views as in binary.wgsl. The test is written !(c == 0) so that a NaN condition picks
// `a`, as on the CPU, whatever the compiler does with unordered comparisons.

struct Params {
    dims: vec4<u32>,
    c_strides: vec4<u32>,
    a_strides: vec4<u32>,
    b_strides: vec4<u32>,
    // (c offset, a offset, b offset, number of output elements)
    offsets: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> c: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

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

@compute @workgroup_size(256)
fn select_where(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let i = element(wid, nwg, lane);
    if (i >= params.offsets.w) {
        return;
    }
    let idx = unflatten(i);
    let cv = c[at(idx, params.offsets.x, params.c_strides)];
    if (!(cv == 0.0)) {
        out[i] = a[at(idx, params.offsets.y, params.a_strides)];
    } else {
        out[i] = b[at(idx, params.offsets.z, params.b_strides)];
    }
}
