//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod admin;
pub mod browser;
pub mod catalogue;
pub mod city;
pub mod city_world;
pub mod config;
#[cfg(feature = "simulate")]
pub mod deployment;
pub mod hub;
pub mod kiosk;
pub mod loopback;
pub mod smtp;
pub mod xvfb;

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::io::Cursor;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use threshold::app::{Clock, Desk};
use threshold::config::Loaded;

/// The `threshold` binary built for these tests, speaking English
/// whatever the machine's locale (the CLI speaks the operator's language).
/// A loopback port nothing listens on, for a server a test starts in
/// another process. Taken below the kernel's ephemeral range (32768 and
/// up here), where the operating system picks ports for outgoing
/// connections: a port the kernel handed out and released could be taken
/// by any test's outgoing connection before the server binds it (the
/// deployment test's hub once found its port so taken on CI). Each call
/// of a test binary gets another port; the first one free from there is
/// returned.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FROM: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(7919);
    for _ in 0..SPAN {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (FROM + start.wrapping_add(n) % SPAN) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port from {FROM} to {}", FROM + SPAN)
}

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threshold"));
    for var in ["LC_ALL", "LC_MESSAGES", "LANGUAGE"] {
        cmd.env_remove(var);
    }
    cmd.env("LANG", "C.UTF-8");
    cmd
}

/// Run the CLI against `data_dir` with the demo config.
pub fn cli(data_dir: &Path, args: &[&str]) -> Output {
    cli_in("C.UTF-8", data_dir, args)
}

/// Run the CLI against `data_dir` with the demo config under `locale`.
pub fn cli_in(locale: &str, data_dir: &Path, args: &[&str]) -> Output {
    bin()
        .env("LANG", locale)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("THRESHOLD_CONFIG")
        .output()
        .expect("the threshold binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small valid PNG of a "page", different for each `seed`.
pub fn png(seed: u8) -> Vec<u8> {
    let img = image::GrayImage::from_fn(64, 90, |x, y| {
        image::Luma([((x * 3 + y * 5) as u8).wrapping_add(seed)])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A clock the test moves by hand (shared by a desk and a dispatcher).
#[derive(Clone)]
pub struct TestClock(pub Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn at(y: i32, m: u32, d: u32, h: u32) -> TestClock {
        TestClock(Arc::new(Mutex::new(
            Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap(),
        )))
    }
    /// Starting now, for tests where another process records with the real clock.
    pub fn real_now() -> TestClock {
        TestClock(Arc::new(Mutex::new(Utc::now())))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A desk on the demo config in `dir`, driven by `clock`.
pub fn desk(dir: &Path, clock: TestClock) -> Desk<TestClock> {
    Desk::open(Loaded::demo(), dir, clock).unwrap()
}

/// Number of journal entries in the data dir's database.
pub fn journal_len(dir: &Path) -> i64 {
    let db = dir.join("threshold.db");
    if !db.exists() {
        return 0;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))
        .unwrap()
}

/// The demo config with every contact reachable by webhook at `base_url`
/// (`{base_url}/<role>/<n>`), signed with the secret `test-secret`; written
/// to `dir/alerting.toml` (with `webhook.secret` beside it) and loaded.
pub fn alerting_config(dir: &Path, base_url: &str, extra: &str) -> Loaded {
    let mut text = threshold::config::DEMO_CONFIG.to_string();
    let mut n = 0;
    for role in ["designated-staff", "counsel", "manager", "rapid-response"] {
        let needle = format!("role = \"{role}\"\n");
        let mut out = String::new();
        for (i, part) in text.split(&needle).enumerate() {
            if i > 0 {
                n += 1;
                out.push_str(&needle);
                out.push_str(&format!("webhook = \"{base_url}/{role}/{n}\"\n"));
            }
            out.push_str(part);
        }
        text = out;
    }
    text.push_str(
        "\n[alerts.webhook]\nsecret_file = \"webhook.secret\"\nstyle = \"plain\"\ntimeout_s = 2\n",
    );
    text.push_str(extra);
    std::fs::write(dir.join("webhook.secret"), "test-secret\n").unwrap();
    std::fs::write(dir.join("alerting.toml"), &text).unwrap();
    Loaded::from_file(&dir.join("alerting.toml")).unwrap()
}

/// A desk on `loaded` in `dir`, driven by `clock`.
pub fn desk_with(dir: &Path, loaded: Loaded, clock: TestClock) -> Desk<TestClock> {
    Desk::open(loaded, dir, clock).unwrap()
}

/// A dispatcher with the configured channels over `dir`'s record (its own
/// writer, as another process would have).
pub fn dispatcher(
    dir: &Path,
    loaded: &Loaded,
    clock: TestClock,
) -> threshold::alerts::Dispatcher<threshold::alerts::Channels, TestClock> {
    let record = threshold::store::Record::open(dir, &loaded.config.facility.id).unwrap();
    let health = threshold::devices::health::Health::default();
    let channels = threshold::alerts::Channels::from_config(loaded, &health);
    threshold::alerts::Dispatcher::new(loaded.clone(), record, channels, clock).unwrap()
}

/// A private CA and a certificate for `localhost` and 127.0.0.1 signed by
/// it (rcgen, ECDSA P-256): (ca.pem, server.pem, server.key); the CA's key
/// is beside them as ca.key.
pub fn private_ca(
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "Threshold Test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_key_pem = ca_key.serialize_pem();
    let ca = CertifiedIssuer::self_signed(ca, ca_key).unwrap();
    let mut server =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    server
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    server.is_ca = IsCa::ExplicitNoCa;
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let cert = server.signed_by(&key, &ca).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.join("ca.key"), ca_key_pem).unwrap();
    std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

/// The text of a PDF, laid out (`pdftotext -layout`); None (said on
/// stderr) when poppler-utils is not installed here, which under CI is a
/// failure, since `.ci/run` installs it.
pub fn pdf_text(file: &Path) -> Option<String> {
    poppler("pdftotext", &["-layout", "-enc", "UTF-8"], file, &["-"])
}

/// `pdfinfo` of a PDF (its page size among the rest); None as for
/// [`pdf_text`].
pub fn pdf_info(file: &Path) -> Option<String> {
    poppler("pdfinfo", &[], file, &[])
}

fn poppler(tool: &str, before: &[&str], file: &Path, after: &[&str]) -> Option<String> {
    match Command::new(tool)
        .args(before)
        .arg(file)
        .args(after)
        .output()
    {
        Ok(o) => {
            assert!(o.status.success(), "{tool}: {}", stderr(&o));
            Some(stdout(&o))
        }
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{tool} is needed under CI (`apt-get install poppler-utils`): {e}"
            );
            eprintln!("skipping the report's text: {tool} is not installed ({e})");
            None
        }
    }
}

/// `threshold --json checkin official ARGS...` against `data_dir`; the new
/// encounter's reference.
pub fn checkin_official(data_dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--json", "checkin", "official"];
    all.extend_from_slice(args);
    let o = cli(data_dir, &all);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// What the language tests' encounter records as people gave it: counsel's
/// instruction, a staff note and a legal hold's reason.
pub const RECORDED: [&str; 3] = [
    "Keep them in the lobby",
    "Waited calmly near the door",
    "Case 24-118",
];

/// The people the language tests' encounter names.
pub const NAMES: [&str; 5] = ["Dana Whitfield", "Rosa Delgado", "Trần Bảo", "Lê Vy", "DHS"];

/// An encounter with everything a report prints, opened from the CLI in
/// `data_dir`: two officers (one without a badge), a page and a badge
/// photo, an acknowledgement by counsel, one checklist answer (the other
/// questions unanswered), an instruction, a note, an outcome and a legal
/// hold; closed when `close`.
pub fn full_encounter(data_dir: &Path, close: bool) -> String {
    let page = data_dir.join("p1.png");
    std::fs::write(&page, png(1)).unwrap();
    let page = page.to_str().unwrap();
    let id = checkin_official(
        data_dir,
        &[
            "--officer",
            "Trần Bảo;;DHS",
            "--officer",
            "Lê Vy;4471;DHS",
            "--document-kind",
            "administrative-warrant",
            "--page",
            page,
        ],
    );
    let (dana, rosa) = ("Dana Whitfield", "Rosa Delgado");
    let mut steps: Vec<Vec<&str>> = vec![
        vec![
            "encounter",
            "page",
            &id,
            "--page",
            page,
            "--kind",
            "badge",
            "--by",
            dana,
        ],
        vec!["encounter", "ack", &id, "--by", rosa],
        vec![
            "encounter",
            "checklist",
            &id,
            "--item",
            "signed-by-judge",
            "--answer",
            "no",
            "--by",
            dana,
        ],
        vec![
            "encounter",
            "instruct",
            &id,
            "--text",
            RECORDED[0],
            "--by",
            rosa,
        ],
        vec![
            "encounter",
            "note",
            &id,
            "--text",
            RECORDED[1],
            "--by",
            dana,
        ],
        vec![
            "encounter",
            "decide",
            &id,
            "--outcome",
            "waited-in-public-area",
            "--by",
            dana,
        ],
        vec![
            "hold",
            "place",
            "--encounter",
            &id,
            "--reason",
            RECORDED[2],
            "--by",
            rosa,
        ],
    ];
    if close {
        steps.push(vec!["encounter", "close", &id, "--by", dana]);
    }
    for args in steps {
        let o = cli(data_dir, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    id
}

/// The English label the profile gives document `kind` (as the kiosk
/// shows it).
pub fn document_label(loaded: &Loaded, kind: threshold::domain::document::DocumentKind) -> String {
    loaded
        .profile
        .documents
        .iter()
        .find(|d| d.kind == kind)
        .map(|d| d.label.en.clone())
        .unwrap_or_else(|| panic!("the profile has no {kind:?}"))
}

/// Recompute every journal hash from the first entry, as someone with the
/// box's files (and this project's source) can after editing a row.
pub fn rehash_journal(conn: &rusqlite::Connection) {
    use threshold::domain::chain::{chain_hash, GENESIS};
    let rows: Vec<(i64, String, String, String, String, String)> = conn
        .prepare("SELECT seq, at, facility, kind, subject, body FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = GENESIS;
    for (seq, at, facility, kind, subject, body) in rows {
        let hash = chain_hash(&prev, seq, &at, &facility, &kind, &subject, &body);
        conn.execute(
            "UPDATE journal SET hash = ?1 WHERE seq = ?2",
            rusqlite::params![hash.to_vec(), seq],
        )
        .unwrap();
        prev = hash;
    }
}
