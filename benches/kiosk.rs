//! Kiosk benchmarks (`cargo bench --bench kiosk`; figures in BENCHMARKS.md):
//! start to first frame rendered headless, resident memory on the notice
//! screen, a full-frame software render at 1080x1920, and the last tap of
//! the official flow to the encounter committed; speech: a screen's script
//! read from the window, and the time to the first line's sound (espeak-ng).
//! Prints a table; asserts nothing about time.

use slint::ComponentHandle;
use std::time::{Duration, Instant};
use threshold::app::kiosk::{Action, DemoSource, Field, Session, StartChoice};
use threshold::app::{Desk, SystemClock};
use threshold::config::Loaded;
use threshold::ui::{apply, headless, Kiosk};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // In this process: config, store, controller, platform, component,
    // first frame.
    let start = Instant::now();
    let loaded = Loaded::demo();
    let mut desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    let mut session = Session::new(&loaded, Box::new(DemoSource::default()), Instant::now());
    let window = headless::install().unwrap();
    let ui = Kiosk::new().unwrap();
    apply(&ui, &loaded, &session.view(&desk));
    ui.show().unwrap();
    let frame = headless::render(&window, 1080, 1920).unwrap();
    let first_frame = start.elapsed();
    assert!(frame.as_bytes().iter().any(|b| *b != 0));

    // Full-frame renders of the notice, rotating languages as it does.
    let mut renders = Vec::new();
    for i in 0..60 {
        let t = Instant::now();
        session.tick(
            &mut desk,
            Instant::now() + Duration::from_secs(10 * (i + 1)),
        );
        apply(&ui, &loaded, &session.view(&desk));
        headless::render(&window, 1080, 1920).unwrap();
        renders.push(t.elapsed());
    }
    let rss = rss_mib();

    // The official flow up to the review, then the last tap (Send).
    let mut commits = Vec::new();
    for _ in 0..40 {
        let t = Instant::now();
        let s = &mut session;
        let d = &mut desk;
        s.handle(d, Action::Home, t);
        s.handle(d, Action::Start(StartChoice::Official), t);
        s.handle(d, Action::OfficialNext, t);
        for (field, text) in [(Field::Agency, "ICE ERO"), (Field::OfficerName, "Ana Ruiz")] {
            s.type_into(d, field, text, t);
        }
        s.handle(d, Action::OfficialNext, t);
        s.handle(d, Action::SetExigent(false), t);
        s.handle(d, Action::OfficialNext, t);
        s.handle(d, Action::PickDocument(4), t);
        s.handle(d, Action::OfficialNext, t);
        s.handle(d, Action::Capture, t);
        s.handle(d, Action::KeepPage, t);
        s.handle(d, Action::OfficialNext, t);
        let tap = Instant::now();
        s.handle(d, Action::Submit, tap);
        commits.push(tap.elapsed());
        assert_eq!(s.screen(), threshold::app::kiosk::Screen::OfficialWaiting);
    }

    // A busier frame: the officers form with the on-screen keyboard.
    session.handle(&mut desk, Action::Home, Instant::now());
    session.handle(
        &mut desk,
        Action::Start(StartChoice::Official),
        Instant::now(),
    );
    session.handle(&mut desk, Action::OfficialNext, Instant::now());
    apply(&ui, &loaded, &session.view(&desk));
    let mut busy = Vec::new();
    for _ in 0..60 {
        let t = Instant::now();
        headless::render(&window, 1080, 1920).unwrap();
        busy.push(t.elapsed());
    }

    // An 80 mm visitor pass: drawn and encoded as ESC/POS.
    let pass = threshold::render::receipt::Receipt::VisitorPass {
        facility: loaded.config.facility.name.clone(),
        purpose: "Một chương trình hoặc lớp học".into(),
        name: Some("Mai".into()),
        at: "2026-11-27 10:02".into(),
        reference: "V-1KQ7M2BXYZ".into(),
        record: Some("48213:9f86d081884c7d65".into()),
        lang: threshold::domain::language::Language::Vietnamese,
    };
    let mut receipts = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let b = threshold::render::receipt::render(&pass, threshold::render::receipt::WIDTH_80MM);
        let bytes = threshold::devices::printer::escpos::job(&b);
        receipts.push(t.elapsed());
        assert!(bytes.len() > 1000);
    }

    // Speech: the notice in Vietnamese read from the window, then its
    // first line made into sound as the kiosk does before playing it.
    let mut view = session.view(&desk);
    view.lang = threshold::domain::language::Language::Vietnamese;
    apply(&ui, &loaded, &view);
    headless::render(&window, 1080, 1920).unwrap();
    let mut scripts = Vec::new();
    let mut script = None;
    for _ in 0..40 {
        let t = Instant::now();
        script = Some(threshold::ui::speech::script(ui.window(), view.lang));
        scripts.push(t.elapsed());
    }
    let script = script.unwrap();
    let voices = threshold::devices::speech::Voices::default();
    let mut first_sound = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let s = voices.line(view.lang, &script.lines[0]).unwrap();
        first_sound.push(t.elapsed());
        assert!(!s.is_empty());
    }

    println!("| benchmark | result | goal |\n|---|---|---|");
    println!(
        "| start to first frame, in process (config, store, controller, platform, component, 1080x1920 software render) | {:.0} ms | < 300 ms |",
        first_frame.as_secs_f64() * 1e3
    );
    println!("| resident memory on the notice screen after 61 frames (VmRSS) | {rss:.1} MiB | < 60 MiB |");
    println!(
        "| full-frame software render 1080x1920 (notice, new language each frame), median of 60 | {:.1} ms | < 16 ms |",
        median(renders)
    );
    println!(
        "| full-frame software render 1080x1920 (officers form with the keyboard, redrawn whole), median of 60 | {:.1} ms | < 16 ms |",
        median(busy)
    );
    println!(
        "| 80 mm visitor pass rendered (glyphs from the bundled fonts) and encoded as ESC/POS, median of 100 | {:.2} ms | < 10 ms |",
        median(receipts)
    );
    println!(
        "| last tap of the official flow (Send) to the encounter committed, median of 40 | {:.2} ms | < 20 ms |",
        median(commits)
    );
    println!(
        "| speech: the notice's script read from the window (vi, {} lines), median of 40 | {:.2} ms | < 20 ms |",
        script.lines.len(),
        median(scripts.clone())
    );
    println!(
        "| speech: a screen change to its first line's sound made (espeak-ng, vi), median of 10 | {:.0} ms | < 300 ms |",
        median(first_sound) + median(scripts)
    );
}
