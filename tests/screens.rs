//! Kiosk screens rendered headless (software renderer, no display) and
//! compared with the PNG goldens in tests/goldens, with a small tolerance.
//! THRESHOLD_UPDATE_GOLDENS=1 rewrites the goldens from the current build.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn render(screen: &str, lang: &str, size: &str, out: &Path) {
    let o = bin()
        .args([
            "screenshot",
            "--screen",
            screen,
            "--lang",
            lang,
            "--size",
            size,
            "--out",
        ])
        .arg(out)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(o.status.success(), "{screen} {lang}: {}", stderr(&o));
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/goldens")
        .join(name)
}

/// Fraction of pixels differing by more than a little, and the mean
/// difference per channel.
fn difference(a: &image::RgbImage, b: &image::RgbImage) -> (f64, f64) {
    assert_eq!(a.dimensions(), b.dimensions());
    let (mut differing, mut total) = (0u64, 0u64);
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d: u64 = (0..3)
            .map(|i| (p[i] as i64 - q[i] as i64).unsigned_abs())
            .sum();
        total += d;
        if d > 24 {
            differing += 1;
        }
    }
    let n = (a.width() * a.height()) as f64;
    (differing as f64 / n, total as f64 / (n * 3.0))
}

#[test]
fn screens_match_their_goldens() {
    let dir = tempfile::tempdir().unwrap();
    let update = std::env::var_os("THRESHOLD_UPDATE_GOLDENS").is_some();
    for screen in ["idle", "start"] {
        for lang in ["en", "vi", "zh-Hans"] {
            let name = format!("{screen}-{lang}-portrait.png");
            let out = dir.path().join(&name);
            render(screen, lang, "1080x1920", &out);
            if update {
                std::fs::copy(&out, golden(&name)).unwrap();
                continue;
            }
            let got = image::open(&out).unwrap().to_rgb8();
            let want = image::open(golden(&name))
                .unwrap_or_else(|e| {
                    panic!("{name}: {e}; run with THRESHOLD_UPDATE_GOLDENS=1 to create it")
                })
                .to_rgb8();
            let (share, mean) = difference(&got, &want);
            assert!(
                share < 0.002 && mean < 0.5,
                "{name} differs from its golden: {:.3}% of pixels, mean {mean:.2}",
                share * 100.0
            );
        }
    }
}

#[test]
fn every_language_renders_in_both_orientations() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["en", "es", "vi", "zh-Hans", "tl"] {
        for size in ["1080x1920", "1920x1080"] {
            let out = dir.path().join(format!("{lang}-{size}.png"));
            render("start", lang, size, &out);
            let img = image::open(&out).unwrap().to_rgb8();
            let (w, h) = img.dimensions();
            assert_eq!(format!("{w}x{h}"), size);
            // Text and buttons were drawn: far from a blank background.
            let dark = img.pixels().filter(|p| p[0] < 100 && p[1] < 120).count();
            assert!(
                dark > (w * h / 50) as usize,
                "{lang} {size}: almost nothing drawn"
            );
        }
    }
}

#[test]
fn bad_screenshot_arguments_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    for (args, says) in [
        (
            vec!["--screen", "lobby"],
            "--screen: unknown screen `lobby`",
        ),
        (vec!["--lang", "fr"], "--lang: unknown language `fr`"),
        (vec!["--size", "big"], "--size: found `big`"),
        (vec!["--size", "10x10"], "size 10x10"),
    ] {
        let o = bin()
            .arg("screenshot")
            .args(&args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    let o = bin()
        .args(["screenshot", "--out", "/nonexistent/dir/x.png"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/nonexistent/dir/x.png"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn every_ui_string_is_translated_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut strings = Vec::new();
    for entry in std::fs::read_dir(root.join("ui")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "slint") {
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("@tr(\"").skip(1) {
                strings.push(part.split('"').next().unwrap().to_string());
            }
        }
    }
    assert!(strings.len() >= 5, "found {strings:?}");
    for lang in ["es", "vi", "zh-Hans", "tl"] {
        let po = std::fs::read_to_string(
            root.join(format!("ui/translations/{lang}/LC_MESSAGES/threshold.po")),
        )
        .unwrap_or_else(|e| panic!("{lang}: {e}"));
        for s in &strings {
            let entry = format!("msgid \"{s}\"\nmsgstr \"");
            let at = po
                .find(&entry)
                .unwrap_or_else(|| panic!("{lang}: no translation for {s:?}"));
            let rest = &po[at + entry.len()..];
            assert!(
                !rest.starts_with('"'),
                "{lang}: empty translation for {s:?}"
            );
        }
    }
}
