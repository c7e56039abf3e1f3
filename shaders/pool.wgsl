// Max and average pooling over NCHW tensors (no padding) and their adjoints:
// `pool_max`, `pool_max_backward` (and `pool_max_backward_cells` for windows that do not
// overlap), `pool_avg`, `pool_avg_backward`. One thread per
// output element; the adjoints gather over the windows covering their element in
// row-major window order (the CPU's order; overlapping windows need no atomics).

struct Params {
    // Input [n, c, h, w].
    input: vec4<u32>,
    // Window: (kh, kw, stride, -).
    window: vec4<u32>,
    // (out_h, out_w, threads, bits of 1 / (kh*kw)).
    out: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
// pool_max: the values taken at the maxima; pool_max_backward: the pooled gradient;
// unused by the average kernels (the host binds a placeholder).
@group(0) @binding(2) var<storage, read> aux: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

// Index in `src` of the first maximum of window (oy, ox) of a plane starting at `base`:
// a later element wins only when strictly larger or NaN, and a NaN is never replaced
// (`ReduceOp::Max`'s rule).
fn argmax(base: u32, oy: u32, ox: u32) -> u32 {
    let w = params.input.w;
    let s = params.window.z;
    let first = base + oy * s * w + ox * s;
    var best = src[first];
    var at = first;
    for (var ki = 0u; ki < params.window.x; ki = ki + 1u) {
        for (var kj = 0u; kj < params.window.y; kj = kj + 1u) {
            let i = first + ki * w + kj;
            let v = src[i];
            if (!is_nan(best) && (is_nan(v) || v > best)) {
                best = v;
                at = i;
            }
        }
    }
    return at;
}

// The windows covering coordinate `i` on an axis of `out` positions: [lo, hi).
fn covering(i: u32, k: u32, s: u32, out: u32) -> vec2<u32> {
    var lo = 0u;
    if (i + 1u > k) {
        lo = (i + 1u - k + s - 1u) / s;
    }
    let hi = min(i / s + 1u, out);
    return vec2<u32>(lo, hi);
}

// dst[window] = aux[first maximum of src in the window].
@compute @workgroup_size(256)
fn pool_max(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    if (t >= params.out.z) {
        return;
    }
    let oh = params.out.x;
    let ow = params.out.y;
    let plane = t / (oh * ow);
    let base = plane * params.input.z * params.input.w;
    dst[t] = aux[argmax(base, (t / ow) % oh, t % ow)];
}

// dst[element] = sum, over the windows covering it (row-major) whose first maximum it
// is, of the window's gradient aux[window].
@compute @workgroup_size(256)
fn pool_max_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    if (t >= params.out.z) {
        return;
    }
    let h = params.input.z;
    let w = params.input.w;
    let oh = params.out.x;
    let ow = params.out.y;
    let plane = t / (h * w);
    let base = plane * h * w;
    let ys = covering((t / w) % h, params.window.x, params.window.z, oh);
    let xs = covering(t % w, params.window.y, params.window.z, ow);
    var acc = 0.0;
    for (var oy = ys.x; oy < ys.y; oy = oy + 1u) {
        for (var ox = xs.x; ox < xs.y; ox = ox + 1u) {
            if (argmax(base, oy, ox) == t) {
                acc = acc + aux[(plane * oh + oy) * ow + ox];
            }
        }
    }
    dst[t] = acc;
}

// pool_max_backward for windows that do not overlap (kh, kw <= stride): one thread per
// window writes the whole cell of its stride (the last row and column of cells reach the
// plane's edges), the window's gradient at its first maximum and 0 elsewhere. Each
// element is written once, with pool_max_backward's bits, and each maximum is found once
// instead of once for every element of its window.
@compute @workgroup_size(256)
fn pool_max_backward_cells(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    if (t >= params.out.z) {
        return;
    }
    let h = params.input.z;
    let w = params.input.w;
    let s = params.window.z;
    let oh = params.out.x;
    let ow = params.out.y;
    let oy = (t / ow) % oh;
    let ox = t % ow;
    let base = (t / (oh * ow)) * h * w;
    let at = argmax(base, oy, ox);
    let g = aux[t];
    var y_end = oy * s + s;
    if (oy + 1u == oh) {
        y_end = h;
    }
    var x_end = ox * s + s;
    if (ox + 1u == ow) {
        x_end = w;
    }
    for (var y = oy * s; y < y_end; y = y + 1u) {
        for (var x = ox * s; x < x_end; x = x + 1u) {
            let i = base + y * w + x;
            // As pool_max_backward sums: 0 + the gradient (a -0 gradient gives +0).
            var acc = 0.0;
            if (i == at) {
                acc = acc + g;
            }
            dst[i] = acc;
        }
    }
}

// dst[window] = (row-major sum of the window) * 1/(kh*kw).
@compute @workgroup_size(256)
fn pool_avg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    if (t >= params.out.z) {
        return;
    }
    let w = params.input.w;
    let s = params.window.z;
    let oh = params.out.x;
    let ow = params.out.y;
    let plane = t / (oh * ow);
    let first = plane * params.input.z * w + ((t / ow) % oh) * s * w + (t % ow) * s;
    var acc = 0.0;
    for (var ki = 0u; ki < params.window.x; ki = ki + 1u) {
        for (var kj = 0u; kj < params.window.y; kj = kj + 1u) {
            acc = acc + src[first + ki * w + kj];
        }
    }
    dst[t] = acc * bitcast<f32>(params.out.w);
}

// dst[element] = (sum of the gradients src[window] of the windows covering it, in
// row-major order) * 1/(kh*kw).
@compute @workgroup_size(256)
fn pool_avg_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    if (t >= params.out.z) {
        return;
    }
    let h = params.input.z;
    let w = params.input.w;
    let oh = params.out.x;
    let ow = params.out.y;
    let plane = t / (h * w);
    let ys = covering((t / w) % h, params.window.x, params.window.z, oh);
    let xs = covering(t % w, params.window.y, params.window.z, ow);
    var acc = 0.0;
    for (var oy = ys.x; oy < ys.y; oy = oy + 1u) {
        for (var ox = xs.x; ox < xs.y; ox = ox + 1u) {
            acc = acc + src[(plane * oh + oy) * ow + ox];
        }
    }
    dst[t] = acc * bitcast<f32>(params.out.w);
}
