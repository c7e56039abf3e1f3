// Row gather and its transpose, for embeddings. Indices are stored as exact integers in
// f32; an index that is negative, fractional, NaN or >= rows selects nothing (a zero row
// for the gather, no contribution for the scatter), as on the CPU.

struct Params {
    // Number of indices.
    n: u32,
    // Elements per row.
    cols: u32,
    // Rows of the table (gather) or of the output (scatter).
    rows: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// The row an index names, or `rows` (none) when it is not a whole number in 0..rows.
fn row_of(v: f32) -> u32 {
    if (v >= 0.0 && floor(v) == v && v < f32(params.rows)) {
        return u32(v);
    }
    return params.rows;
}

// out[i, c] = src[idx[i], c], or 0 when idx[i] is out of range. One thread per output.
@compute @workgroup_size(256)
fn gather_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    let cols = params.cols;
    if (t >= params.n * cols) {
        return;
    }
    let i = t / cols;
    let c = t % cols;
    let r = row_of(idx[i]);
    if (r < params.rows) {
        out[t] = src[r * cols + c];
    } else {
        out[t] = 0.0;
    }
}

// out[r, c] = sum over i in index order of src[i, c] where idx[i] == r. One thread per
// output element walks all indices in order: deterministic and the CPU's exact sum order.
@compute @workgroup_size(256)
fn gather_scatter_add_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
    let t = element(wid, nwg, lane);
    let cols = params.cols;
    if (t >= params.rows * cols) {
        return;
    }
    let r = t / cols;
    let c = t % cols;
    var acc = 0.0;
    for (var i = 0u; i < params.n; i = i + 1u) {
        if (row_of(idx[i]) == r) {
            acc = acc + src[i * cols + c];
        }
    }
    out[t] = acc;
}
