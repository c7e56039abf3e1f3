// Training health: the non-finite check of one parameter and its gradient, written into
// the health status (layout in src/backend/health.rs; CPU twin in
// src/backend/cpu/health.rs). Entry `health_check_finite`.
//
// Status slot `slot` holds [kind, step_high, step_low]: kind 0 while nothing was seen,
// 1 when the parameter (after `param_step` optimizer steps) held a NaN or an infinity,
// 2 when its gradient (of step `grad_step`) did. A slot is written once and then kept;
// the parameter is looked at first, its step being the earlier one.
//
// One workgroup per parameter: lane t looks at elements t, t+256, ...; the lanes' flags
// are OR-ed in workgroup memory (integer atomics: order-free, so deterministic) and
// lane 0 writes the slot. Non-finite is tested on the bits: a compiler may assume
// floats are finite and fold a comparison away.

struct Params {
    len: u32,
    slot: u32,
    // 1 when `grad` is the gradient, 0 when the parameter is bound there again.
    has_grad: u32,
    param_step_high: u32,
    param_step_low: u32,
    grad_step_high: u32,
    grad_step_low: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> status: array<f32>;

// Bit 0: the parameter holds a non-finite value; bit 1: the gradient does.
var<workgroup> seen: atomic<u32>;

// NaN or an infinity: the exponent bits are all ones.
fn non_finite(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

@compute @workgroup_size(256)
fn health_check_finite(@builtin(local_invocation_index) lane: u32) {
    if (lane == 0u) {
        atomicStore(&seen, 0u);
    }
    workgroupBarrier();
    var flags = 0u;
    for (var i = lane; i < params.len; i = i + 256u) {
        if (non_finite(param[i])) {
            flags = flags | 1u;
        }
        if (params.has_grad == 1u && non_finite(grad[i])) {
            flags = flags | 2u;
        }
    }
    if (flags != 0u) {
        atomicOr(&seen, flags);
    }
    workgroupBarrier();
    if (lane == 0u) {
        let base = params.slot * 3u;
        let f = atomicLoad(&seen);
        if (status[base] == 0.0 && f != 0u) {
            if ((f & 1u) != 0u) {
                status[base] = 1.0;
                status[base + 1u] = f32(params.param_step_high);
                status[base + 2u] = f32(params.param_step_low);
            } else {
                status[base] = 2.0;
                status[base + 1u] = f32(params.grad_step_high);
                status[base + 2u] = f32(params.grad_step_low);
            }
        }
    }
}
