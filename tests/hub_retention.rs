//! The hub's own retention: a kiosk that never comes back (burned, stolen,
//! retired) must not leave its encounters' names on the hub forever. The
//! hub applies the kiosks' rule to what no kiosk purge came for: the
//! facility's period as its kiosk last reported it, a grace for an offline
//! kiosk's own purge, and the facility's legal holds.
#![cfg(feature = "simulate")]

mod common;

use chrono::{Duration as Days, Utc};
use common::hub::*;
use std::time::Duration;
use threshold::hub::retention::{purge, Rules};

const SOON: Duration = Duration::from_secs(60);

/// Values and pages the hub holds for encounter `id`.
fn held(pg: &Pg, id: &str) -> (i64, i64) {
    let values = pg.number(&format!(
        "SELECT count(*) FROM vault v JOIN entries e ON e.facility = v.facility AND e.seq = v.id / 4096
         WHERE e.subject = '{id}'"
    ));
    let pages = pg.number(&format!(
        "SELECT count(*) FROM pages WHERE encounter = '{id}'"
    ));
    (values, pages)
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_hub_purges_by_the_kiosks_rule_what_no_kiosk_purge_came_for() {
    let hub = OneHub::started();
    let pg = &hub.pg;
    let mut k = hub.kiosk("tully-library");
    let image = common::png(5);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &image).unwrap();
    let page = file.path().display().to_string();
    let mut closed = Vec::new();
    for _ in 0..2 {
        let id = k.official(&["--document-kind", "agency-form", "--page", &page]);
        ok(&k.cli(&[
            "encounter",
            "note",
            &id,
            "--text",
            "Asked for the manager",
            "--by",
            "Dana",
        ]));
        k.close(&id);
        closed.push(id);
    }
    let (gone, kept) = (closed[0].clone(), closed[1].clone());
    ok(&k.cli(&[
        "hold",
        "place",
        "--encounter",
        &kept,
        "--reason",
        "Records request 24-117",
        "--by",
        "Rosa Delgado",
    ]));
    let open = k.official(&["--document-kind", "agency-form"]);
    k.start();
    assert!(wait_shipped(pg, &[&k], SOON));
    let reported =
        "SELECT count(*) FROM heartbeats WHERE report -> 'retention' ->> 'encounter_years' = '7'";
    assert!(
        wait(SOON, || (pg.number(reported) == 1
            && pg.number("SELECT count(*) FROM pages") == 2)
            .then_some(()))
        .is_some(),
        "the kiosk's heartbeat names its retention period and both pages arrive; {}",
        k.hub_part()
    );
    // The kiosk is gone for good.
    k.stop();
    let before = (held(pg, &gone), held(pg, &kept), held(pg, &open));
    assert!(before.0 .0 > 0 && before.0 .1 == 1, "{before:?}");
    assert!(before.1 .0 > 0 && before.1 .1 == 1, "{before:?}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let pool = pg.pool();
    // The config says 3 years; the kiosk said 7, and its word is the rule.
    let rules = Rules {
        encounter_years: 3,
        grace_days: 30,
    };
    let at = |days: i64| Utc::now() + Days::days(days);
    let run = |days: i64, dry: bool| rt.block_on(purge(&pool, at(days), rules, dry)).unwrap();

    // Today, and four years on: nothing is due.
    for days in [0, 4 * 366] {
        let p = run(days, false);
        assert_eq!(p.encounters(), 0, "{p:?}");
    }
    // Seven years and ten days on, the kiosk would have purged: the hub
    // waits out the grace for its purge, and the hold is counted.
    let p = run(7 * 366 + 10, false);
    let f = &p.facilities[0];
    assert_eq!(
        (
            f.encounter_years,
            f.period_from,
            f.encounters,
            f.waiting,
            f.held
        ),
        (7, "heartbeat", 0, 1, 1),
        "{p:?}"
    );
    assert_eq!(held(pg, &gone), before.0);
    // A dry run past the grace says what it would do and does nothing.
    let p = run(7 * 366 + 40, true);
    assert_eq!((p.encounters(), p.facilities[0].held), (1, 1), "{p:?}");
    assert_eq!(held(pg, &gone), before.0);
    // Past the grace: the closed encounter no hold covers loses its values
    // and its page; the held one and the open one keep theirs.
    let p = run(7 * 366 + 40, false);
    let f = &p.facilities[0];
    assert_eq!(
        (f.encounters, f.values as i64, f.pages),
        (1, before.0 .0, 1),
        "{p:?}"
    );
    assert_eq!(held(pg, &gone), (0, 0));
    assert_eq!(held(pg, &kept), before.1);
    assert_eq!(held(pg, &open), before.2);
    assert_eq!(
        pg.rows("SELECT encounter, encounter_years::text FROM hub_purges"),
        vec![vec![Some(gone.clone()), Some("7".into())]]
    );
    // Once is enough.
    assert_eq!(run(7 * 366 + 40, false).encounters(), 0);
    // The officer's name is nowhere in the hub's copy of that encounter;
    // its entries are untouched and the hub's copy still verifies.
    let said = ok(&hub.cli(&["verify", "tully-library"]));
    assert!(
        said.contains("chain: intact")
            && said.contains("no purge from its kiosk: 1")
            && !said.contains("not on the hub yet"),
        "{said}"
    );
    // The page, offered again, is not taken.
    let key = threshold::app::records::FacilityKey::open(&k.data).unwrap();
    let page_id = k
        .journal()
        .iter()
        .find_map(|(_, _, kind, subject, body, _)| {
            (kind == "encounter.page-captured" && *subject == gone).then(|| {
                serde_json::from_str::<serde_json::Value>(body).unwrap()["page"]["page"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
        });
    let page_id = page_id.expect("the purged encounter's page entry");
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&image))
    };
    let sig = key.sign(&threshold::domain::shipping::page::statement(
        "tully-library",
        &page_id,
        &sha,
    ));
    let url = format!("http://127.0.0.1:{}/v1/pages", hub.port);
    let (status, answer) = post_page(&url, "tully-library", &page_id, &sig, &image);
    assert_eq!((status, answer.contains("purged")), (200, true), "{answer}");
    assert_eq!(held(pg, &gone), (0, 0));

    // Released, the hold no longer keeps the other one.
    let hold = String::from_utf8_lossy(&k.cli(&["--json", "hold", "list"]).stdout).into_owned();
    let hold: serde_json::Value = serde_json::from_str(&hold).unwrap();
    let hold = hold[0]["id"].as_str().unwrap().to_string();
    ok(&k.cli(&["hold", "release", &hold, "--by", "Rosa Delgado"]));
    k.start();
    assert!(wait_shipped(pg, &[&k], SOON));
    k.stop();
    let p = run(7 * 366 + 40, false);
    assert_eq!((p.encounters(), p.facilities[0].held), (1, 0), "{p:?}");
    assert_eq!(held(pg, &kept), (0, 0));
    assert_eq!(
        held(pg, &open),
        before.2,
        "an open encounter is never purged"
    );

    // The running hub applies the rule at start and says so on its command
    // line: today nothing is due, and the period is the kiosk's.
    let said = ok(&hub.cli(&["purge", "--dry-run"]));
    assert!(
        said.contains(
            "tully-library (7 years, as its kiosk reported): would purge 0 closed encounters"
        ),
        "{said}"
    );
    let log = hub.process.as_ref().unwrap().log().join("\n");
    assert!(!log.contains("retention on the hub did not run"), "{log}");
}

#[test]
fn a_kiosk_that_never_reported_a_period_is_held_to_the_hub_configs() {
    let hub = OneHub::started();
    let pg = &hub.pg;
    let k = hub.kiosk("alviso-library");
    let id = k.official(&["--document-kind", "agency-form"]);
    k.close(&id);
    // Shipped by a kiosk of a version before heartbeats named the period:
    // the batches arrive, but no heartbeat with `retention`.
    let mut k = k;
    k.start();
    assert!(wait_shipped(pg, &[&k], SOON));
    k.stop();
    pg.rows("UPDATE heartbeats SET report = report - 'retention' RETURNING 1");
    let pool = pg.pool();
    let rules = Rules {
        encounter_years: 2,
        grace_days: 0,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let later = |days: i64| {
        rt.block_on(purge(&pool, Utc::now() + Days::days(days), rules, false))
            .unwrap()
    };
    let p = later(2 * 366 - 5);
    assert_eq!(p.encounters(), 0, "{p:?}");
    let p = later(2 * 366 + 1);
    let f = &p.facilities[0];
    assert_eq!(
        (f.encounter_years, f.period_from, f.encounters),
        (2, "config", 1),
        "{p:?}"
    );
    assert_eq!(held(pg, &id).0, 0);
    // The hub config's [retention] is checked at start, naming the key.
    let text = std::fs::read_to_string(&hub.config).unwrap();
    std::fs::write(
        &hub.config,
        format!("{text}\n[retention]\nencounter_years = 0\n"),
    )
    .unwrap();
    let out = hub.cli(&["purge", "--dry-run"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("[retention] encounter_years = 0"),
        "{err}"
    );
}

#[tokio::test]
async fn counsel_is_told_when_the_hub_purged_an_encounter_itself() {
    use common::admin::{get, send};
    use common::city_world::*;
    let w = city().await;
    let west = format!("/facilities/{WEST}/encounters/E-WESTSHUT");
    let rosa = session_of(&w.app, "rosa").await;
    let before = send(&w.app, get(&west, Some(&rosa))).await.text();
    assert!(!before.contains("the hub deleted its copy"), "{before}");
    let rules = Rules {
        encounter_years: 7,
        grace_days: 30,
    };
    let p = purge(&w.pool, Utc::now() + Days::days(8 * 366), rules, false)
        .await
        .unwrap();
    assert_eq!(p.encounters(), 1, "only the closed encounter: {p:?}");
    let page = send(&w.app, get(&west, Some(&rosa))).await.text();
    assert!(
        page.contains("the hub deleted its copy of this encounter&#39;s names, notes and pages")
            && page.contains("(7 years)"),
        "{page}"
    );
    let es = send(&w.app, get(&format!("{west}?lang=es"), Some(&rosa)))
        .await
        .text();
    assert!(es.contains("el hub borró su copia"), "{es}");
}

/// A hold that a batch stores while a purge is under way (after the purge
/// listed the encounter as due, before it took the facility's row) keeps
/// the encounter: the purge checks again under the lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hold_stored_while_the_purge_waits_for_the_facility_keeps_the_encounter() {
    use common::city_world::*;
    let w = city().await;
    // A batch of West's holds the facility's row.
    let mut batch = w.pool.get().await.unwrap();
    let tx = batch.transaction().await.unwrap();
    tx.execute(
        "SELECT 1 FROM facilities WHERE id = $1 FOR UPDATE",
        &[&WEST],
    )
    .await
    .unwrap();
    let rules = Rules {
        encounter_years: 7,
        grace_days: 30,
    };
    let pool = w.pool.clone();
    let purging = tokio::spawn(async move {
        purge(&pool, Utc::now() + Days::days(8 * 366), rules, false)
            .await
            .unwrap()
    });
    // The purge has listed E-WESTSHUT and waits for the row.
    let c = w.pool.get().await.unwrap();
    let mut tries = 0;
    while c
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
        == 0
    {
        tries += 1;
        assert!(tries < 300, "the purge never waited for the facility's row");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The batch stores a hold on it, and ends.
    tx.execute(
        "INSERT INTO entries (facility, seq, at, kind, subject, body, hash)
         VALUES ($1, 100, '2026-12-06T00:00:00Z', 'retention.hold-placed', 'H-1',
                 '{\"hold\":\"H-1\",\"encounter\":\"E-WESTSHUT\",\"reason\":\"x\",\"by\":{\"vault\":9,\"commit\":\"c\"}}', '\\x00')",
        &[&WEST],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let p = purging.await.unwrap();
    assert_eq!(p.encounters(), 0, "{p:?}");
    assert_eq!(
        c.query_one("SELECT count(*) FROM hub_purges", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        0
    );
}
