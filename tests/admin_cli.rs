//! The admin web's command-line side and HTTPS: `user add|passwd|list`,
//! `log bundle` and `log verify --bundle` (a tampered bundle fails, on a
//! machine without the database), `encounter report`, and the server over
//! rustls with a private CA.

mod common;

use common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

/// Run the CLI with `input` on standard input (not a terminal).
fn cli_in(data_dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("THRESHOLD_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn accounts_are_created_listed_and_re_passworded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = cli_in(
        d,
        &["user", "add", "rosa", "--role", "counsel"],
        "a good long passphrase\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("account rosa (counsel) created"));
    let o = cli_in(
        d,
        &["user", "add", "rosa", "--role", "manager"],
        "another long passphrase\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("already exists") && stderr(&o).contains("user passwd rosa"),
        "{}",
        stderr(&o)
    );
    let o = cli_in(d, &["user", "add", "dana", "--role", "manager"], "short\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("use at least 12"), "{}", stderr(&o));
    let o = cli_in(
        d,
        &["user", "add", "Dana Smith", "--role", "manager"],
        "a good long passphrase\n",
    );
    assert!(stderr(&o).contains("lower-case letters"), "{}", stderr(&o));
    let o = cli_in(d, &["user", "passwd", "nobody"], "a good long passphrase\n");
    assert!(
        stderr(&o).contains("no account named `nobody`"),
        "{}",
        stderr(&o)
    );
    let o = cli_in(d, &["user", "passwd", "rosa"], "a new long passphrase\n");
    assert!(
        o.status.success() && stdout(&o).contains("sessions have ended"),
        "{}",
        stderr(&o)
    );
    let o = cli(d, &["--json", "user", "list"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        list,
        serde_json::json!([{ "name": "rosa", "role": "counsel", "password_set": true, "disabled": false }])
    );
    // Disabled, re-roled, enabled, removed: each journaled with who did it.
    for (args, says) in [
        (vec!["user", "disable", "rosa"], "account rosa disabled"),
        (
            vec!["user", "role", "rosa", "--role", "manager"],
            "account rosa is now manager",
        ),
        (vec!["user", "enable", "rosa"], "account rosa enabled"),
        (vec!["user", "remove", "rosa"], "account rosa removed"),
    ] {
        let o = cli(d, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains(says), "{args:?}: {}", stdout(&o));
    }
    let o = cli(d, &["user", "disable", "nobody"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no account named `nobody`"),
        "{}",
        stderr(&o)
    );
    let conn = rusqlite::Connection::open(d.join("threshold.db")).unwrap();
    let kinds: Vec<(String, String)> = conn
        .prepare("SELECT kind, body FROM journal WHERE subject = 'user:rosa' ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<&str> = kinds
        .iter()
        .inspect(|(k, b)| {
            if k != "user.added" && k != "user.password-changed" {
                assert!(b.contains("\"by\":\""), "{k}: {b}");
            }
        })
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "user.added",
            "user.password-changed",
            "user.disabled",
            "user.role-changed",
            "user.enabled",
            "user.removed"
        ]
    );
    let o = cli(d, &["--json", "user", "list"]);
    assert_eq!(stdout(&o).trim(), "[]");
    let v = cli(d, &["log", "verify"]);
    assert!(v.status.success(), "{}", stdout(&v));
    // The password itself is nowhere in the database or the journal.
    let db = std::fs::read(d.join("threshold.db")).unwrap();
    assert!(!db.windows(9).any(|w| w == b"a new lon"));
    let o = cli(d, &["log", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn a_bundle_verifies_elsewhere_and_a_tampered_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["Lan", "Bo"] {
        assert!(cli(
            d,
            &["checkin", "visitor", "--purpose", "program", "--name", name]
        )
        .status
        .success());
    }
    let o = cli(
        d,
        &[
            "checkin",
            "official",
            "--officer",
            "Ana Ruiz;4471;ICE",
            "--document-kind",
            "administrative-warrant",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bundle = d.join("export.bundle.jsonl");
    let o = cli(d, &["log", "bundle", "--out", bundle.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let key = stdout(&cli(d, &["log", "key"]))
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(key.len(), 64);
    // Another machine: no database, no data folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let nothing = elsewhere.path().join("no-data-here");
    let o = cli(
        &nothing,
        &[
            "log",
            "verify",
            "--bundle",
            bundle.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("result     intact"), "{}", stdout(&o));
    assert!(
        !nothing.exists(),
        "verifying a bundle created a data folder"
    );
    // One character changed in one entry.
    let text = std::fs::read_to_string(&bundle).unwrap();
    let tampered = elsewhere.path().join("tampered.jsonl");
    let changed = text.replacen(
        "\\\"purpose\\\":\\\"program\\\"",
        "\\\"purpose\\\":\\\"services\\\"",
        1,
    );
    assert_ne!(changed, text);
    std::fs::write(&tampered, changed).unwrap();
    let o = cli(
        &nothing,
        &[
            "log",
            "verify",
            "--bundle",
            tampered.to_str().unwrap(),
            "--key",
            &key,
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("NOT INTACT") && stdout(&o).contains("altered"),
        "{}",
        stdout(&o)
    );
    // A line dropped.
    let dropped: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(&tampered, dropped.join("\n")).unwrap();
    let o = cli(
        &nothing,
        &[
            "--json",
            "log",
            "verify",
            "--bundle",
            tampered.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(!report["problems"].as_array().unwrap().is_empty());
    // Signed by some other key than the facility's.
    let other = "00".repeat(32);
    let o = cli(
        &nothing,
        &[
            "log",
            "verify",
            "--bundle",
            bundle.to_str().unwrap(),
            "--key",
            &other,
        ],
    );
    assert_eq!(o.status.code(), Some(3));
    // A missing file is an error naming it, not a verification result.
    let o = cli(
        &nothing,
        &["log", "verify", "--bundle", "/nonexistent/b.jsonl"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--bundle: cannot open /nonexistent/b.jsonl"));
}

#[test]
fn an_encounter_report_is_a_pdf_with_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (p1, p2) = (d.join("p1.png"), d.join("p2.png"));
    std::fs::write(&p1, png(1)).unwrap();
    std::fs::write(&p2, png(2)).unwrap();
    let o = cli(
        d,
        &[
            "--json",
            "checkin",
            "official",
            "--officer",
            "Trần Bảo;;DHS 国土安全部",
            "--document-kind",
            "judicial-search-warrant",
            "--page",
            p1.to_str().unwrap(),
            "--page",
            p2.to_str().unwrap(),
        ],
    );
    let id = serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = d.join("report.pdf");
    let o = cli(
        d,
        &[
            "encounter",
            "report",
            &id,
            "--out",
            out.to_str().unwrap(),
            "--lang",
            "vi",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n") || pdf.ends_with(b"%%EOF"));
    // The first page of text and one page per document page.
    let pages = pdf
        .windows(10)
        .filter(|w| w == b"/Type /Pag" || w == b"/Type/Page")
        .count();
    assert!(pages >= 3, "{pages} page objects");
    // Fonts are embedded (subset), so Vietnamese and Chinese print anywhere.
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("+NotoSans-Regular") && text.contains("+NotoSansSC-Regular"));
    // US Letter, and what counsel files reads whole: every question of the
    // search warrant's checklist, unanswered ones marked; a badge not given
    // says so; nobody paged says so (the demo has no channel set up).
    let Some(info) = pdf_info(&out) else {
        return;
    };
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    let words = pdf_text(&out).unwrap();
    assert_eq!(words.matches("chưa trả lời").count(), 5, "{words}");
    assert!(
        words.contains("Số hiệu: không cung cấp · Cơ quan: DHS 国土安全部"),
        "{words}"
    );
    assert!(!words.contains("Số hiệu:  ·"), "{words}");
    assert!(
        words.contains("Không ai được báo về lần tiếp xúc này."),
        "{words}"
    );
    // An answer prints in words with who gave it and when.
    let answered = cli(
        d,
        &[
            "encounter",
            "checklist",
            &id,
            "--item",
            "signed-by-judge",
            "--answer",
            "no",
            "--by",
            "Dana",
        ],
    );
    assert!(answered.status.success(), "{}", stderr(&answered));
    let o = cli(
        d,
        &["encounter", "report", &id, "--out", out.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let words = pdf_text(&out).unwrap();
    assert!(words.contains("No · Dana · "), "{words}");
    // The policy the door showed, how to check the report, and the
    // custodian's certification with lines to sign.
    for part in [
        "The policy shown at the door",
        "Everyone is welcome here.",
        "How to check this report",
        "--against SEQ:HASH",
        "Custodian's certification",
        "Custodian (name and title)",
    ] {
        assert!(words.contains(part), "{part} missing:\n{words}");
    }
    assert_eq!(words.matches("not answered").count(), 4, "{words}");
    // A4 when the config says so.
    let config = d.join("a4.toml");
    std::fs::write(
        &config,
        format!(
            "{}\n[report]\npaper = \"a4\"\n",
            threshold::config::DEMO_CONFIG
        ),
    )
    .unwrap();
    let o = cli(
        d,
        &[
            "--config",
            config.to_str().unwrap(),
            "encounter",
            "report",
            &id,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let info = pdf_info(&out).unwrap();
    assert!(info.contains("595 x 842 pts (A4)"), "{info}");
    let o = cli(
        d,
        &[
            "encounter",
            "report",
            "E-NOSUCH01",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = cli(
        d,
        &[
            "encounter",
            "report",
            &id,
            "--out",
            out.to_str().unwrap(),
            "--lang",
            "fr",
        ],
    );
    assert!(stderr(&o).contains("--lang: found `fr`"));
}

#[tokio::test]
async fn the_server_speaks_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_ca(dir.path());
    let tls = threshold::admin::serve::tls_config(&cert, &key).unwrap();
    let w = common::admin::AdminWorld::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(threshold::admin::serve(
        listener,
        w.app(),
        Some(tls),
        threshold::admin::serve::Gate::new(Vec::new()),
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap())
        .build()
        .unwrap();
    let r = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "ok");
    let r = client
        .get(format!("https://localhost:{port}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Plain HTTP on the HTTPS port gets nothing.
    assert!(reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .is_err());
    // Wrong files are named with the key to fix.
    let err =
        threshold::admin::serve::tls_config(&dir.path().join("missing.pem"), &key).unwrap_err();
    assert!(
        err.to_string().contains("[admin] tls_cert") && err.to_string().contains("missing.pem"),
        "{err}"
    );
    let err = threshold::admin::serve::tls_config(&cert, &cert).unwrap_err();
    assert!(err.to_string().contains("[admin] tls_key"), "{err}");
    let err = threshold::admin::serve::tls_config(&cert, &ca.with_file_name("ca.key")).unwrap_err();
    assert!(err.to_string().contains("do not belong together"), "{err}");
}
