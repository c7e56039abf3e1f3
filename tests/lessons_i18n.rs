//! The interface in Chinese: every `t("...")` and `tf("...")` text of the page's source
//! has a Chinese entry (with the same `{}` holes), every preset summary has one, and the
//! messages the core writes in English come out in Chinese through the message
//! patterns. The Chinese tables are plain Rust files under `src/ui/i18n/` (the page is
//! wasm only), included here as they are.

#[path = "../src/ui/i18n/pattern.rs"]
mod pattern;
#[path = "../src/ui/i18n/zh_messages.rs"]
mod zh_messages;
#[path = "../src/ui/i18n/zh_page.rs"]
mod zh_page;
#[path = "../src/ui/i18n/zh_presets.rs"]
mod zh_presets;
#[path = "../src/ui/resume/zh.rs"]
mod zh_resume;
#[path = "../src/ui/text/zh.rs"]
mod zh_text;
#[path = "../src/ui/text_views/zh.rs"]
mod zh_text_views;
#[path = "../src/ui/translate_zh.rs"]
mod zh_translate;

use std::path::{Path, PathBuf};

/// The area tables, in the order `i18n::zh` asks them (add an area's table here when it
/// is wired into `AREAS` in `src/ui/i18n.rs`).
const AREA_TABLES: &[fn(&str) -> Option<&'static str>] = &[
    zh_page::zh,
    zh_presets::zh,
    zh_resume::zh,
    zh_text::zh,
    zh_translate::zh,
    zh_text_views::zh,
];

/// Sources whose Chinese lives in tables not wired in yet (other areas' work this
/// session): skipped until their table joins `AREA_TABLES`.
const NOT_WIRED: &[&str] = &[];

fn zh(en: &str) -> Option<&'static str> {
    AREA_TABLES.iter().find_map(|area| area(en))
}

/// `message` in Chinese as far as the tables and patterns know it (as `i18n::msg`).
fn translate(message: &str) -> String {
    if let Some(z) = zh(message) {
        return z.to_string();
    }
    pattern::rewrite(message, zh_messages::MESSAGES, &translate)
        .unwrap_or_else(|| message.to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("readable source folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal that opens `s` (after its `"`), unescaped, and its length in `s`.
fn literal(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Every `t("...")` and `tf("...")` text in `source`.
fn translated_texts(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in ["t(\"", "tf(\""] {
        let mut at = 0;
        while let Some(i) = source[at..].find(call) {
            let start = at + i;
            at = start + call.len();
            // A call of `t`/`tf` itself, not of `set(`, `at(`...
            let before = source[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some((text, len)) = literal(&source[at..]) {
                found.push(text);
                at += len;
            }
        }
    }
    found
}

#[test]
fn every_interface_text_has_chinese() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/ui"), &mut files);
    let mut missing = Vec::new();
    let mut texts = 0;
    for file in files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        if NOT_WIRED.iter().any(|skip| rel.starts_with(skip)) {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("readable source");
        for text in translated_texts(&source) {
            texts += 1;
            match zh(&text) {
                None => missing.push(format!("{rel}: {text:?}")),
                Some(z) if z.matches("{}").count() != text.matches("{}").count() => {
                    missing.push(format!("{rel}: {text:?}: the Chinese has other holes"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(texts > 150, "only {texts} texts found: is the scan broken?");
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "no Chinese for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_scan_finds_calls_and_only_calls() {
    let src = r#"t("One") tf("Two {}", &[&x]) set("no") tr("no", "不") t(if a { "x" } else { "y" }) t("say \"hi\"")"#;
    assert_eq!(translated_texts(src), ["One", "say \"hi\"", "Two {}"]);
}

#[test]
fn every_preset_summary_has_chinese() {
    let missing: Vec<&str> = gradlab::experiment::presets()
        .iter()
        .filter(|p| zh(p.summary).is_none())
        .map(|p| p.name)
        .collect();
    assert!(missing.is_empty(), "no Chinese summary for {missing:?}");
}

#[test]
fn core_messages_come_out_in_chinese() {
    use gradlab::Error;
    let diverged = Error::NonFinite {
        step: 12,
        what: "the loss".into(),
    };
    assert_eq!(
        translate(&diverged.to_string()),
        "训练在第 12 步发散：the loss 出现了 NaN 或无穷大（试试更小的学习率）"
    );
    // A message inside a message, and a pattern taking its holes in another order.
    let wrapped = Error::Config("the GPU failed (lost)".into()).to_string();
    assert_eq!(translate(&wrapped), "配置无效：GPU 出错（lost）");
    assert_eq!(
        translate("12.8 GFLOP per step is 128x the default limit (100 MFLOP)"),
        "每步 12.8 GFLOP，达到默认限制（100 MFLOP）的 128x"
    );
    assert_eq!(
        translate("lr: missing; the default 0.03 is used"),
        "lr：缺失，使用默认值 0.03"
    );
    // Unknown text stays as it is.
    assert_eq!(translate("something else"), "something else");
    // Every pattern's Chinese has as many holes as its English (numbered or not).
    for (en, z) in zh_messages::MESSAGES {
        let holes = |s: &str| s.matches('{').count();
        assert_eq!(holes(en), holes(z), "{en}");
    }
}

#[test]
fn holes_match_only_the_patterns_shape() {
    assert_eq!(pattern::holes("a {} b {}", "a 1 b 2"), Some(vec!["1", "2"]));
    assert_eq!(pattern::holes("a {} b", "a 1 c"), None);
    assert_eq!(pattern::holes("a {} b", "a  b"), None, "an empty hole");
    assert_eq!(pattern::holes("exact", "exact"), Some(vec![]));
    assert_eq!(pattern::holes("exact", "exactly"), None);
    let id = |s: &str| s.to_string();
    assert_eq!(pattern::fill("{1}-{0}-{}", &["a", "b"], &id), "b-a-a");
}
