//! `gradlab predict`: a trained model file answers for raw CSV rows and PNG pictures.
//! The raw test rows of a run, predicted from its model file, score exactly the test
//! accuracy the run reported (so the file, its config and the preprocessing all agree
//! with training); pictures go through the pad's preprocessing; every kind of bad input
//! is exit code 2 with a message naming the file.

use gradlab::data::{load_real, to_model_image, train_test_split, Ink, RealSet};
use gradlab::experiment::{image_spec, streams, DataSource};
use gradlab::rng::Rng;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gradlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args(args)
        .output()
        .expect("the gradlab binary runs")
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gradlab-predict-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Train `preset` a few steps into `out`; the run's test accuracy.
fn train(preset: &str, steps: &str, out: &Path) -> f64 {
    let o = gradlab(&[
        "run",
        preset,
        "--steps",
        steps,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("metrics.json")).unwrap()).unwrap();
    m["final"]["accuracy"].as_f64().unwrap()
}

/// The raw test rows (as in the vendored file) and labels of a real set, split as a
/// run with seed 1 and `test_fraction` splits it.
fn raw_test_rows(set: RealSet, test_fraction: f32) -> (Vec<Vec<f32>>, Vec<usize>) {
    let ds = load_real(set).unwrap();
    let (_, test) = train_test_split(&ds, test_fraction, &mut Rng::derive(1, streams::SPLIT));
    let rows = (0..test.n).map(|i| test.row(i).to_vec()).collect();
    (rows, test.labels())
}

fn csv(rows: &[Vec<f32>]) -> String {
    let mut s = String::from("a header line,of names\n");
    for r in rows {
        let v: Vec<String> = r.iter().map(|x| format!("{x:?}")).collect();
        s.push_str(&v.join(","));
        s.push('\n');
    }
    s
}

#[test]
fn raw_test_rows_predicted_from_the_model_file_score_the_runs_accuracy() {
    let out = dir("iris");
    let accuracy = train("iris", "40", &out);
    let preset = gradlab::experiment::preset("iris").unwrap();
    let (rows, labels) = raw_test_rows(RealSet::Iris, preset.test_fraction);
    std::fs::write(out.join("test.csv"), csv(&rows)).unwrap();
    let model = out.join("model.safetensors");
    let o = gradlab(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--json",
        out.join("test.csv").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(items.len(), rows.len());
    let names = ["setosa", "versicolor", "virginica"];
    let mut right = 0;
    for (item, &label) in items.iter().zip(&labels) {
        let probs = item["probabilities"].as_object().unwrap();
        let total: f64 = probs.values().map(|v| v.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-5, "{item}");
        let predicted = item["predicted"].as_str().unwrap();
        right += usize::from(names.iter().position(|n| *n == predicted) == Some(label));
    }
    let ours = right as f64 / labels.len() as f64;
    assert!(
        (ours - accuracy).abs() < 1e-9,
        "predict {ours}, run {accuracy}"
    );
}

/// A PNG of `w x h` 8-bit gray pixels (dark strokes on white).
fn write_png(path: &Path, w: u32, h: u32, gray: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(gray).unwrap();
}

#[test]
fn a_picture_is_read_like_the_pad_reads_ink_and_gets_ten_probabilities() {
    let out = dir("digits");
    train("digits", "30", &out);
    let model = out.join("model.safetensors");
    // A "1": a dark vertical bar on a white 60x90 page.
    let (w, h) = (60usize, 90usize);
    let gray: Vec<u8> = (0..w * h)
        .map(|i| {
            if (27..33).contains(&(i % w)) && (10..80).contains(&(i / w)) {
                0
            } else {
                255
            }
        })
        .collect();
    let png = out.join("one.png");
    write_png(&png, w as u32, h as u32, &gray);
    // The same picture as a CSV row, preprocessed here as the pad does.
    let lum: Vec<f32> = gray.iter().map(|&g| g as f32 / 255.0).collect();
    let spec = image_spec(DataSource::Real(RealSet::Digits)).unwrap();
    let row = to_model_image(&Ink::from_luminance(w, h, &lum), &spec);
    std::fs::write(out.join("one.csv"), csv(&[row])).unwrap();
    let run = |input: &Path| {
        let o = gradlab(&[
            "predict",
            "--model",
            model.to_str().unwrap(),
            "--json",
            input.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let items: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
        items[0]["probabilities"].clone()
    };
    let from_png = run(&png);
    assert_eq!(from_png.as_object().unwrap().len(), 10);
    assert_eq!(from_png, run(&out.join("one.csv")));
}

#[test]
fn inputs_that_do_not_fit_are_refused_naming_the_file() {
    let out = dir("bad");
    train("iris", "5", &out);
    let model = out.join("model.safetensors");
    let m = model.to_str().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = out.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let png_path = out.join("pic.png");
    write_png(&png_path, 4, 4, &[255; 16]);
    let png_bytes = std::fs::read(&png_path).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![write("short.csv", b"1,2,3\n")],
            "3 values, but the model takes rows of 4",
        ),
        (vec![write("words.csv", b"1,2,3,4\nx,y,z,w\n")], "line 2"),
        (vec![write("nan.csv", b"1,2,NaN,4\n")], "not finite"),
        (vec![write("empty.csv", b"")], "holds no rows"),
        (
            vec![write("bin.dat", &[0xff, 0xfe, 0x00, 0x81])],
            "neither a PNG",
        ),
        (
            vec![png_path.to_str().unwrap().to_string()],
            "not an image set",
        ),
        (
            vec![write("cut.png", &png_bytes[..png_bytes.len() / 2])],
            "cut.png",
        ),
        (
            vec![out.join("missing.csv").to_str().unwrap().to_string()],
            "missing.csv",
        ),
    ];
    for (inputs, says) in cases {
        let mut args = vec!["predict", "--model", m];
        args.extend(inputs.iter().map(String::as_str));
        let o = gradlab(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{inputs:?}: {err}");
        assert!(err.contains(says), "{inputs:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A model file that is not one.
    let not_model = write("model.bin", b"{\"not\": \"safetensors\"}");
    let csv_ok = write("ok.csv", b"5.1,3.5,1.4,0.2\n");
    let o = gradlab(&["predict", "--model", &not_model, &csv_ok]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("model.bin"), "{err}");
    // Usage errors.
    for args in [vec!["predict", &csv_ok], vec!["predict", "--model", m]] {
        assert_eq!(gradlab(&args).status.code(), Some(2));
    }
}
