// im2col and its adjoint col2im for convolutions over NCHW tensors: `conv_unfold` and
// `conv_fold`. Both run one thread per output element and gather (no atomics), so
// overlapping windows need no synchronisation and sums have one fixed order.

struct Params {
    // Input [n, c, h, w].
    input: vec4<u32>,
    // Window: (kh, kw, stride, padding).
    window: vec4<u32>,
    // (out_h, out_w, threads, -).
    out: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

// dst[n, (c, ki, kj), (oy, ox)] = x[n, c, oy*s + ki - pad, ox*s + kj - pad], 0 outside.
@compute @workgroup_size(256)
fn conv_unfold(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    if (t >= params.out.z) {
        return;
    }
    let h = params.input.z;
    let w = params.input.w;
    let kh = params.window.x;
    let kw = params.window.y;
    let s = params.window.z;
    let pad = params.window.w;
    let ow = params.out.y;
    let len = params.out.x * ow;
    let l = t % len;
    // The (plane, ki, kj) row: plane = n*C + c.
    let row = t / len;
    let kj = row % kw;
    let ki = (row / kw) % kh;
    let plane = row / (kw * kh);
    let iy = (l / ow) * s + ki;
    let ix = (l % ow) * s + kj;
    var v = 0.0;
    if (iy >= pad && iy - pad < h && ix >= pad && ix - pad < w) {
        v = src[(plane * h + iy - pad) * w + ix - pad];
    }
    dst[t] = v;
}

// dst[n, c, y, x] = sum over (ki, kj) ascending of the column entry whose window at
// offset (ki, kj) lands on (y, x), if one does: the CPU's exact order.
@compute @workgroup_size(256)
fn conv_fold(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    if (t >= params.out.z) {
        return;
    }
    let h = params.input.z;
    let w = params.input.w;
    let kh = params.window.x;
    let kw = params.window.y;
    let s = params.window.z;
    let pad = params.window.w;
    let oh = params.out.x;
    let ow = params.out.y;
    let x = t % w;
    let y = (t / w) % h;
    let plane = t / (w * h);
    var acc = 0.0;
    for (var ki = 0u; ki < kh; ki = ki + 1u) {
        let ty = y + pad;
        if (ty < ki || (ty - ki) % s != 0u || (ty - ki) / s >= oh) {
            continue;
        }
        let oy = (ty - ki) / s;
        for (var kj = 0u; kj < kw; kj = kj + 1u) {
            let tx = x + pad;
            if (tx < kj || (tx - kj) % s != 0u || (tx - kj) / s >= ow) {
                continue;
            }
            let ox = (tx - kj) / s;
            let row = (plane * kh + ki) * kw + kj;
            acc = acc + src[(row * oh + oy) * ow + ox];
        }
    }
    dst[t] = acc;
}
