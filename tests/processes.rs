//! Several processes at once, and `kill -9` in the middle of check-ins.

mod common;

use common::*;
use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

fn stored_ids(dir: &std::path::Path) -> HashSet<String> {
    let conn = rusqlite::Connection::open(dir.join("threshold.db")).unwrap();
    let mut stmt = conn.prepare("SELECT id FROM checkins").unwrap();
    let ids = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<HashSet<String>, _>>()
        .unwrap();
    ids
}

fn seqs(dir: &std::path::Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(dir.join("threshold.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT seq FROM journal ORDER BY seq")
        .unwrap();
    let v = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<i64>, _>>()
        .unwrap();
    v
}

/// A shell loop of `n` check-ins printing each reported id.
fn loop_of_checkins(dir: &std::path::Path, n: usize, out: &std::path::Path) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(format!(
            "i=0; while [ $i -lt {n} ]; do \"$BIN\" --json --data-dir \"$DIR\" checkin visitor --purpose program --name Lan || exit 1; i=$((i+1)); done"
        ))
        .env("BIN", env!("CARGO_BIN_EXE_threshold"))
        .env("DIR", dir)
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::null());
    c
}

fn reported_ids(out: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .filter(|l| l.ends_with('}'))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn two_processes_checking_in_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Create the store first so both loops race on check-ins, not on setup.
    assert!(cli(dir.path(), &["log", "verify"]).status.success());
    let outs = [dir.path().join("a.out"), dir.path().join("b.out")];
    let mut children: Vec<_> = outs
        .iter()
        .map(|o| loop_of_checkins(dir.path(), 40, o).spawn().unwrap())
        .collect();
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    let reported: HashSet<String> = outs.iter().flat_map(|o| reported_ids(o)).collect();
    assert_eq!(reported.len(), 80);
    assert_eq!(stored_ids(dir.path()), reported);
    assert_eq!(
        seqs(dir.path()),
        (1..=80).collect::<Vec<_>>(),
        "the chain is linear"
    );
    let v = cli(dir.path(), &["log", "verify"]);
    assert!(v.status.success(), "{}", stdout(&v));
}

#[test]
fn kill_9_during_check_ins_keeps_every_reported_one() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cli(dir.path(), &["log", "verify"]).status.success());
    let mut reported = HashSet::new();
    let mut killed = 0;
    // Check-ins one after another; after a varying delay the running one is
    // sent SIGKILL, wherever it is: opening, inside the transaction, at the
    // commit's fsync, or printing.
    for delay_us in [
        0u64, 500, 1_000, 2_000, 3_000, 5_000, 8_000, 13_000, 21_000, 34_000,
    ] {
        for _ in 0..3 {
            let child = bin()
                .args(["--json", "--data-dir"])
                .arg(dir.path())
                .args([
                    "checkin",
                    "visitor",
                    "--purpose",
                    "program",
                    "--name",
                    "Lan",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_micros(delay_us));
            // Only this one process, by its own pid.
            let _ = Command::new("kill")
                .args(["-KILL", &child.id().to_string()])
                .stderr(Stdio::null())
                .status();
            let out = child.wait_with_output().unwrap();
            if out.status.success() {
                let line = String::from_utf8_lossy(&out.stdout);
                let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
                reported.insert(v["id"].as_str().unwrap().to_string());
            } else {
                killed += 1;
            }
        }
    }
    assert!(killed > 0, "no process was killed mid-way");
    let stored = stored_ids(dir.path());
    let lost: Vec<_> = reported.difference(&stored).collect();
    assert!(lost.is_empty(), "reported but lost: {lost:?}");
    assert!(stored.len() <= reported.len() + killed);
    let v = cli(dir.path(), &["log", "verify"]);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));
    // And the store still takes check-ins.
    assert!(
        cli(dir.path(), &["checkin", "visitor", "--purpose", "program"])
            .status
            .success()
    );
}
