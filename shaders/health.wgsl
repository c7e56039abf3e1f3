// Training health: the non-finite check of parameters and their gradients, written into
// the health status (layout in src/backend/health.rs; CPU twin in
// src/backend/cpu/health.rs). Entry `health_check_finite`.
//
// Status slot `slot` holds [kind, step_high, step_low]: kind 0 while nothing was seen,
// 1 when the parameter (after `param_step` optimizer steps) held a NaN or an infinity,
// 2 when its gradient (of step `grad_step`) did. A slot is written once and then kept;
// the parameter is looked at first, its step being the earlier one.
//
// One workgroup per parameter, up to three per dispatch (workgroup k takes pair k:
// bindings param_k, grad_k), so a model's check costs a dispatch per three parameters:
// lane t looks at elements t, t+256, ...; the lanes' flags are OR-ed in workgroup
// memory (integer atomics: order-free, so deterministic) and lane 0 writes the slot.
// Pairs write distinct slots, so workgroups never race. Non-finite is tested on the
// bits: a compiler may assume floats are finite and fold a comparison away.

struct Params {
    // Elements of each pair's parameter (and gradient).
    lens: vec4<u32>,
    // Each pair's status slot.
    slots: vec4<u32>,
    // 1 when the pair's `grad` is the gradient, 0 when the parameter is bound there again.
    has_grad: vec4<u32>,
    // (param_step_high, param_step_low, grad_step_high, grad_step_low)
    steps: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> param0: array<f32>;
@group(0) @binding(2) var<storage, read> grad0: array<f32>;
@group(0) @binding(3) var<storage, read> param1: array<f32>;
@group(0) @binding(4) var<storage, read> grad1: array<f32>;
@group(0) @binding(5) var<storage, read> param2: array<f32>;
@group(0) @binding(6) var<storage, read> grad2: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: array<f32>;

// Bit 0: the parameter holds a non-finite value; bit 1: the gradient does.
var<workgroup> seen: atomic<u32>;

// NaN or an infinity: the exponent bits are all ones.
fn non_finite(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

// Element `i` of pair `pair`'s parameter (WGSL cannot index bindings).
fn param_at(pair: u32, i: u32) -> f32 {
    switch pair {
        case 0u: { return param0[i]; }
        case 1u: { return param1[i]; }
        default: { return param2[i]; }
    }
}

// Element `i` of pair `pair`'s gradient.
fn grad_at(pair: u32, i: u32) -> f32 {
    switch pair {
        case 0u: { return grad0[i]; }
        case 1u: { return grad1[i]; }
        default: { return grad2[i]; }
    }
}

@compute @workgroup_size(256)
fn health_check_finite(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let pair = wid.x;
    let len = params.lens[pair];
    let has_grad = params.has_grad[pair] == 1u;
    if (lane == 0u) {
        atomicStore(&seen, 0u);
    }
    workgroupBarrier();
    var flags = 0u;
    for (var i = lane; i < len; i = i + 256u) {
        if (non_finite(param_at(pair, i))) {
            flags = flags | 1u;
        }
        if (has_grad && non_finite(grad_at(pair, i))) {
            flags = flags | 2u;
        }
    }
    if (flags != 0u) {
        atomicOr(&seen, flags);
    }
    workgroupBarrier();
    if (lane == 0u) {
        let base = params.slots[pair] * 3u;
        let f = atomicLoad(&seen);
        if (status[base] == 0.0 && f != 0u) {
            if ((f & 1u) != 0u) {
                status[base] = 1.0;
                status[base + 1u] = f32(params.steps.x);
                status[base + 2u] = f32(params.steps.y);
            } else {
                status[base] = 2.0;
                status[base + 1u] = f32(params.steps.z);
                status[base + 2u] = f32(params.steps.w);
            }
        }
    }
}
