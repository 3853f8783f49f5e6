//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer):
//! one per parser that takes bytes from outside. Each must return for any
//! input, never panic, and keep the parser's promises (stated as asserts
//! here). `tests/fuzz_corpora.rs` replays every corpus file and every
//! crash input found through the same functions, so `cargo test` checks
//! them without a sanitizer build.

use crate::admin::{router, AppState};
use crate::alerts::ack_link::{check, AckKey};
use crate::app::{Desk, PageImage, SystemClock};
use crate::config::{LineEnd, Loaded};
use crate::devices::health::Health;
use crate::devices::lines::LineFramer;
use crate::devices::modem::at;
use crate::devices::panic;
use crate::devices::printer::escpos::{parse_status, Status, StatusKind};
use std::sync::OnceLock;

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// Every target, by the name of its folder under `fuzz/corpus/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("config", config),
    ("scanner_lines", scanner_lines),
    ("panic_lines", panic_lines),
    ("modem_responses", modem_responses),
    ("printer_status", printer_status),
    ("bundle", bundle),
    ("page_image", page_image),
    ("ack_token", ack_token),
    ("sms_reply", sms_reply),
    ("web_form", web_form),
];

/// A configuration file: TOML to a validated configuration, or errors that
/// each name a place in the file.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A folder that does not exist: secret files named in the input are
    // never read from the machine running the fuzzer.
    let base = std::path::Path::new("/nonexistent/threshold-fuzz");
    if let Err(e) = Loaded::from_text("fuzz.toml", text, base) {
        assert!(!e.to_string().is_empty());
    }
}

fn framed(data: &[u8], mut line: impl FnMut(&str)) {
    for end in [LineEnd::Cr, LineEnd::Lf, LineEnd::Crlf] {
        let mut f = LineFramer::new(end, 128);
        // In two halves, as a serial port delivers bytes.
        let (a, b) = data.split_at(data.len() / 2);
        for chunk in [a, b] {
            for l in f.push(chunk).into_iter().flatten() {
                assert!(l.len() <= 128 && !l.chars().any(char::is_control));
                line(&l);
            }
        }
    }
}

/// Scanner lines: badges and `APPT:` codes.
pub fn scanner_lines(data: &[u8]) {
    framed(data, |_| {});
}

/// Panic-button lines: `HELLO`, `PRESS n`, `ALIVE`.
pub fn panic_lines(data: &[u8]) {
    let mut presses = panic::Presses::default();
    framed(data, |l| {
        if let Some(panic::PanicLine::Press(n)) = panic::parse(l) {
            presses.is_new(n);
        }
    });
}

/// What a GSM modem answers: result codes, unsolicited codes, stored
/// messages (`+CMGL`), UCS2 text.
pub fn modem_responses(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    for l in &lines {
        let _ = at::final_result(l);
        let _ = at::is_unsolicited(l);
        let _ = at::ucs2_decode(l);
    }
    for m in at::parse_cmgl(&lines) {
        let _ = m;
    }
}

/// Printer status bytes (`DLE EOT n` answers).
pub fn printer_status(data: &[u8]) {
    let mut status = Status::default();
    for (i, byte) in data.iter().enumerate() {
        let kind = [StatusKind::Printer, StatusKind::Offline, StatusKind::Paper][i % 3];
        let _ = parse_status(kind, *byte, &mut status);
    }
}

/// A signed export bundle: it verifies only when whole and signed.
pub fn bundle(data: &[u8]) {
    let report = crate::store::bundle::verify(std::io::Cursor::new(data), None);
    if let Ok(r) = report {
        let _ = r.intact();
    }
    let key = crate::store::bundle::FacilityKey::from_seed([7; 32]).public_hex();
    let _ = crate::store::bundle::verify(std::io::Cursor::new(data), Some(&key));
}

/// A document page image (PNG or JPEG, decoded within limits).
pub fn page_image(data: &[u8]) {
    if let Ok(p) = PageImage::from_bytes("fuzz", data.to_vec()) {
        assert!(p.width > 0 && p.height > 0);
    }
}

/// An acknowledge-link token: never valid unless signed with the key.
pub fn ack_token(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let key = AckKey::from_bytes([9; 32]);
    let found = check(&key, token, chrono::Utc::now());
    // Nobody without the key makes a valid link.
    if let Ok(claim) = found {
        let again = crate::alerts::ack_link::issue(&key, &claim);
        assert!(check(&key, &again, chrono::Utc::now()).is_ok());
    }
}

/// A text-message reply (`ACK <code>`) and the number it came from.
pub fn sms_reply(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(code) = crate::alerts::replies::ack_code(&text) {
        assert!(!code.is_empty() && !code.contains(char::is_whitespace));
    }
    let (a, b) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = crate::alerts::replies::same_number(a, b);
}

/// The admin web's forms and filters, through the router as the server
/// runs them, signed in as a manager (and acting on an open encounter): the
/// first byte picks the form, the rest is its body or query. No input may make the server fail (500).
pub fn web_form(data: &[u8]) {
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use tower::ServiceExt;
    struct Web {
        rt: tokio::runtime::Runtime,
        app: axum::Router,
        cookie: String,
        csrf: String,
        /// An open encounter the forms act on.
        encounter: String,
    }
    static WEB: OnceLock<Web> = OnceLock::new();
    let web = WEB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder").keep();
        let desk = Desk::open(Loaded::demo(), &dir, SystemClock).expect("a fresh record");
        desk.add_account(
            "fuzz",
            crate::domain::account::AccountRole::Manager,
            &crate::admin::auth::hash_password("fuzzing passphrase"),
        )
        .expect("an account");
        let token = desk.sign_in("fuzz").expect("a session");
        let encounter = desk
            .open_encounter(None, crate::domain::encounter::Via::Cli, false)
            .expect("an encounter");
        let csrf = desk
            .session(&token, false)
            .expect("the session")
            .expect("the session")
            .csrf;
        let state = AppState::new(desk, Health::default(), false).expect("the web's keys");
        Web {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime"),
            app: router(state),
            cookie: format!("th_session={token}; th_login=fuzzcsrf"),
            csrf,
            encounter,
        }
    });
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let input = String::from_utf8_lossy(rest);
    let form = |path: &str, extra: &str| {
        Request::post(path)
            .header(header::COOKIE, &web.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .body(Body::from(format!("{input}{extra}")))
    };
    let query = |path: &str| {
        Request::get(format!("{path}?{}", input.replace([' ', '#'], "+")))
            .header(header::COOKIE, &web.cookie)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
    };
    let csrf = format!("&csrf={}", web.csrf);
    let act = |what: &str| form(&format!("/encounters/{}/{what}", web.encounter), &csrf);
    let request = match pick % 12 {
        0 => form("/login", "&csrf=fuzzcsrf"),
        // Not this session's: signing it out would end the run's session.
        1 => Request::post("/logout")
            .header(header::COOKIE, "th_session=0123")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(input.to_string())),
        2 => form("/retention", &csrf),
        3 => form("/retention/purge", &csrf),
        4 => query("/log"),
        5 => query("/export.csv"),
        6 => query("/alerts"),
        7 => query("/export.bundle"),
        8 => act("acknowledge"),
        9 => act("instruction"),
        10 => act("note"),
        _ => act("checklist"),
    };
    let Ok(request) = request else {
        return;
    };
    let status = web
        .rt
        .block_on(async { web.app.clone().oneshot(request).await })
        .map(|r| r.status())
        .unwrap_or(StatusCode::OK);
    assert_ne!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "input {pick} {input:?}"
    );
}
