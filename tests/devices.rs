//! The peripherals' real drivers against simulators speaking their
//! protocols on pseudo-terminal pairs: receipts printed byte for byte,
//! paper out, a printer that does not answer, unplug and replug through a
//! stable (symlinked) name, the panic button and the scanner through the
//! device hub; and the receipts themselves against PNG goldens.
#![cfg(feature = "simulate")]

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use threshold::config::{Devices, LineEnd, PanicSettings, Paper, PrinterSettings, ScannerSettings};
use threshold::devices::health::Health;
use threshold::devices::hub::{DeviceEvent, Hub};
use threshold::devices::printer::{self, PrinterError, ReceiptPrinter};
use threshold::devices::sim::printer::PrinterSim;
use threshold::devices::sim::LineSim;
use threshold::domain::document::DocumentKind;
use threshold::domain::language::Language;
use threshold::render::receipt::{
    render, Both, OfficialReceipt, Receipt, SlipResource, WIDTH_58MM, WIDTH_80MM,
};
use threshold::render::Bitmap;

fn pass(lang: Language, purpose: &str) -> Receipt {
    Receipt::VisitorPass {
        facility: "Dr. Roberto Cruz Alum Rock Branch Library".into(),
        purpose: purpose.into(),
        name: Some("Mai".into()),
        at: "2026-11-27 10:02".into(),
        reference: "V-1KQ7M2BXYZ".into(),
        record: Some("48213:9f86d081884c7d65".into()),
        lang,
    }
}

fn wait_until(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not happen within {within:?}");
}

/// The next device event, waiting up to 5 s.
fn next_event(rx: &mut tokio::sync::mpsc::Receiver<DeviceEvent>) -> DeviceEvent {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(e) = rx.try_recv() {
            return e;
        }
        assert!(Instant::now() < end, "no device event within 5 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_receipt_prints_byte_for_byte_and_paper_out_and_silence_are_said() {
    let sim = PrinterSim::start(None).unwrap();
    let mut p = printer::open(&sim.path, 19200).unwrap();
    let receipt = render(
        &pass(Language::Vietnamese, "Một chương trình hoặc lớp học"),
        WIDTH_80MM,
    );
    p.print(&receipt).unwrap();
    wait_until("the receipt to be cut", Duration::from_secs(5), || {
        !sim.state.lock().unwrap().printed.is_empty()
    });
    assert_eq!(sim.state.lock().unwrap().printed[0], receipt);
    assert_eq!(sim.state.lock().unwrap().unknown, 0);

    sim.state.lock().unwrap().paper_out = true;
    assert!(matches!(p.print(&receipt), Err(PrinterError::PaperOut)));
    assert!(p.status().unwrap().paper_out);
    sim.state.lock().unwrap().paper_out = false;
    sim.state.lock().unwrap().cover_open = true;
    let e = p.print(&receipt).unwrap_err();
    assert!(matches!(e, PrinterError::CoverOpen), "{e}");
    sim.state.lock().unwrap().cover_open = false;
    sim.state.lock().unwrap().silent = true;
    let e = p.print(&receipt).unwrap_err();
    assert!(e.to_string().contains("did not answer"), "{e}");
    // Nothing more was printed by the refused jobs.
    assert_eq!(sim.state.lock().unwrap().printed.len(), 1);
}

fn symlink(link: &Path, to: &Path) {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(to, link).unwrap();
}

#[test]
fn the_hub_prints_and_recovers_after_the_printer_is_unplugged_and_replugged() {
    let dir = tempfile::tempdir().unwrap();
    // A stable name, as the udev rules give: re-pointed when replugged.
    let link: PathBuf = dir.path().join("threshold-printer");
    let first = PrinterSim::start(None).unwrap();
    symlink(&link, &first.path);
    let devices = Devices {
        printer: Some(PrinterSettings {
            port: link.clone(),
            baud: 19200,
            paper: Paper::Mm58,
        }),
        ..Default::default()
    };
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let states_file = dir.path().join("devices.json");
    let hub = Hub::start(&devices, tx, Health::new(Some(states_file.clone())));
    wait_until("the printer to be ready", Duration::from_secs(5), || {
        hub.printer_ready()
    });
    assert_eq!(hub.paper_dots(), Some(WIDTH_58MM));
    hub.print(render(
        &pass(Language::English, "An appointment"),
        WIDTH_58MM,
    ))
    .unwrap();
    wait_until("the first receipt", Duration::from_secs(5), || {
        first.state.lock().unwrap().printed.len() == 1
    });
    // Unplugged: the port goes away.
    drop(first);
    std::fs::remove_file(&link).unwrap();
    wait_until(
        "the printer to be seen gone",
        Duration::from_secs(6),
        || !hub.printer_ready(),
    );
    // The states file says so too, with the writing process's id.
    let gone: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&states_file).unwrap()).unwrap();
    assert_eq!(gone["pid"], std::process::id());
    let gone = &gone["parts"];
    assert_eq!(gone[0]["part"], "printer", "{gone}");
    assert_eq!(gone[0]["working"], false, "{gone}");
    assert!(
        gone[0]["fix"].as_str().unwrap().contains("plugged in"),
        "{gone}"
    );
    // A job while it is gone is not lost silently: it is refused or logged,
    // and a check-in never waits for it.
    let t = Instant::now();
    let _ = hub.print(render(
        &pass(Language::English, "An appointment"),
        WIDTH_58MM,
    ));
    assert!(t.elapsed() < Duration::from_millis(100));
    // Replugged: back within 5 s, and prints.
    let second = PrinterSim::start(None).unwrap();
    symlink(&link, &second.path);
    let back = Instant::now();
    wait_until("the printer to come back", Duration::from_secs(5), || {
        hub.printer_ready()
    });
    eprintln!("printer back after {:?}", back.elapsed());
    hub.print(render(
        &pass(Language::ChineseSimplified, "预约"),
        WIDTH_58MM,
    ))
    .unwrap();
    wait_until(
        "the receipt after replugging",
        Duration::from_secs(5),
        || !second.state.lock().unwrap().printed.is_empty(),
    );
}

#[test]
fn the_panic_button_and_the_scanner_reach_the_service_through_the_hub() {
    let scanner = LineSim::start().unwrap();
    let panic = LineSim::start().unwrap();
    let devices = Devices {
        scanner: Some(ScannerSettings {
            port: scanner.path.clone(),
            baud: 9600,
            line_end: LineEnd::Cr,
        }),
        panic: Some(PanicSettings {
            port: panic.path.clone(),
            baud: 9600,
        }),
        ..Default::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let hub = Hub::start(&devices, tx, Health::default());
    wait_until("both devices open", Duration::from_secs(5), || {
        hub.states().iter().filter(|s| s.working).count() == 2
    });
    panic
        .send(b"HELLO pb-1.0\nPRESS 1\nPRESS 1\nnoise\x07\n")
        .unwrap();
    assert_eq!(next_event(&mut rx), DeviceEvent::Panic);
    scanner.send(b"garbage\x01\rBADGE-0042\r\n").unwrap();
    // The repeated press and the garbage were dropped: the badge is next.
    assert_eq!(next_event(&mut rx), DeviceEvent::Scan("BADGE-0042".into()));
    panic.send(b"PRESS 2\n").unwrap();
    assert_eq!(next_event(&mut rx), DeviceEvent::Panic);
    assert!(rx.try_recv().is_err());
}

#[test]
fn a_panic_press_opens_an_encounter_and_pages_through_rapid_response_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = alerting_config(dir.path(), "http://127.0.0.1:9", "");
    let desk = desk_with(dir.path(), loaded, TestClock::real_now());
    let id = desk.panic_pressed().unwrap();
    let roles: Vec<String> = {
        let conn = rusqlite::Connection::open(dir.path().join("threshold.db")).unwrap();
        let mut stmt = conn
            .prepare("SELECT DISTINCT role FROM outbox WHERE encounter_id = ?1 ORDER BY role")
            .unwrap();
        stmt.query_map([&id], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        roles,
        ["counsel", "designated-staff", "manager", "rapid-response"]
    );
    let rec = desk
        .record()
        .read(|r| threshold::store::query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rec.via, "panic-button");
    assert!(!rec.drill);
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/goldens")
        .join(name)
}

#[test]
fn receipts_match_their_goldens_in_english_vietnamese_and_chinese() {
    let update = std::env::var_os("THRESHOLD_UPDATE_GOLDENS").is_some();
    let loaded = threshold::config::Loaded::demo();
    let official = |lang, sentence: &str| {
        let en = Language::English;
        let warrant = &loaded
            .profile
            .documents
            .iter()
            .find(|d| d.kind == DocumentKind::AdministrativeWarrant)
            .unwrap()
            .label;
        Receipt::OfficialReceipt(Box::new(OfficialReceipt {
            facility: "Dr. Roberto Cruz Alum Rock Branch Library".into(),
            reference: "E-7Q2M4K9D".into(),
            at: "2026-11-27 10:02".into(),
            officers: vec!["J. Alvarez · 4471".into(), "K. Brandt".into()],
            agency: "ICE ERO".into(),
            document: Both::new(warrant.get(en), warrant.get(lang)),
            pages: 3,
            seeking: Some("Records of one program participant".into()),
            sentence: Both::new(&loaded.profile.notice.receipt.en, sentence),
            record: Some("48213:9f86d081884c7d65".into()),
            lang,
        }))
    };
    let slip = |lang| Receipt::ResourcesSlip {
        facility: "Dr. Roberto Cruz Alum Rock Branch Library".into(),
        resources: loaded
            .profile
            .resources
            .iter()
            .map(|r| SlipResource {
                name: r.name.get(lang).into(),
                description: r.description.get(lang).into(),
                phone: r.phone.clone(),
                qr: r.url.clone(),
            })
            .collect(),
        lang,
    };
    let n = &loaded.profile.notice.receipt;
    let cases = [
        (
            "receipt-pass-en.png",
            pass(Language::English, "An appointment"),
        ),
        (
            "receipt-pass-vi.png",
            pass(Language::Vietnamese, "Một chương trình hoặc lớp học"),
        ),
        (
            "receipt-pass-zh-Hans.png",
            pass(Language::ChineseSimplified, "预约"),
        ),
        (
            "receipt-official-en.png",
            official(Language::English, &n.en),
        ),
        (
            "receipt-official-vi.png",
            official(Language::Vietnamese, &n.vi),
        ),
        (
            "receipt-official-zh-Hans.png",
            official(Language::ChineseSimplified, &n.zh_hans),
        ),
        ("receipt-resources-en.png", slip(Language::English)),
        ("receipt-resources-vi.png", slip(Language::Vietnamese)),
        (
            "receipt-resources-zh-Hans.png",
            slip(Language::ChineseSimplified),
        ),
    ];
    for (name, receipt) in cases {
        let got = render(&receipt, WIDTH_80MM);
        if update {
            std::fs::write(golden(name), got.to_png()).unwrap();
            continue;
        }
        let want = Bitmap::from_png(&std::fs::read(golden(name)).unwrap_or_else(|e| {
            panic!("{name}: {e}; run with THRESHOLD_UPDATE_GOLDENS=1 to create it")
        }))
        .unwrap();
        assert_eq!(
            (got.width(), got.height()),
            (want.width(), want.height()),
            "{name}"
        );
        let differ = got
            .bits()
            .iter()
            .zip(want.bits())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum::<u32>();
        // A handful of dots may differ with a different rasteriser build.
        assert!(differ < 50, "{name}: {differ} dots differ from the golden");
    }
}

#[test]
fn the_door_sign_shows_the_state_and_refuses_a_wrong_frame() {
    use threshold::devices::sign::{self, DoorSign};
    use threshold::devices::sim::sign::SignSim;
    use threshold::render::sign::{render as draw_sign, SignContent};
    let loaded = threshold::config::Loaded::demo();
    let titles = loaded.notice_titles();
    let open = SignContent {
        officials_on_site: false,
        titles: titles.clone(),
    };
    let on_site = SignContent {
        officials_on_site: true,
        titles,
    };
    let sim = SignSim::start(400, 300, None).unwrap();
    let mut s = sign::open(&sim.path, 115200).unwrap();
    assert_eq!(s.ping().unwrap(), (400, 300));
    let picture = draw_sign(&on_site, 400, 300);
    s.show(&picture).unwrap();
    assert_eq!(sim.state.lock().unwrap().shown.as_ref(), Some(&picture));
    let e = s.show(&draw_sign(&open, 200, 100)).unwrap_err();
    assert!(e.to_string().contains("ERR size 200x100"), "{e}");
    // The goldens: open, and officials on site.
    let update = std::env::var_os("THRESHOLD_UPDATE_GOLDENS").is_some();
    for (name, content) in [("sign-open.png", &open), ("sign-officials.png", &on_site)] {
        let got = draw_sign(content, 400, 300);
        if update {
            std::fs::write(golden(name), got.to_png()).unwrap();
            continue;
        }
        let want = Bitmap::from_png(&std::fs::read(golden(name)).unwrap()).unwrap();
        let differ = got
            .bits()
            .iter()
            .zip(want.bits())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum::<u32>();
        assert!(differ < 50, "{name}: {differ} dots differ");
    }
    // The CLI draws the same picture.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sign.png");
    let o = bin()
        .args(["devices", "sign", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        Bitmap::from_png(&std::fs::read(&out).unwrap()).unwrap(),
        draw_sign(&open, 400, 300)
    );
}

#[test]
fn the_hub_shows_the_sign_again_after_it_is_replugged() {
    use threshold::devices::sim::sign::SignSim;
    use threshold::render::sign::SignContent;
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("threshold-sign");
    let first = SignSim::start(400, 300, None).unwrap();
    symlink(&link, &first.path);
    let devices = Devices {
        sign: Some(threshold::config::SignSettings {
            port: link.clone(),
            baud: 115200,
            width: 400,
            height: 300,
        }),
        ..Default::default()
    };
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    let hub = Hub::start(&devices, tx, Health::default());
    let content = SignContent {
        officials_on_site: true,
        titles: vec![(
            Language::English,
            "This is a City of San José facility".into(),
        )],
    };
    hub.show_on_sign(content);
    wait_until("the sign to show", Duration::from_secs(5), || {
        first.state.lock().unwrap().shown.is_some()
    });
    drop(first);
    std::fs::remove_file(&link).unwrap();
    let second = SignSim::start(400, 300, None).unwrap();
    symlink(&link, &second.path);
    wait_until(
        "the sign to show again after the replug",
        Duration::from_secs(5),
        || second.state.lock().unwrap().shown.is_some(),
    );
    assert!(hub.states().iter().any(|s| s.part == "sign" && s.working));
}

#[test]
fn devices_test_and_list_talk_to_each_device() {
    use threshold::devices::sim::modem::ModemSim;
    use threshold::devices::sim::sign::SignSim;
    let dir = tempfile::tempdir().unwrap();
    let printer = PrinterSim::start(None).unwrap();
    let sign = SignSim::start(400, 300, None).unwrap();
    let modem = ModemSim::start(Default::default());
    let config = format!(
        "{}\n[devices.printer]\nport = {:?}\n\n[devices.sign]\nport = {:?}\n\n[alerts.sms]\nmodem = {:?}\n",
        threshold::config::DEMO_CONFIG,
        printer.path.display().to_string(),
        sign.path.display().to_string(),
        modem.path.display().to_string()
    );
    let file = dir.path().join("site.toml");
    std::fs::write(&file, config).unwrap();
    let run = |args: &[&str]| {
        bin()
            .arg("--config")
            .arg(&file)
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["devices", "test", "printer"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    wait_until("the test receipt", Duration::from_secs(5), || {
        printer.state.lock().unwrap().printed.len() == 1
    });
    let o = run(&["devices", "test", "sign"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(sign.state.lock().unwrap().shown.is_some());
    let o = run(&["devices", "test", "modem"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("modem: ready"), "{}", stdout(&o));
    let o = run(&["devices", "list"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("printer") && stdout(&o).contains("ready"),
        "{}",
        stdout(&o)
    );
    // Out of paper: said, and the test fails.
    printer.state.lock().unwrap().paper_out = true;
    let o = run(&["devices", "test", "printer"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("out of paper"), "{}", stdout(&o));
    let o = run(&["devices", "list"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["devices", "test", "fax"]);
    assert!(stderr(&o).contains("allowed: printer, scanner, modem, sign, panic"));
}

#[test]
fn the_scanner_is_read_again_after_it_is_replugged() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("threshold-scanner");
    let first = LineSim::start().unwrap();
    symlink(&link, &first.path);
    let devices = Devices {
        scanner: Some(ScannerSettings {
            port: link.clone(),
            baud: 9600,
            line_end: LineEnd::Crlf,
        }),
        ..Default::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let hub = Hub::start(&devices, tx, Health::default());
    wait_until("the scanner open", Duration::from_secs(5), || {
        hub.states().iter().any(|s| s.working)
    });
    drop(first);
    std::fs::remove_file(&link).unwrap();
    wait_until("the scanner seen gone", Duration::from_secs(5), || {
        hub.states().iter().all(|s| !s.working)
    });
    let second = LineSim::start().unwrap();
    symlink(&link, &second.path);
    wait_until("the scanner back", Duration::from_secs(5), || {
        hub.states().iter().any(|s| s.working)
    });
    second.send(b"BADGE-7\r\n").unwrap();
    assert_eq!(next_event(&mut rx), DeviceEvent::Scan("BADGE-7".into()));
}
