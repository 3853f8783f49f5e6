//! Kiosk benchmarks (`cargo bench --bench kiosk`; figures in BENCHMARKS.md):
//! start to first frame rendered headless, and resident memory on the
//! notice screen. Prints a table; asserts nothing about time.

use slint::ComponentHandle;
use std::time::{Duration, Instant};
use threshold::config::Loaded;
use threshold::domain::language::Language;
use threshold::ui::{headless, present, Kiosk, ScreenName};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    // In this process: config, platform, component, first frame.
    let start = Instant::now();
    let loaded = Loaded::demo();
    let window = headless::install().unwrap();
    let ui = Kiosk::new().unwrap();
    present(&ui, &loaded, Language::English, ScreenName::Idle);
    ui.show().unwrap();
    let frame = headless::render(&window, 1080, 1920).unwrap();
    let first_frame = start.elapsed();
    assert!(frame.as_bytes().iter().any(|b| *b != 0));
    // Idle on the notice: a few more frames in other languages, then measure.
    for lang in [
        Language::Vietnamese,
        Language::ChineseSimplified,
        Language::English,
    ] {
        present(&ui, &loaded, lang, ScreenName::Idle);
        headless::render(&window, 1080, 1920).unwrap();
    }
    let rss = rss_mib();

    // The whole command, process start to PNG on disk, as `threshold screenshot`.
    let out = std::env::temp_dir().join("threshold-bench-idle.png");
    let mut runs: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            let ok = std::process::Command::new(env!("CARGO_BIN_EXE_threshold"))
                .args(["screenshot", "--out"])
                .arg(&out)
                .status()
                .unwrap()
                .success();
            assert!(ok);
            t.elapsed()
        })
        .collect();
    runs.sort();
    println!("| benchmark | result |\n|---|---|");
    println!("| start to first frame, in process (config, platform, component, 1080x1920 software render) | {:.0} ms |", first_frame.as_secs_f64() * 1e3);
    println!(
        "| `threshold screenshot`, process start to PNG written, p50 of 15 | {:.0} ms |",
        runs[7].as_secs_f64() * 1e3
    );
    println!("| resident memory on the notice screen after 4 frames (VmRSS) | {rss:.1} MiB |");
}
