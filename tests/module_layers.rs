//! The core reads bottom-up: `op` (the op vocabulary) imports nothing from the crate;
//! `backend` builds on `op` and never on `tensor` or anything above it; `tensor` uses
//! only the backend's `Device` handle (and its `Storage`), never its internals.
//! Checked on the source text, so a new import edge fails here with the file named.
//! `mathf`, `op` and the backend's contract and CPU reference are the `gradlab-kernels`
//! crate (`crates/kernels/src`), which cannot import `gradlab` at all; the GPU backend
//! and the `Device` handle are `gradlab`'s `src/backend`. Both are checked.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` (or `dir` itself when it is a file).
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).expect("source folder") {
        let p = entry.expect("folder entry").path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The source without `//` comments (so prose that names a module is no import).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("source file");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names reached through `crate::` in `code`: the first path segment of every
/// `crate::a::...` and of every item of a `crate::{a, b::c}` group.
fn crate_modules(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if !first.is_empty() {
                    found.push(first.to_string());
                }
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            found.push(rest[..end].to_string());
        }
    }
    found
}

/// The items a file takes from `crate::backend` (`Device` in `crate::backend::Device`,
/// both names in `crate::backend::{Device, Storage}`).
fn backend_items(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::backend::") {
        let rest = &code[i + "crate::backend::".len()..];
        let list = match rest.strip_prefix('{') {
            Some(group) => &group[..group.find('}').unwrap_or(group.len())],
            None => {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            }
        };
        found.extend(list.split(',').map(|s| s.trim().to_string()));
    }
    found
}

fn src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(rel)
}

fn kernels_src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/kernels/src")
        .join(rel)
}

#[test]
fn mathf_imports_nothing_from_the_crate() {
    let mut files = rust_files(&kernels_src("mathf.rs"));
    files.extend(rust_files(&kernels_src("mathf")));
    for file in files {
        assert_eq!(
            crate_modules(&code_of(&file)),
            Vec::<String>::new(),
            "{}",
            file.display()
        );
    }
}

#[test]
fn op_imports_only_the_math_leaf() {
    let mut files = rust_files(&kernels_src("op.rs"));
    files.extend(rust_files(&kernels_src("op")));
    for file in files {
        let code = code_of(&file);
        for m in crate_modules(&code) {
            assert_eq!(
                m,
                "mathf",
                "{} imports crate::{m}; op may use only crate::mathf",
                file.display()
            );
        }
    }
    assert!(
        !code_of(&kernels_src("op.rs")).contains("super::"),
        "op.rs reaches up with super::"
    );
}

#[test]
fn backend_builds_on_op_and_never_on_tensor() {
    // The layers below the backend: the op vocabulary, the libm-exact vectorised math,
    // errors, the platform shims and the seeded RNG (`Error`/`Result` are the crate
    // root's re-exports of `error`).
    let allowed = [
        "backend", "op", "mathf", "error", "platform", "rng", "Error", "Result",
    ];
    let mut files = rust_files(&src("backend"));
    files.extend(rust_files(&kernels_src("backend")));
    assert!(files.len() > 10, "backend sources not found: {files:?}");
    for file in files {
        for m in crate_modules(&code_of(&file)) {
            assert!(
                allowed.contains(&m.as_str()),
                "{} imports crate::{m}; the backend may use only {allowed:?}",
                file.display()
            );
        }
    }
}

#[test]
fn tensor_uses_only_the_device_handle_of_the_backend() {
    for file in rust_files(&src("tensor")) {
        let code = code_of(&file);
        for item in backend_items(&code) {
            assert!(
                item == "Device" || item == "Storage",
                "{} imports crate::backend::{item}; tensor may use only Device and Storage",
                file.display()
            );
        }
        for m in crate_modules(&code) {
            assert!(
                !["autograd", "nn", "optim", "experiment", "ui", "cli"].contains(&m.as_str()),
                "{} imports crate::{m}, a layer above tensor",
                file.display()
            );
        }
    }
}

#[test]
fn the_import_scanner_sees_groups_and_paths() {
    // The checks above are only as good as the scanner: it must find every form.
    let code = "use crate::{op::View, error::Result};\nlet s: crate::backend::Storage;\n\
                use crate::backend::{Device, MatmulDims};";
    assert_eq!(
        crate_modules(code),
        ["op", "error", "backend", "backend"].map(String::from)
    );
    assert_eq!(
        backend_items(code),
        ["Storage", "Device", "MatmulDims"].map(String::from)
    );
}
