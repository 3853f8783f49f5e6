//! The command line as users and scripts meet it: help, exit codes, JSON,
//! bad input that writes nothing, and exports.

mod common;

use common::*;
use std::path::Path;

/// Check a visitor in through the CLI; returns the reference.
fn check_in_visitor(d: &Path, extra: &[&str]) -> String {
    let mut args = vec!["--json", "checkin", "visitor"];
    args.extend_from_slice(extra);
    id_of(&cli(d, &args))
}

fn id_of(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", stderr(out));
    let v: serde_json::Value = serde_json::from_str(stdout(out).trim()).unwrap();
    v["id"].as_str().unwrap().to_string()
}

#[test]
fn help_explains_every_command_and_usage_errors_exit_2() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = stdout(&out);
    for cmd in [
        "run",
        "checkin",
        "encounter",
        "log",
        "purge",
        "config",
        "--data-dir",
        "--json",
        "Exit codes",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}");
    }
    let enc = stdout(&bin().args(["encounter", "--help"]).output().unwrap());
    for cmd in [
        "list",
        "show",
        "ack",
        "decide",
        "close",
        "checklist",
        "note",
        "instruct",
        "page",
    ] {
        assert!(enc.contains(cmd), "encounter --help lacks {cmd}");
    }
    assert_eq!(
        bin().arg("frobnicate").output().unwrap().status.code(),
        Some(2)
    );
    assert_eq!(
        bin()
            .args(["checkin", "visitor"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn bad_official_input_gives_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.png");
    std::fs::write(&good, png(1)).unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not an image").unwrap();
    let cut = dir.path().join("cut.png");
    std::fs::write(&cut, &png(2)[..60]).unwrap();
    let data = dir.path().join("data");
    let g = good.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["--document-kind", "i-200", "--page", g],
            "unknown document kind `i-200`",
        ),
        (
            &["--document-kind", "none", "--page", "/nonexistent/p1.png"],
            "/nonexistent/p1.png: cannot read",
        ),
        (
            &[
                "--document-kind",
                "none",
                "--page",
                g,
                "--page",
                text.to_str().unwrap(),
            ],
            "not a PNG or JPEG",
        ),
        (
            &["--document-kind", "none", "--page", cut.to_str().unwrap()],
            "cannot be decoded",
        ),
        (
            &["--document-kind", "none", "--issued", "27/11/2026"],
            "--issued: found `27/11/2026`",
        ),
        (
            &["--document-kind", "none", "--area", "Roof"],
            "unknown area `Roof`",
        ),
    ];
    for (args, says) in cases {
        let out = bin()
            .arg("--data-dir")
            .arg(&data)
            .args(["checkin", "official", "--officer", "A. Ruiz;4471;ICE"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert_eq!(journal_len(&data), 0, "{args:?} wrote to the journal");
        let pages = data.join("pages");
        let files = if pages.exists() {
            std::fs::read_dir(&pages).unwrap().count()
        } else {
            0
        };
        assert_eq!(files, 0, "{args:?} left a page file");
    }
    let out = cli(
        &data,
        &[
            "checkin",
            "official",
            "--officer",
            "A. Ruiz",
            "--document-kind",
            "none",
        ],
    );
    assert!(
        stderr(&out).contains("\"Name;Badge;Agency\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_encounter_lifecycle_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let page = d.join("p.png");
    std::fs::write(&page, png(3)).unwrap();
    let p = page.to_str().unwrap();
    let id = id_of(&cli(
        d,
        &[
            "--json",
            "checkin",
            "official",
            "--officer",
            "Ana Ruiz;4471;ICE ERO",
            "--officer",
            "Ben Cole;;HSI",
            "--document-kind",
            "judicial-search-warrant",
            "--page",
            p,
            "--court",
            "N.D. Cal.",
            "--judge",
            "Hon. A. Kim",
            "--issued",
            "2026-11-20",
            "--expires",
            "2026-12-04",
            "--area",
            "Workroom",
            "--drill",
        ],
    ));
    assert!(id.starts_with("E-"));
    let out = cli(
        d,
        &[
            "encounter",
            "decide",
            &id,
            "--outcome",
            "records-produced",
            "--by",
            "Dana",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs counsel's acknowledgement first"),
        "{}",
        stderr(&out)
    );
    assert!(cli(d, &["encounter", "ack", &id, "--by", "Rosa Delgado"])
        .status
        .success());
    assert!(cli(d, &["encounter", "page", &id, "--page", p])
        .status
        .success());
    // Evidence beside the document: a photo of a badge, with who took it.
    let badge = [
        "encounter",
        "page",
        &id,
        "--page",
        p,
        "--kind",
        "badge",
        "--by",
        "Dana",
    ];
    assert!(cli(d, &badge).status.success());
    let wrong = cli(
        d,
        &["encounter", "page", &id, "--page", p, "--kind", "selfie"],
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("expected one of document-page, badge, other"),
        "{}",
        stderr(&wrong)
    );
    let out = cli(
        d,
        &[
            "--json",
            "encounter",
            "decide",
            &id,
            "--outcome",
            "access-judicial-warrant",
            "--by",
            "Dana",
        ],
    );
    assert!(
        stdout(&out).contains("counsel-acknowledged"),
        "{}",
        stdout(&out)
    );
    assert!(cli(d, &["encounter", "close", &id, "--by", "Dana"])
        .status
        .success());
    let list = stdout(&cli(d, &["--json", "encounter", "list", "--open"]));
    assert_eq!(list.trim(), "[]");
    let show = stdout(&cli(d, &["encounter", "show", &id]));
    for s in [
        "[DRILL]",
        "Officers: Ana Ruiz (Badge: 4471, Agency: ICE ERO)",
        "Ben Cole (Badge: not given, Agency: HSI)",
        "Workroom (non-public)",
        "N.D. Cal.",
        "Page 2, document page",
        "Page 3, badge or card · photographed by Dana",
        "Page 3 photographed by Dana: badge or card",
        "Rosa Delgado (city counsel, the command line)",
        "[signed-by-judge] Is it signed by a judge or magistrate judge? not answered",
    ] {
        assert!(show.contains(s), "show lacks {s}:\n{show}");
    }
    let out = cli(d, &["encounter", "show", "E-NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no encounter `E-NOPE`"));
}

fn export(d: &Path, args: &[&str]) -> String {
    let mut all = vec!["log", "export"];
    all.extend_from_slice(args);
    let out = cli(d, &all);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn exports_in_csv_and_jsonl_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    check_in_visitor(
        d,
        &["--purpose", "program", "--name", "Mai", "--lang", "vi"],
    );
    check_in_visitor(
        d,
        &["--purpose", "appointment", "--host", "=HYPERLINK(\"x\")"],
    );
    id_of(&cli(
        d,
        &[
            "--json",
            "checkin",
            "official",
            "--officer",
            "A;1;ICE",
            "--document-kind",
            "none",
        ],
    ));
    let csv = export(d, &["--format", "csv"]);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[0], "kind");
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&records[0][col("name")], "Mai");
    assert_eq!(&records[0][col("language")], "vi");
    assert!(
        records[1][col("host")].starts_with("'="),
        "a formula must not reach a spreadsheet: {csv}"
    );
    assert_eq!(&records[2][col("kind")], "encounter");
    assert!(records[0][col("local_time")].ends_with("PST"), "{csv}");

    let jsonl = export(
        d,
        &[
            "--format",
            "jsonl",
            "--kind",
            "visitor",
            "--purpose",
            "program",
        ],
    );
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["name"], "Mai");
    assert_eq!(
        export(
            d,
            &[
                "--kind",
                "encounter",
                "--from",
                "2000-01-01",
                "--to",
                "2000-01-02"
            ]
        )
        .lines()
        .count(),
        1
    );

    let out_file = d.join("log.csv");
    let out = cli(d, &["log", "export", "--out", out_file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("exported 3 rows to"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), csv);

    let out = cli(
        d,
        &[
            "log",
            "export",
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("before --from"));
    let out = cli(d, &["log", "export", "--to", "262143-12-31"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = cli(d, &["log", "export", "--purpose", "immigration"]);
    assert!(stderr(&out).contains("unknown purpose"), "{}", stderr(&out));
    let out = cli(d, &["log", "export", "--out", "/nonexistent/dir/log.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(said.contains("/nonexistent/dir/log"), "{said}");
}

#[test]
fn purge_and_verify_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    check_in_visitor(d, &["--purpose", "program", "--name", "Mai"]);
    let said = stdout(&cli(d, &["purge", "--dry-run"]));
    let head = "would purge (nothing was changed):\n  visitor check-ins before ";
    assert!(said.starts_with(head) && said.contains("Z: 0\n"), "{said}");
    let out = cli(d, &["--json", "log", "verify"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["entries"], 1);
    assert_eq!(v["head_seq"], 1);
    assert_eq!(v["head_hash"].as_str().unwrap().len(), 64);
}

#[test]
fn run_without_a_display_says_so_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    // The demo config, listening on a free port.
    let config = dir.path().join("demo.toml");
    let text = format!(
        "{}\n[admin]\nlisten = \"127.0.0.1:0\"\n",
        threshold::config::DEMO_CONFIG
    );
    std::fs::write(&config, text).unwrap();
    let mut child = bin()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path())
        .arg("run")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("no display") && first.contains("headless"),
        "{first}"
    );
    // Wait for the service loop to be up (its first retention run is logged).
    let mut seen = vec![first];
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("retention ran");
        seen.push(line);
        if done {
            break;
        }
    }
    assert!(seen.iter().any(|l| l.contains("retention ran")), "{seen:?}");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit {exit:?}; {rest:?}");
    assert!(rest.iter().any(|l| l.contains("stopping")), "{rest:?}");
    assert!(!rest.iter().any(|l| l.contains("panicked")), "{rest:?}");
}

#[test]
fn a_damaged_database_is_named_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("threshold.db"), "x".repeat(4096)).unwrap();
    let out = cli(dir.path(), &["checkin", "visitor", "--purpose", "program"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("threshold.db is damaged or is not a SQLite database"),
        "{err}"
    );
    assert!(err.contains("restore it from a backup"), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.contains("built-in demo configuration"))
        .collect();
    assert_eq!(lines.len(), 1, "one clear line: {err}");
}

#[test]
fn without_config_the_cli_says_it_uses_the_demo_and_honours_threshold_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &["encounter", "list"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("using the built-in demo configuration"))
            .count(),
        1,
        "{err}"
    );
    // $THRESHOLD_CONFIG is used (the example, beside its secrets).
    let example = include_str!("../deploy/threshold.example.toml");
    let config = dir.path().join("site.toml");
    std::fs::write(&config, example).unwrap();
    let out = bin()
        .arg("--data-dir")
        .arg(dir.path().join("site-data"))
        .args(["config", "check"])
        .env("THRESHOLD_CONFIG", &config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("built-in demo"), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("San José City Hall"),
        "{}",
        stdout(&out)
    );
}

/// The name this test process runs as, from /etc/passwd.
fn os_user_name() -> String {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").unwrap().uid();
    std::fs::read_to_string("/etc/passwd")
        .unwrap()
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.get(2)?.parse::<u32>().ok()? == uid).then(|| f[0].to_string())
        })
        .unwrap()
}

#[test]
fn reading_the_record_on_the_command_line_is_journaled_with_the_system_user() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    check_in_visitor(d, &["--purpose", "program", "--name", "Lan"]);
    let id = id_of(&cli(
        d,
        &[
            "--json",
            "checkin",
            "official",
            "--officer",
            "Ana Ruiz;4471;ICE ERO",
            "--document-kind",
            "none",
        ],
    ));
    let out = cli(d, &["encounter", "show", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let me = os_user_name();
    // The view is in the timeline it prints.
    assert!(
        stdout(&out).contains(&format!("{me} (command line) viewed the encounter record")),
        "{}",
        stdout(&out)
    );
    let pdf = d.join("r.pdf");
    assert!(cli(
        d,
        &["encounter", "report", &id, "--out", pdf.to_str().unwrap()]
    )
    .status
    .success());
    let out = cli(d, &["log", "export", "--kind", "visitor"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("Lan"));
    let conn = rusqlite::Connection::open(d.join("threshold.db")).unwrap();
    let views: Vec<(String, String)> = conn
        .prepare("SELECT subject, body FROM journal WHERE kind = 'web.viewed' ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(views.len(), 3, "{views:?}");
    for (_, body) in &views {
        assert!(
            body.contains(&format!("\"user\":\"{me}\"")) && body.contains("\"via\":\"cli\""),
            "{body}"
        );
        assert!(!body.contains("\"role\""), "{body}");
    }
    assert_eq!(views[0].0, id);
    assert!(views[0].1.contains("\"what\":\"encounter\""));
    assert!(views[1].1.contains("\"what\":\"report\""));
    assert_eq!(views[2].0, "log");
    assert!(
        views[2].1.contains("format=csv kind=visitor"),
        "{}",
        views[2].1
    );
    // An unknown encounter journals nothing.
    assert_eq!(
        cli(d, &["encounter", "show", "E-NOSUCH01"]).status.code(),
        Some(1)
    );
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM journal WHERE kind = 'web.viewed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 3);
}
