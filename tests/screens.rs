//! Kiosk screens rendered headless (software renderer, no display) and
//! compared with the PNG goldens in tests/goldens, with a small tolerance.
//! THRESHOLD_UPDATE_GOLDENS=1 rewrites the goldens from the current build.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// Render every screen in every language at `size` into `dir`, checking
/// the fit; returns the command's stderr (its notes and warnings).
fn render_all(size: &str, large: bool, dir: &Path) -> String {
    let mut cmd = bin();
    cmd.args([
        "screenshot",
        "--screen",
        "all",
        "--lang",
        "all",
        "--check-fit",
        "--size",
        size,
        "--out",
    ])
    .arg(dir)
    .env_remove("DISPLAY")
    .env_remove("WAYLAND_DISPLAY");
    if large {
        cmd.arg("--large-text");
    }
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{size} large={large}: text is cut off (or scrolls without large text):\n{}",
        stderr(&o)
    );
    stderr(&o)
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/goldens")
        .join(name)
}

/// Goldens are kept at half size (they are also the README gallery).
fn half(img: &image::RgbImage) -> image::RgbImage {
    image::imageops::resize(
        img,
        img.width() / 2,
        img.height() / 2,
        image::imageops::FilterType::Triangle,
    )
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

const SCREENS: [&str; 20] = [
    "idle",
    "start",
    "visitor-purpose",
    "visitor-details",
    "visitor-done",
    "official-notice",
    "official-officers",
    "official-visit",
    "official-document",
    "official-capture",
    "official-review",
    "official-waiting",
    "resources",
    "staff-pin",
    "staff-home",
    "staff-encounter",
    "staff-decide",
    "staff-notes",
    "staff-capture",
    // "Still there?" before the idle reset, over the visitor's details.
    "still-there",
];

/// Staff screens also have landscape goldens: the desk's kiosk is often
/// mounted sideways, and their two-column layouts differ most.
const LANDSCAPE_GOLDENS: [&str; 5] = [
    "staff-home",
    "staff-encounter",
    "staff-decide",
    "staff-notes",
    "staff-capture",
];

/// The screens kept as goldens with text at 200 % (portrait; every screen
/// is checked for fit at 200 % in every language and orientation).
const LARGE_GOLDENS: [&str; 7] = [
    "idle",
    "start",
    "visitor-details",
    "official-officers",
    "official-document",
    "official-waiting",
    "staff-encounter",
];

/// Every screen in all five languages, portrait and landscape, with and
/// without large text: nothing is cut off (the layout's minimum size,
/// computed with the real fonts, fits the window), no text needs more room
/// than its box or is drawn over another, and without large text nothing
/// needs to scroll. Portrait en, vi and zh-Hans match their goldens, and
/// the staff screens' landscape ones and a set at 200 % text too.
#[test]
fn every_screen_fits_in_every_language_and_matches_its_golden() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<_> = [
        ("1080x1920", false),
        ("1920x1080", false),
        ("1080x1920", true),
        ("1920x1080", true),
    ]
    .into_iter()
    .map(|(size, large)| {
        let out = dir.path().join(format!("{size}-{large}"));
        std::thread::spawn(move || (render_all(size, large, &out), out, size, large))
    })
    .collect();
    let (mut portrait, mut landscape, mut doubled) = (None, None, None);
    for run in runs {
        let (notes, out, size, large) = run.join().unwrap();
        if large {
            // Large text may scroll the longer screens; it must say so.
            assert!(notes.is_empty() || notes.contains("scrolls"), "{notes}");
        }
        for screen in SCREENS {
            for lang in ["en", "es", "vi", "zh-Hans", "tl"] {
                let suffix = if large { "-large" } else { "" };
                let file = out.join(format!("{screen}-{lang}-{size}{suffix}.png"));
                let img = image::open(&file)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
                    .to_rgb8();
                assert_eq!(format!("{}x{}", img.width(), img.height()), size);
                // Text and buttons were drawn: far from a blank background.
                let dark = img.pixels().filter(|p| p[0] < 120).count();
                assert!(dark > 2000, "{}: almost nothing drawn", file.display());
            }
        }
        match (size, large) {
            ("1080x1920", false) => portrait = Some(out),
            ("1920x1080", false) => landscape = Some(out),
            ("1080x1920", true) => doubled = Some(out),
            _ => {}
        }
    }
    let (portrait, landscape) = (portrait.unwrap(), landscape.unwrap());
    let doubled = doubled.unwrap();
    let mut shots: Vec<(PathBuf, String)> = Vec::new();
    for lang in ["en", "vi", "zh-Hans"] {
        for screen in SCREENS {
            shots.push((
                portrait.join(format!("{screen}-{lang}-1080x1920.png")),
                format!("{screen}-{lang}-portrait.png"),
            ));
        }
        for screen in LANDSCAPE_GOLDENS {
            shots.push((
                landscape.join(format!("{screen}-{lang}-1920x1080.png")),
                format!("{screen}-{lang}-landscape.png"),
            ));
        }
        for screen in LARGE_GOLDENS {
            shots.push((
                doubled.join(format!("{screen}-{lang}-1080x1920-large.png")),
                format!("{screen}-{lang}-large.png"),
            ));
        }
    }
    let update = std::env::var_os("THRESHOLD_UPDATE_GOLDENS").is_some();
    let mut failures = Vec::new();
    {
        for (file, name) in shots {
            let got = image::open(&file).unwrap().to_rgb8();
            let got = half(&got);
            if update {
                got.save(golden(&name)).unwrap();
                continue;
            }
            let want = image::open(golden(&name))
                .unwrap_or_else(|e| {
                    panic!("{name}: {e}; run with THRESHOLD_UPDATE_GOLDENS=1 to create it")
                })
                .to_rgb8();
            let (share, mean) = difference(&got, &want);
            if !(share < 0.003 && mean < 0.6) {
                failures.push(format!(
                    "{name}: {:.3}% of pixels differ, mean {mean:.2}",
                    share * 100.0
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "screens differ from their goldens:\n{}",
        failures.join("\n")
    );
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
