//! The city hub with real PostgreSQL servers and real processes: kiosks
//! (`threshold run`) shipping to hubs (`threshold hub`) on one database,
//! a hub killed mid-batch and the database restarted, a kiosk offline for
//! 10,000 entries, a rewritten record, and batches that must be refused.
#![cfg(feature = "simulate")]

mod common;

use common::hub::*;
use std::time::Duration;
use threshold::domain::chain::{chain_hash, GENESIS};
use threshold::domain::shipping::{Batch, WireEntry};

const SOON: Duration = Duration::from_secs(60);

/// `i` in letters (names are letters only): 0 → "a", 27 → "bb".
fn letters(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            return s;
        }
    }
}

/// Every kiosk's journal is on the hub exactly: each entry once, in order,
/// every column and hash as stored, the chain continuous from seq 1.
fn same_record(pg: &Pg, k: &Kiosk, config: &std::path::Path) {
    let theirs = k.journal();
    let hubs = pg.entries(&k.id);
    assert_eq!(hubs.len(), theirs.len(), "{}: entry count", k.id);
    for (i, (a, b)) in theirs.iter().zip(&hubs).enumerate() {
        assert_eq!(a, b, "{}: entry {}", k.id, i + 1);
        assert_eq!(b.0, i as i64 + 1, "{}: seqs continuous", k.id);
    }
    let out = hub_cli(config, &["verify", &k.id]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "hub verify {}: {}",
        k.id,
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn three_kiosks_two_hubs_a_killed_hub_and_a_restarted_database_lose_nothing() {
    let pg = Pg::start();
    let hubs = open_tempdir();
    let (port_a, port_b) = (free_port(), free_port());
    let config_a = hub_config(hubs.path(), "hub-a", &pg.url(), port_a);
    let config_b = hub_config(hubs.path(), "hub-b", &pg.url(), port_b);
    let public = hub_key(&config_a);
    let mut a = start_hub(&config_a);
    let b = start_hub(&config_b);

    let urls = [port_a, port_b, port_a].map(|p| format!("http://127.0.0.1:{p}"));
    let mut kiosks: Vec<Kiosk> = ["tully-library", "city-hall-east", "seven-trees"]
        .iter()
        .zip(&urls)
        .map(|(id, url)| Kiosk::new(id, url, &public))
        .collect();
    for k in &kiosks {
        let out = hub_cli(&config_a, &["enroll", &k.id, "--key", &k.key()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        k.checkin("Xochitl");
    }
    for k in &mut kiosks {
        k.start();
    }
    // Check-ins on all three at once, by second processes on each record.
    std::thread::scope(|s| {
        for k in &kiosks {
            s.spawn(move || {
                for i in 0..15 {
                    k.checkin(&format!("Zeynep{}", letters(i)));
                }
            });
        }
    });
    let all: Vec<&Kiosk> = kiosks.iter().collect();
    assert!(wait_shipped(&pg, &all, SOON), "{:?}", a.log());
    for k in &kiosks {
        same_record(&pg, k, &config_a);
    }

    // Hub A killed while its kiosks push; the database restarted while
    // everyone records. The kiosks take every check-in meanwhile.
    std::thread::scope(|s| {
        for k in &kiosks {
            s.spawn(move || {
                for i in 0..25 {
                    k.checkin(&format!("Quyen{}", letters(i)));
                    std::thread::sleep(Duration::from_millis(40));
                }
            });
        }
        // A burst of 3,000 entries on the first kiosk (its service ships
        // them in batches of 500 to hub A), and hub A killed in the middle.
        let first = &kiosks[0];
        s.spawn(move || {
            let loaded = threshold::config::Loaded::from_file(&first.config).unwrap();
            let entrance = loaded.config.facility.entrances[0].clone();
            let desk = threshold::app::Desk::open(loaded, &first.data, threshold::app::SystemClock)
                .unwrap();
            for i in 0..3000 {
                desk.check_in_visitor(threshold::domain::checkin::VisitorCheckIn {
                    name: Some(format!("Burst{}", letters(i))),
                    purpose: "program".into(),
                    host: None,
                    language: threshold::domain::language::Language::English,
                    entrance: entrance.clone(),
                })
                .unwrap();
            }
        });
        std::thread::sleep(Duration::from_millis(700));
        a.kill9();
        std::thread::sleep(Duration::from_millis(300));
        pg.cluster.restart().expect("PostgreSQL restarts");
    });
    // A kiosk whose hub is down says so on its health board.
    let down = wait(SOON, || {
        let line = kiosks[0].hub_part();
        line.contains("NOT WORKING").then_some(line)
    });
    assert!(down.is_some(), "{}", kiosks[0].hub_part());
    let head_before: Vec<i64> = kiosks
        .iter()
        .map(|k| k.journal().last().unwrap().0)
        .collect();
    assert!(head_before.iter().all(|h| *h >= 41), "{head_before:?}");
    assert!(head_before[0] >= 3041, "{head_before:?}");
    // An official's check-in pages while the hub is down.
    let out = kiosks[0].cli(&[
        "--json",
        "checkin",
        "official",
        "--officer",
        "Ana Ruiz;4471;ICE ERO",
        "--document-kind",
        "administrative-warrant",
        "--area",
        "Staff office",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let _a = start_hub(&config_a);
    assert!(wait_shipped(&pg, &all, SOON), "backlog never arrived");
    // Hub B lived through the restart: it listens for other processes'
    // commands again (held polls looked at the database meanwhile).
    assert!(
        b.wait_log(
            "listening for commands other hub processes issue again",
            SOON
        ),
        "{:?}",
        b.log()
    );
    for k in &kiosks {
        same_record(&pg, k, &config_a);
    }
    // Heartbeats: the kiosk's state, with no one's name.
    let beats = pg.rows("SELECT facility, report::text FROM heartbeats ORDER BY facility");
    assert_eq!(beats.len(), 3, "{beats:?}");
    let report = beats[0][1].clone().unwrap();
    for key in [
        "\"head_seq\"",
        "\"backlog\"",
        "\"parts\"",
        "\"open_encounters\"",
        "\"version\"",
    ] {
        assert!(report.contains(key), "{report}");
    }
    // No visitor name or host anywhere in the hub's database.
    let dump = pg.dump();
    for word in ["Xochitl", "Zeynep", "Quyen", "Burst", "Lorna"] {
        assert!(!dump.contains(word), "`{word}` reached the hub's database");
    }
    for k in &mut kiosks {
        k.stop();
    }
}

#[test]
fn a_rewritten_and_resigned_record_is_refused_as_a_fork() {
    let hub = OneHub::started();
    let (pg, config) = (&hub.pg, &hub.config);
    let mut k = hub.kiosk("tully-library");
    for i in 0..12 {
        k.checkin(&format!("Vu{}", letters(i)));
    }
    k.start();
    assert!(wait_shipped(pg, &[&k], SOON));
    k.stop();
    let held = pg.entries(&k.id);
    assert!(k.cli(&["log", "verify"]).status.success());

    // Someone with the box's files rewrites entry 5, re-hashes the chain
    // after it, and goes on recording: the shipper signs with the
    // facility key as always.
    {
        let conn = rusqlite::Connection::open(k.data.join("threshold.db")).unwrap();
        conn.execute(
            "UPDATE journal SET at = '2026-01-01T00:00:00.000Z' WHERE seq = 5",
            [],
        )
        .unwrap();
        common::rehash_journal(&conn);
    }
    k.checkin("After");
    // The chain alone verifies; against the hub's last receipt it fails.
    let out = k.cli(&["log", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("rewritten"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    k.start();
    let fork = wait(SOON, || {
        let rows =
            pg.rows("SELECT facility, seq::text, exact::text, detail FROM forks WHERE exact");
        rows.into_iter().next()
    })
    .expect("the hub keeps the refused batch");
    assert_eq!(fork[0].as_deref(), Some("tully-library"));
    assert_eq!(fork[1].as_deref(), Some("5"), "{fork:?}");
    let part = wait(SOON, || {
        let l = k.hub_part();
        (l.contains("NOT WORKING") && l.contains("entry seq 5")).then_some(l)
    });
    assert!(
        part.is_some(),
        "the kiosk shows the refusal: {}",
        k.hub_part()
    );
    // What the hub held is unchanged, and its check names the fork.
    assert_eq!(pg.entries(&k.id), held);
    let out = hub_cli(config, &["verify", &k.id]);
    assert_eq!(out.status.code(), Some(3));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("FORK") && said.contains("seq 5"), "{said}");
    k.stop();
}

fn post(port: u16, path: &str, body: &str) -> (u16, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let res = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}{path}"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or_default())
    })
}

fn entries(facility: &str, n: i64) -> Vec<WireEntry> {
    let mut prev = GENESIS;
    (1..=n)
        .map(|seq| {
            let body = format!("{{\"n\":{seq}}}");
            let h = chain_hash(
                &prev,
                seq,
                "2026-12-05T10:00:00.000Z",
                facility,
                "test.entry",
                "",
                &body,
            );
            prev = h;
            WireEntry {
                seq,
                at: "2026-12-05T10:00:00.000Z".into(),
                facility: facility.into(),
                kind: "test.entry".into(),
                subject: String::new(),
                body,
                hash: hex::encode(h),
            }
        })
        .collect()
}

#[test]
fn foreign_replayed_malformed_and_early_batches_are_answered_plainly() {
    use threshold::app::records::FacilityKey;
    let hub = OneHub::started();
    let (pg, config, port) = (&hub.pg, &hub.config, hub.port);
    let mine = FacilityKey::from_seed([1; 32]);
    let theirs = FacilityKey::from_seed([2; 32]);
    for (id, key) in [("branch-a", &mine), ("branch-b", &theirs)] {
        let out = hub_cli(config, &["enroll", id, "--key", &key.public_hex()]);
        assert!(out.status.success());
    }
    let count = || pg.number("SELECT count(*) FROM entries");
    let all = entries("branch-a", 6);

    // Signed by another facility's key.
    let forged = Batch::signed("branch-a", GENESIS, all[..3].to_vec(), |s| theirs.sign(s));
    let (status, answer) = post(
        port,
        "/v1/batches",
        &serde_json::to_string(&forged).unwrap(),
    );
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("signature does not match the key enrolled for facility `branch-a`"),
        "{answer}"
    );
    assert_eq!(count(), 0);

    // Stored, then the same batch again: already stored, same receipt seq.
    let batch = Batch::signed("branch-a", GENESIS, all[..3].to_vec(), |s| mine.sign(s));
    let body = serde_json::to_string(&batch).unwrap();
    let (status, answer) = post(port, "/v1/batches", &body);
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("stored")),
        "{answer}"
    );
    assert_eq!(answer["receipt"]["seq"], 3);
    let (status, answer) = post(port, "/v1/batches", &body);
    assert_eq!(
        (status, answer["result"].as_str()),
        (200, Some("already-stored")),
        "{answer}"
    );
    assert_eq!(count(), 3);

    // A batch that starts past the hub's head: send from seq 4.
    let early = Batch::signed(
        "branch-a",
        threshold::domain::shipping::hash_from_hex(&all[4].hash).unwrap(),
        all[5..].to_vec(),
        |s| mine.sign(s),
    );
    let (status, answer) = post(port, "/v1/batches", &serde_json::to_string(&early).unwrap());
    assert_eq!(
        (status, answer["result"].as_str()),
        (409, Some("gap")),
        "{answer}"
    );
    assert_eq!(answer["hub_head"], 3);

    // Malformed: not JSON, a broken chain, an unknown facility.
    let (status, answer) = post(port, "/v1/batches", "{\"format\": ");
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("not a threshold-batch/1 JSON object"),
        "{answer}"
    );
    let mut broken = Batch::signed("branch-a", GENESIS, all.clone(), |s| mine.sign(s));
    broken.entries[4].body = "{\"n\":500}".into();
    let (status, answer) = post(
        port,
        "/v1/batches",
        &serde_json::to_string(&broken).unwrap(),
    );
    assert_eq!(status, 400);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("entry seq 5's hash does not follow"),
        "{answer}"
    );
    let stranger = Batch::signed("branch-z", GENESIS, entries("branch-z", 2), |s| {
        mine.sign(s)
    });
    let (status, answer) = post(
        port,
        "/v1/batches",
        &serde_json::to_string(&stranger).unwrap(),
    );
    assert_eq!(status, 403);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("`branch-z` is not enrolled"),
        "{answer}"
    );
    assert_eq!(count(), 3, "nothing refused was stored");

    // The rest, overlapping what the hub holds: only the new part stored.
    let rest = Batch::signed("branch-a", GENESIS, all.clone(), |s| mine.sign(s));
    let (status, answer) = post(port, "/v1/batches", &serde_json::to_string(&rest).unwrap());
    assert_eq!(
        (status, answer["stored"].as_u64()),
        (200, Some(3)),
        "{answer}"
    );
    assert_eq!(count(), 6);
    let out = hub_cli(config, &["verify", "branch-a"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A heartbeat signed by someone else is refused.
    let beat = threshold::domain::shipping::Heartbeat::signed(
        "branch-a",
        "2026-12-05T10:00:00Z",
        "{}".into(),
        |s| theirs.sign(s),
    );
    let (status, _) = post(
        port,
        "/v1/heartbeats",
        &serde_json::to_string(&beat).unwrap(),
    );
    assert_eq!(status, 403);
}

#[test]
fn a_kiosk_offline_for_ten_thousand_entries_catches_up() {
    use threshold::app::{Desk, SystemClock};
    use threshold::domain::checkin::VisitorCheckIn;
    let mut hub = OneHub::new();
    let (config, mut k) = (hub.config.clone(), hub.kiosk("tully-library"));
    {
        let loaded = threshold::config::Loaded::from_file(&k.config).unwrap();
        let entrance = loaded.config.facility.entrances[0].clone();
        let desk = Desk::open(loaded, &k.data, SystemClock).unwrap();
        for i in 0..10_000 {
            desk.check_in_visitor(VisitorCheckIn {
                name: Some(format!("Offline{}", letters(i))),
                purpose: "program".into(),
                host: None,
                language: threshold::domain::language::Language::English,
                entrance: entrance.clone(),
            })
            .unwrap();
        }
    }
    assert!(k.journal().len() >= 10_000);
    hub.start();
    k.start();
    assert!(wait_shipped(&hub.pg, &[&k], Duration::from_secs(120)));
    assert_eq!(
        hub.pg.number("SELECT count(*) FROM entries"),
        k.journal().len() as i64
    );
    let out = hub_cli(&config, &["verify", &k.id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    k.stop();
}

#[test]
fn the_demo_hub_runs_on_a_private_cluster_with_the_demo_facility_enrolled() {
    let dir = open_tempdir();
    let hub_dir = dir.path().join("hub");
    let home = dir.path().join("home");
    let demo = |args: &[&str]| {
        let mut c = common::bin();
        c.env("XDG_DATA_HOME", &home)
            .args(["hub", "--demo", "--data-dir"])
            .arg(&hub_dir)
            .args(args);
        c
    };
    let mut hub = Proc::spawn(demo(&[]));
    assert!(
        hub.wait_log("taking kiosks' records on http://127.0.0.1:8443", SOON),
        "{:?}",
        hub.log()
    );
    assert!(
        hub.log().iter().any(|l| l.contains("public_key = \"")),
        "{:?}",
        hub.log()
    );
    let out = demo(&["facilities"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("sj-demo-branch"),
        "{said}"
    );
    // Stopped, it stops its cluster too.
    assert!(hub.terminate().success(), "{:?}", hub.log());
    assert!(
        !hub_dir.join("postgres").join("postmaster.pid").exists(),
        "the demo's PostgreSQL still runs"
    );
}
