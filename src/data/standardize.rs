//! Per-column standardisation: `z = (x - mean) / std`, fitted on training data only.

/// Column means and standard deviations of a `(n, d)` row-major table.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// Mean of each column.
    pub mean: Vec<f32>,
    /// Population standard deviation of each column (divide by `n`, as scikit-learn's
    /// `StandardScaler`); 1 for constant columns so they map to 0 instead of dividing by 0.
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits `d` columns on the first `n` rows of `x` (fewer if `x` is shorter). Sums run in
    /// f64, row by row in order, so the result is the same on every target. With no rows
    /// every mean is 0 and every std 1. A std below `1e-12` (a constant column) becomes 1.
    pub fn fit(x: &[f32], n: usize, d: usize) -> Standardizer {
        let rows = x.len().checked_div(d).map_or(0, |r| n.min(r));
        let mut sum = vec![0.0f64; d];
        for r in x.chunks_exact(d.max(1)).take(rows) {
            for (s, &v) in sum.iter_mut().zip(r) {
                *s += v as f64;
            }
        }
        let count = rows.max(1) as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / count).collect();
        // Two-pass variance: sum of squared deviations from the mean.
        let mut ss = vec![0.0f64; d];
        for r in x.chunks_exact(d.max(1)).take(rows) {
            for ((s, &v), m) in ss.iter_mut().zip(r).zip(&mean) {
                let dv = v as f64 - m;
                *s += dv * dv;
            }
        }
        let std = ss
            .iter()
            .map(|s| {
                let sd = libm::sqrt(s / count);
                if sd < 1e-12 || !sd.is_finite() {
                    1.0
                } else {
                    sd as f32
                }
            })
            .collect();
        Standardizer {
            mean: mean.iter().map(|&m| m as f32).collect(),
            std,
        }
    }

    /// Number of columns.
    pub fn dims(&self) -> usize {
        self.mean.len()
    }

    /// Standardises `x` in place, viewed as rows of `dims()` values (a trailing partial row
    /// is left untouched).
    pub fn apply(&self, x: &mut [f32]) {
        let d = self.dims();
        if d == 0 {
            return;
        }
        for r in x.chunks_exact_mut(d) {
            for ((v, m), s) in r.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
    }

    /// Undoes [`Standardizer::apply`] in place: `x = z * std + mean` (for example to show
    /// regression predictions in the target's units).
    pub fn invert(&self, x: &mut [f32]) {
        let d = self.dims();
        if d == 0 {
            return;
        }
        for r in x.chunks_exact_mut(d) {
            for ((v, m), s) in r.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = *v * s + m;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn standardised_columns_have_mean_zero_and_std_one() {
        let (n, d) = (500, 4);
        let mut rng = Rng::new(1);
        // Columns with different offsets and scales, plus one constant column.
        let mut x = Vec::new();
        for _ in 0..n {
            x.push(3.0 + 2.0 * rng.normal());
            x.push(-100.0 + 0.01 * rng.normal());
            x.push(7.5);
            x.push(rng.range(0.0, 1000.0));
        }
        let s = Standardizer::fit(&x, n, d);
        assert_eq!(s.std[2], 1.0);
        s.apply(&mut x);
        for c in 0..d {
            let col: Vec<f64> = (0..n).map(|i| x[i * d + c] as f64).collect();
            let m = col.iter().sum::<f64>() / n as f64;
            let v = col.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n as f64;
            // The stored f32 mean is off by up to half an ulp of |mean|, which shifts
            // z by up to that over std (0.4e-3 for column 1: -100 with std 0.01).
            let tol = 1e-5 + (s.mean[c].abs() * f32::EPSILON / s.std[c]) as f64;
            assert!(m.abs() < tol, "col {c} mean {m} tol {tol}");
            let want = if c == 2 { 0.0 } else { 1.0 };
            assert!((v.sqrt() - want).abs() < 1e-4, "col {c} std {}", v.sqrt());
        }
    }

    #[test]
    fn fit_matches_textbook_formula_and_invert_round_trips() {
        // Column [1, 2, 3, 4]: mean 2.5, population variance (2.25+0.25+0.25+2.25)/4 = 1.25.
        let x = [1.0, 10.0, 2.0, 10.0, 3.0, 10.0, 4.0, 10.0];
        let s = Standardizer::fit(&x, 4, 2);
        assert_eq!(s.mean, vec![2.5, 10.0]);
        assert!((s.std[0] as f64 - 1.25f64.sqrt()).abs() < 1e-7);
        assert_eq!(s.std[1], 1.0);
        let mut y = x;
        s.apply(&mut y);
        s.invert(&mut y);
        for (a, b) in x.iter().zip(&y) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let s = Standardizer::fit(&[], 0, 3);
        assert_eq!(
            (s.mean.clone(), s.std.clone()),
            (vec![0.0; 3], vec![1.0; 3])
        );
        let s = Standardizer::fit(&[1.0, 2.0], 10, 2); // n larger than the data
        assert_eq!(s.mean, vec![1.0, 2.0]);
        let s = Standardizer::fit(&[1.0, 2.0], 1, 0);
        assert_eq!(s.dims(), 0);
        s.apply(&mut [1.0]);
    }
}
