//! Matmul validation and timing on any device: a naive f64 product is the reference.

use crate::backend::{Device, MatmulDims};
use crate::error::{Error, Result};
use crate::platform::{block_on, now_ms};
use crate::rng::Rng;

/// `count` uniform values in [-1, 1).
pub(super) fn random(count: usize, rng: &mut Rng) -> Vec<f32> {
    (0..count).map(|_| rng.range(-1.0, 1.0)).collect()
}

/// `op(A) @ op(B)` on `device`, read back.
fn device_matmul(device: &Device, a: &[f32], b: &[f32], d: MatmulDims) -> Result<Vec<f32>> {
    let (sa, sb) = (device.upload(a), device.upload(b));
    let c = device.matmul(&sa, &sb, d);
    block_on(device.read(&c, d.batch * d.m * d.n))
}

/// Check `c` against the product computed in f64. Each element may differ by the
/// rounding bound of a length-k f32 dot product: `2 k eps * sum_k |a||b|`.
fn check_product(a: &[f32], b: &[f32], c: &[f32], d: MatmulDims) -> Result<()> {
    let (m, k, n) = (d.m, d.k, d.n);
    let at = |bi: usize, i: usize, kk: usize| {
        let base = bi * m * k;
        if d.trans_a {
            a[base + kk * m + i]
        } else {
            a[base + i * k + kk]
        }
    };
    let bt = |bi: usize, kk: usize, j: usize| {
        let base = bi * k * n;
        if d.trans_b {
            b[base + j * k + kk]
        } else {
            b[base + kk * n + j]
        }
    };
    let bound = 2.0 * k as f64 * f32::EPSILON as f64;
    for bi in 0..d.batch {
        for i in 0..m {
            for j in 0..n {
                let (mut exact, mut scale) = (0.0f64, 0.0f64);
                for kk in 0..k {
                    let p = at(bi, i, kk) as f64 * bt(bi, kk, j) as f64;
                    exact += p;
                    scale += p.abs();
                }
                let got = c[(bi * m + i) * n + j] as f64;
                if (got - exact).abs() > bound * scale + f64::MIN_POSITIVE {
                    return Err(Error::Format(format!(
                        "matmul {d:?} is wrong at [{bi}, {i}, {j}]: {got} vs {exact}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Validate the device's matmul on awkward shapes, every transposition, batched.
pub fn check_matmul(device: &Device) -> Result<()> {
    let mut rng = Rng::new(11);
    for (batch, m, k, n) in [(1, 1, 1, 1), (1, 67, 45, 73), (3, 17, 33, 65)] {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
            let d = MatmulDims {
                batch,
                m,
                k,
                n,
                trans_a,
                trans_b,
            };
            let a = random(batch * m * k, &mut rng);
            let b = random(batch * k * n, &mut rng);
            check_product(&a, &b, &device_matmul(device, &a, &b, d)?, d)?;
        }
    }
    Ok(())
}

/// GFLOP/s of an `n x n x n` product on `device`: the best of three or more timed runs
/// (more while under half a second, fewer once over two seconds, for slow kernels).
/// With `check`, an untimed first run is compared with the naive f64 product; without
/// it (large sizes, after smaller ones warmed the kernels) every run is timed.
pub fn time_matmul(device: &Device, n: usize, check: bool) -> Result<f64> {
    let mut rng = Rng::new(n as u64);
    let (a, b) = (random(n * n, &mut rng), random(n * n, &mut rng));
    let d = MatmulDims {
        batch: 1,
        m: n,
        k: n,
        n,
        trans_a: false,
        trans_b: false,
    };
    let (sa, sb) = (device.upload(&a), device.upload(&b));
    if check {
        let warm = device.matmul(&sa, &sb, d);
        check_product(&a, &b, &block_on(device.read(&warm, n * n))?, d)?;
    }
    let (mut best, mut total, mut reps) = (f64::INFINITY, 0.0, 0);
    while reps == 0 || (reps < 3 && total < 2000.0) || (total < 500.0 && reps < 50) {
        let t0 = now_ms();
        let c = device.matmul(&sa, &sb, d);
        device.flush();
        // Reading one value back waits for the device to finish the product.
        block_on(device.read(&c, 1))?;
        let ms = now_ms() - t0;
        best = best.min(ms);
        total += ms;
        reps += 1;
    }
    Ok(2.0 * (n as f64).powi(3) / (best.max(1e-6) / 1000.0) / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_matmul_passes_validation() {
        check_matmul(&Device::Cpu).unwrap();
    }

    #[test]
    fn validation_catches_a_wrong_product() {
        let d = MatmulDims {
            batch: 1,
            m: 5,
            k: 7,
            n: 3,
            trans_a: false,
            trans_b: true,
        };
        let mut rng = Rng::new(3);
        let (a, b) = (random(35, &mut rng), random(21, &mut rng));
        let mut c = device_matmul(&Device::Cpu, &a, &b, d).unwrap();
        check_product(&a, &b, &c, d).unwrap();
        c[7] += 1e-3;
        assert!(check_product(&a, &b, &c, d).is_err());
    }
}
