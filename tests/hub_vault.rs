//! Encounters' personal values on the city hub: shipped with their
//! entries, checked against their commitments, sealed with the hub's data
//! key, never a visitor's; and gone from the hub when the kiosk purges them.
#![cfg(feature = "simulate")]

mod common;

use common::hub::*;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(60);

#[test]
fn encounters_values_go_up_sealed_and_a_purge_on_the_kiosk_removes_them() {
    let hub = OneHub::started();
    let (pg, dir) = (&hub.pg, hub.dir.path());
    let mut k = hub.kiosk("tully-library");
    k.checkin("Xochitl");
    let out = k.cli(&[
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
    let id = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for args in [
        vec![
            "encounter",
            "note",
            &id,
            "--text",
            "Waited by the east door",
            "--by",
            "Dana",
        ],
        vec![
            "encounter",
            "decide",
            &id,
            "--outcome",
            "left",
            "--by",
            "Dana",
        ],
        vec!["encounter", "close", &id, "--by", "Dana"],
    ] {
        let out = k.cli(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    k.start();
    assert!(wait_shipped(pg, &[&k], SOON));
    // The encounter's values are on the hub, sealed with its data key; the
    // visitor's are not.
    let data = threshold::hub::seal::DataKey::open(&dir.join("data.key"), false).unwrap();
    let opened = || -> Vec<String> {
        pg.rows("SELECT id::text, encode(sealed, 'hex') FROM vault ORDER BY id")
            .into_iter()
            .map(|r| {
                let id: i64 = r[0].as_deref().unwrap().parse().unwrap();
                let sealed = hex::decode(r[1].as_deref().unwrap()).unwrap();
                data.open_value("tully-library", id, &sealed)
                    .expect("opens")
                    .1
            })
            .collect()
    };
    let values = opened();
    assert!(values.iter().any(|v| v.contains("Ana Ruiz")), "{values:?}");
    assert!(
        values.iter().any(|v| v == "Waited by the east door"),
        "{values:?}"
    );
    assert!(!values.iter().any(|v| v.contains("Xochitl")), "{values:?}");
    // The hub's own check opens every value and matches it to its entry.
    let out = hub.cli(&["verify", "tully-library"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("each opened with the data key and matching its entry"),
        "{said}"
    );
    let dump = pg.dump();
    for word in ["Ana Ruiz", "east door", "Xochitl"] {
        assert!(
            !dump.contains(word),
            "`{word}` is readable in the hub's database"
        );
    }
    // Eight years on, retention purges the closed encounter on the kiosk;
    // the hub's copy goes with the purge's entry.
    let loaded = threshold::config::Loaded::from_file(&k.config).unwrap();
    let later = common::TestClock(std::sync::Arc::new(std::sync::Mutex::new(
        chrono::Utc::now() + chrono::Duration::days(8 * 366),
    )));
    let desk = threshold::app::Desk::open(loaded, &k.data, later).unwrap();
    let purged = desk.purge(false).unwrap();
    assert!(purged.vault_rows > 0, "{purged:?}");
    let gone = wait(SOON, || {
        let left = opened();
        (!left
            .iter()
            .any(|v| v.contains("Ana Ruiz") || v.contains("east door")))
        .then_some(())
    });
    assert!(gone.is_some(), "the hub kept purged values: {:?}", opened());
    assert!(wait_shipped(pg, &[&k], SOON));
    assert!(hub.cli(&["verify", "tully-library"]).status.success());
    k.stop();
}
