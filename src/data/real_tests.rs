//! Tests of the real-set loaders and parsers (kept apart so `real.rs` stays short).

use super::*;
use crate::rng::Rng;

fn class_counts(set: RealSet) -> Vec<usize> {
    load_real(set).unwrap().class_counts()
}

#[test]
fn documented_shapes() {
    // (set, rows, features, classes) as documented in www/data/README.md.
    let want = [
        (RealSet::Digits, 1797, 64, 10),
        (RealSet::Iris, 150, 4, 3),
        (RealSet::BreastCancer, 569, 30, 2),
        (RealSet::Wine, 178, 13, 3),
        (RealSet::Diabetes, 442, 10, 0),
        (RealSet::Mnist, 10_000, 784, 10),
    ];
    for (set, n, f, c) in want {
        let ds = load_real(set).unwrap();
        assert_eq!((ds.n, ds.features, ds.num_classes()), (n, f, c), "{set:?}");
        assert_eq!(ds.x.len(), n * f);
        assert_eq!(ds.y.len(), n);
        assert_eq!(ds.feature_names.len(), f);
        assert_eq!(ds.input_shape.iter().product::<usize>(), f, "{set:?}");
        let image = matches!(set, RealSet::Digits | RealSet::Mnist);
        assert_eq!(ds.input_shape.len(), if image { 3 } else { 1 }, "{set:?}");
        assert_eq!(ds.is_classification(), set.is_classification());
        assert!(ds.x.iter().chain(&ds.y).all(|v| v.is_finite()));
        assert_eq!(RealSet::from_name(set.name()), Some(set));
    }
}

#[test]
fn class_balance_matches_the_published_descriptions() {
    // scikit-learn's dataset descriptions: iris 50 per species; breast cancer
    // 212 malignant / 357 benign; wine 59 / 71 / 48; digits about 180 per class
    // (178, 182, 177, 183, 181, 182, 181, 179, 174, 180 in this copy, summing to 1797).
    assert_eq!(class_counts(RealSet::Iris), vec![50, 50, 50]);
    assert_eq!(class_counts(RealSet::BreastCancer), vec![212, 357]);
    assert_eq!(class_counts(RealSet::Wine), vec![59, 71, 48]);
    assert_eq!(
        class_counts(RealSet::Digits),
        vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
}

#[test]
fn value_ranges_match_the_descriptions() {
    // Digits pixels are integers 0..16.
    let d = load_real(RealSet::Digits).unwrap();
    assert!(d
        .x
        .iter()
        .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0));
    // Diabetes: raw features (sex coded 1/2), target an integer in 25..=346.
    let db = load_real(RealSet::Diabetes).unwrap();
    assert!(db
        .y
        .iter()
        .all(|&v| (25.0..=346.0).contains(&v) && v.fract() == 0.0));
    let sex = db.feature_names.iter().position(|n| n == "sex").unwrap();
    assert!((0..db.n).all(|i| [1.0, 2.0].contains(&db.row(i)[sex])));
    let bc = load_real(RealSet::BreastCancer).unwrap();
    assert_eq!(bc.feature_names[0], "mean radius");
    assert_eq!(bc.feature_names[10], "radius error");
    assert_eq!(bc.feature_names[29], "worst fractal dimension");
}

#[test]
fn rows_agree_with_an_independent_reading_of_the_raw_text() {
    // Re-read iris with nothing but str::split and compare every value.
    let text = std::str::from_utf8(IRIS_CSV).unwrap();
    let ds = load_real(RealSet::Iris).unwrap();
    for (i, line) in text.lines().skip(1).enumerate() {
        let vals: Vec<f32> = line.split(',').map(|s| s.parse().unwrap()).collect();
        assert_eq!(ds.row(i), &vals[..4]);
        assert_eq!(ds.y[i], vals[4]);
    }
    // Diabetes: the last row of both files.
    let x = String::from_utf8(gunzip("x", DIABETES_X_GZ).unwrap()).unwrap();
    let y = String::from_utf8(gunzip("y", DIABETES_Y_GZ).unwrap()).unwrap();
    let last_x: Vec<f32> = x
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect();
    let last_y: f32 = y.lines().last().unwrap().trim().parse().unwrap();
    let db = load_real(RealSet::Diabetes).unwrap();
    assert_eq!(db.row(db.n - 1), &last_x[..]);
    assert_eq!(db.y[db.n - 1], last_y);
}

fn err_line(r: Result<Dataset, DataError>) -> usize {
    match r {
        Err(DataError::Parse { line, .. }) => line,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn malformed_header_csv_is_an_error_naming_the_line() {
    let p = |s: &str| parse_header_csv("t.csv", s.as_bytes());
    assert!(p("2,2,a,b\n1,2,0\n3,4,1\n").is_ok());
    assert_eq!(err_line(p("x,2,a,b\n1,2,0\n")), 1);
    assert_eq!(err_line(p("2,2\n1,2,0\n")), 1); // no class names
    assert_eq!(err_line(p("2,2,a,b\n1,2,0\n3,1\n")), 3); // short row
    assert_eq!(err_line(p("2,2,a,b\n1,2,0\n3,4,1,9\n")), 3); // long row
    assert_eq!(err_line(p("2,2,a,b\n1,zz,0\n")), 2);
    assert_eq!(err_line(p("2,2,a,b\n1,NaN,0\n")), 2);
    assert_eq!(err_line(p("2,2,a,b\n1,2,2\n")), 2); // label out of range
    assert_eq!(err_line(p("2,2,a,b\n1,2,0.5\n")), 2); // label not integral
    assert_eq!(err_line(p("2,2,a,b\n1,2,-1\n")), 2);
    assert_eq!(err_line(p("1,1,a\n\n\n\u{0}\u{ff}\n")), 4);
    assert_eq!(err_line(parse_header_csv("t", b"1,1,a\n\xff\xfe,0\n")), 2);
    assert!(matches!(p(""), Err(DataError::Shape { .. })));
    assert!(matches!(
        p("3,2,a,b\n1,2,0\n"),
        Err(DataError::Shape { .. })
    ));
    assert!(matches!(
        p("99999999999999,2,a\n"),
        Err(DataError::Shape { .. })
    ));
    let e = p("2,2,a,b\n1,2,0\n3,x,1\n").unwrap_err().to_string();
    assert!(e.contains("t.csv") && e.contains("line 3"), "{e}");
}

#[test]
fn malformed_gzip_and_regression_files_are_errors() {
    assert!(matches!(
        gunzip("g", b"not gzip"),
        Err(DataError::Gzip { .. })
    ));
    let half = &DIGITS_GZ[..DIGITS_GZ.len() / 2];
    assert!(matches!(gunzip("g", half), Err(DataError::Gzip { .. })));
    let r = |x: &str, y: &str| parse_whitespace_regression("x", x.as_bytes(), "y", y.as_bytes());
    assert!(r("1 2\n3 4\n", "5\n6\n").is_ok());
    assert_eq!(err_line(r("1 2\n3\n", "5\n6\n")), 2);
    assert_eq!(err_line(r("1 2\n3 4\n", "5\n6 7\n")), 2);
    assert_eq!(err_line(r("1 inf\n", "5\n")), 1);
    assert!(matches!(
        r("1 2\n3 4\n", "5\n"),
        Err(DataError::Shape { .. })
    ));
    assert!(matches!(r("", ""), Err(DataError::Shape { .. })));
    assert!(matches!(
        parse_headerless_csv("d", b"", 10),
        Err(DataError::Shape { .. })
    ));
    assert_eq!(err_line(parse_headerless_csv("d", b"1,2,3\n1,2\n", 10)), 2);
    assert_eq!(err_line(parse_headerless_csv("d", b"1,2,10\n", 10)), 1);
}

#[test]
fn random_corruption_never_panics() {
    // Truncate and flip bytes of real files at seeded random places; every outcome must
    // be Ok or Err, never a panic.
    let iris = IRIS_CSV.to_vec();
    let digits = gunzip("d", DIGITS_GZ).unwrap();
    let mut rng = Rng::new(99);
    for _ in 0..300 {
        for (src, headered) in [(&iris, true), (&digits, false)] {
            let mut b = src[..rng.below(src.len() + 1)].to_vec();
            for _ in 0..rng.below(4) {
                if !b.is_empty() {
                    let k = rng.below(b.len());
                    b[k] = rng.next_u32() as u8;
                }
            }
            let _ = if headered {
                parse_header_csv("f", &b)
            } else {
                parse_headerless_csv("f", &b, 10)
            };
            let _ = parse_whitespace_regression("x", &b, "y", &b);
        }
        let mut gz = DIABETES_X_GZ.to_vec();
        let k = rng.below(gz.len());
        gz[k] ^= 1 + rng.below(255) as u8;
        let _ = gunzip("g", &gz);
    }
}

/// The page hands over what it downloaded: the set's own files are kept, gzip files may
/// arrive decompressed (a host that sends them with `Content-Encoding: gzip`), and
/// anything else is an error naming the file.
#[test]
fn fetched_files_are_checked_before_they_are_kept() {
    for set in RealSet::ALL.into_iter().filter(|s| *s != RealSet::Mnist) {
        let names = set.fetched_files();
        let files: Vec<Vec<u8>> = names
            .iter()
            .map(|f| crate::data::vendored::file_bytes(f).unwrap().to_vec())
            .collect();
        set.provide_fetched(&files).unwrap();
        assert!(set.is_available(), "{set:?}");
        let mut bad = files.clone();
        bad[0] = b"not,a,table\n".to_vec();
        let e = set.provide_fetched(&bad).unwrap_err().to_string();
        assert!(e.contains(names[0]), "{set:?}: {e}");
        assert!(
            set.provide_fetched(&files[1..]).is_err(),
            "{set:?}: too few files"
        );
        let plain: Vec<Vec<u8>> = files
            .iter()
            .zip(names)
            .map(|(b, f)| match f.ends_with(".gz") {
                true => gunzip(f, b).unwrap(),
                false => b.clone(),
            })
            .collect();
        let refs: Vec<&[u8]> = plain.iter().map(Vec::as_slice).collect();
        assert_eq!(
            parse_real(set, &refs).unwrap(),
            load_real(set).unwrap(),
            "{set:?}"
        );
    }
}
