//! CSV export of a split data set.

use super::Dataset;
use std::fmt::Write;

/// One CSV table of both halves of a split: a header of the feature names, the target
/// name(s) (see [`Dataset::target_names`]) and `split`, then every train row followed by
/// every test row, the last column saying `train` or `test`. Numbers use Rust's shortest
/// representation that reads back to the same `f32`; names containing a comma, quote or
/// line break are quoted as RFC 4180 says. The header comes from `train`.
pub fn to_csv(train: &Dataset, test: &Dataset) -> String {
    let mut out = String::new();
    let header: Vec<String> = train
        .feature_names
        .iter()
        .cloned()
        .chain(train.target_names())
        .chain(std::iter::once("split".to_string()))
        .map(|name| quote(&name))
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for (ds, tag) in [(train, "train"), (test, "test")] {
        for i in 0..ds.n {
            for v in ds.row(i).iter().chain(ds.target_row(i)) {
                // Writing to a String cannot fail.
                let _ = write!(out, "{v},");
            }
            out.push_str(tag);
            out.push('\n');
        }
    }
    out
}

/// RFC 4180 quoting, only where needed.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{generate_2d, train_test_split, Pattern2d, Task};
    use crate::rng::Rng;

    #[test]
    fn csv_reads_back_to_the_same_rows() {
        let mut rng = Rng::new(1);
        let ds = generate_2d(Pattern2d::Spiral, 60, 0.3, &mut rng);
        let (train, test) = train_test_split(&ds, 0.25, &mut rng);
        let csv = to_csv(&train, &test);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "x1,x2,label,split");
        assert_eq!(lines.len(), 1 + train.n + test.n);
        let rows = (0..train.n)
            .map(|i| (&train, i, "train"))
            .chain((0..test.n).map(|i| (&test, i, "test")));
        for (line, (part, i, tag)) in lines[1..].iter().zip(rows) {
            let fields: Vec<&str> = line.split(',').collect();
            let nums: Vec<f32> = fields[..3].iter().map(|s| s.parse().unwrap()).collect();
            assert_eq!(&nums[..2], part.row(i));
            assert_eq!(nums[2], part.y[i]);
            assert_eq!(fields[3], tag);
        }
    }

    #[test]
    fn awkward_names_are_quoted_and_regression_targets_named() {
        let ds = Dataset {
            x: vec![1.5],
            y: vec![-2.0, 0.25],
            n: 1,
            features: 1,
            input_shape: vec![1],
            targets: 2,
            feature_names: vec!["a,\"b\"".into()],
            task: Task::Regression,
        };
        let csv = to_csv(&ds, &ds.subset(&[]));
        assert_eq!(csv, "\"a,\"\"b\"\"\",y0,y1,split\n1.5,-2,0.25,train\n");
    }
}
