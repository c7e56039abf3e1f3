//! The web app manifest and the icons are valid, from the sources that `make dist`
//! copies (index.html: www/manifest.webmanifest to dist/www/, assets/icons/ to
//! dist/icons/): the manifest's names, start URL and scope, every icon's file exists at
//! the size it claims with a known purpose, the platforms' required sizes are there, the
//! maskable icons are full-bleed (opaque corners) and the plain ones keep their rounded
//! corners transparent; index.html links the manifest and favicons that exist.

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

const MANIFEST: &str = "www/manifest.webmanifest";
/// Where a URL of the built site (relative to dist/) comes from in the repository.
const SITE_SOURCES: &[(&str, &str)] = &[("icons/", "assets/icons/"), ("www/", "www/")];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository file behind `url` of the built site, `url` relative to `base` (the
/// folder, relative to dist/, of the file that names it).
fn source_of(base: &str, url: &str) -> PathBuf {
    assert!(
        !url.starts_with('/') && !url.contains("://"),
        "{url}: not a relative URL (the site must work under any subpath)"
    );
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in url.split('/') {
        match part {
            ".." => {
                assert!(parts.pop().is_some(), "{url} leaves the site's folder");
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    let in_dist = parts.join("/");
    let (from, to) = SITE_SOURCES
        .iter()
        .find(|(from, _)| in_dist.starts_with(from))
        .unwrap_or_else(|| panic!("{url}: {in_dist} is not a file index.html copies"));
    root().join(format!("{to}{}", &in_dist[from.len()..]))
}

/// A PNG's width, height and the RGBA of its top-left pixel (8-bit RGB or RGBA PNGs).
fn png_info(path: &Path) -> (u32, u32, [u8; 4]) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    let (width, height) = (be(16), be(20));
    // 8-bit RGB (colour type 2, opaque) or RGBA (6).
    let channels = match (bytes[24], bytes[25]) {
        (8, 2) => 3,
        (8, 6) => 4,
        other => panic!(
            "{}: 8-bit RGB or RGBA expected, not {other:?}",
            path.display()
        ),
    };
    // The image data: every IDAT chunk, inflated. The first pixel of the first row is
    // stored raw under every filter type (its neighbours count as zero).
    let mut idat = Vec::new();
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = be(at) as usize;
        if &bytes[at + 4..at + 8] == b"IDAT" {
            idat.extend_from_slice(&bytes[at + 8..at + 8 + len]);
        }
        at += 12 + len;
    }
    let mut first = [255u8; 5];
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_exact(&mut first[..1 + channels])
        .expect("the PNG's image data inflates");
    (width, height, [first[1], first[2], first[3], first[4]])
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(root().join(MANIFEST)).expect("the manifest exists");
    serde_json::from_str(&text).expect("the manifest is JSON")
}

fn text(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("manifest: {key} missing or not a string"))
        .to_string()
}

#[test]
fn the_manifest_names_the_app_and_its_folder() {
    let m = manifest();
    assert!(text(&m, "name").contains("gradlab"));
    let short = text(&m, "short_name");
    assert_eq!(short, "gradlab");
    assert!(text(&m, "description").len() > 40, "a real description");
    // The manifest sits in www/: the app's folder is "../" from it, whatever the host.
    assert_eq!(text(&m, "start_url"), "../");
    assert_eq!(text(&m, "scope"), "../");
    // id resolves against start_url: "./" is the app's folder itself.
    assert_eq!(text(&m, "id"), "./");
    assert!(["standalone", "minimal-ui", "fullscreen"].contains(&text(&m, "display").as_str()));
    for key in ["theme_color", "background_color"] {
        let colour = text(&m, key);
        assert!(
            colour.len() == 7
                && colour.starts_with('#')
                && colour[1..].chars().all(|c| c.is_ascii_hexdigit()),
            "{key} {colour}"
        );
    }
    let index = std::fs::read_to_string(root().join("index.html")).unwrap();
    assert!(
        index.contains(&format!(
            r#"<meta name="theme-color" content="{}" />"#,
            text(&m, "theme_color")
        )),
        "index.html's theme-color is the manifest's"
    );
}

#[test]
fn every_icon_exists_at_its_size_with_a_known_purpose() {
    let m = manifest();
    let icons = m["icons"].as_array().expect("manifest: icons");
    let mut have = Vec::new();
    for icon in icons {
        let src = text(icon, "src");
        let file = source_of("www", &src);
        let sizes = text(icon, "sizes");
        let purposes = text(icon, "purpose");
        for p in purposes.split_whitespace() {
            assert!(
                ["any", "maskable", "monochrome"].contains(&p),
                "{src}: purpose {p}"
            );
        }
        match text(icon, "type").as_str() {
            "image/png" => {
                assert!(src.ends_with(".png"), "{src}");
                let (w, h, corner) = png_info(&file);
                assert_eq!(sizes, format!("{w}x{h}"), "{src}: sizes vs the file");
                if purposes.contains("maskable") {
                    assert_eq!(corner[3], 255, "{src}: a maskable icon fills its corners");
                } else {
                    assert_eq!(
                        corner[3], 0,
                        "{src}: the plain icon's corners are transparent"
                    );
                }
                for p in purposes.split_whitespace() {
                    have.push((p.to_string(), w));
                }
            }
            "image/svg+xml" => {
                assert_eq!(sizes, "any", "{src}: an SVG icon scales to any size");
                let svg = std::fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                assert!(svg.trim_start().starts_with("<svg"), "{src} is an SVG");
            }
            other => panic!("{src}: type {other}"),
        }
    }
    // What Chromium and Android ask of an installable app.
    for (purpose, size) in [
        ("any", 192),
        ("any", 512),
        ("maskable", 192),
        ("maskable", 512),
    ] {
        assert!(
            have.contains(&(purpose.to_string(), size)),
            "no {purpose} PNG of {size}x{size}: {have:?}"
        );
    }
}

#[test]
fn index_html_links_the_manifest_and_favicons_that_exist() {
    let index = std::fs::read_to_string(root().join("index.html")).unwrap();
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let links: Vec<&str> = index
        .split("<link")
        .skip(1)
        .map(|t| &t[..t.find('>').unwrap()])
        .filter(|t| !t.contains("data-trunk"))
        .collect();
    let href_of = |rel: &str| -> Vec<(String, Option<String>)> {
        links
            .iter()
            .filter(|t| attr(t, "rel").as_deref() == Some(rel))
            .map(|t| (attr(t, "href").unwrap(), attr(t, "sizes")))
            .collect()
    };
    assert_eq!(href_of("manifest"), vec![(MANIFEST.to_string(), None)]);
    let icons = href_of("icon");
    assert!(
        icons.iter().any(|(h, _)| h.ends_with(".svg")),
        "an SVG favicon"
    );
    for (rel, expect_png) in [("icon", true), ("apple-touch-icon", true)] {
        for (href, sizes) in href_of(rel) {
            let file = source_of("", &href);
            assert!(file.is_file(), "{rel} {href}: {} missing", file.display());
            if expect_png && href.ends_with(".png") {
                let (w, h, _) = png_info(&file);
                assert_eq!(w, h, "{href} is square");
                if let Some(s) = sizes {
                    assert_eq!(s, format!("{w}x{h}"), "{href}: sizes vs the file");
                }
            }
        }
    }
    assert!(!href_of("apple-touch-icon").is_empty());
}
