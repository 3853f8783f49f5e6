//! Encounters' personal values and document pages on the city hub: shipped
//! with (or after) their entries, checked against their commitments and
//! hashes, sealed with the hub's data key, never a visitor's; and gone from
//! the hub when the kiosk purges them.
#![cfg(feature = "simulate")]

mod common;

use common::hub::*;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(60);

#[test]
fn encounters_values_and_pages_go_up_sealed_and_a_purge_on_the_kiosk_removes_them() {
    let hub = OneHub::started();
    let (pg, dir) = (&hub.pg, hub.dir.path());
    let mut k = hub.kiosk("tully-library");
    k.checkin("Xochitl");
    let (front, back) = (common::png(7), common::png(8));
    let pages = tempfile::tempdir().unwrap();
    std::fs::write(pages.path().join("front.png"), &front).unwrap();
    std::fs::write(pages.path().join("back.png"), &back).unwrap();
    let page = |n: &str| pages.path().join(n).display().to_string();
    let (front_file, back_file) = (page("front.png"), page("back.png"));
    let id = k.official(&[
        "--document-kind",
        "administrative-warrant",
        "--area",
        "Staff office",
        "--page",
        &front_file,
    ]);
    for args in [
        vec![
            "encounter",
            "page",
            &id,
            "--page",
            &back_file,
            "--by",
            "Dana",
        ],
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
    // Both pages follow their entries, sealed; the images open with the
    // data key and are the ones photographed.
    let images = || -> Vec<Vec<u8>> {
        pg.rows("SELECT id, encode(sealed, 'hex'), encounter FROM pages ORDER BY seq")
            .into_iter()
            .map(|r| {
                assert_eq!(r[2].as_deref(), Some(id.as_str()));
                let sealed = hex::decode(r[1].as_deref().unwrap()).unwrap();
                data.open_page("tully-library", r[0].as_deref().unwrap(), &sealed)
                    .expect("opens")
            })
            .collect()
    };
    let got = wait(SOON, || {
        let got = images();
        (got.len() == 2).then_some(got)
    })
    .unwrap_or_else(|| panic!("pages on the hub: {}; {}", images().len(), k.hub_part()));
    assert_eq!(got, vec![front.clone(), back.clone()]);
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
        said.contains("encounter values: ") && said.contains("document pages: 2, each opened"),
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
    assert!(
        wait(SOON, || images().is_empty().then_some(())).is_some(),
        "the hub kept {} purged pages",
        images().len()
    );
    assert!(wait_shipped(pg, &[&k], SOON));
    assert!(hub.cli(&["verify", "tully-library"]).status.success());
    k.stop();
}

#[test]
fn a_page_is_taken_only_as_its_entry_names_it_from_its_facility() {
    let hub = OneHub::started();
    let mut k = hub.kiosk("tully-library");
    let image = common::png(3);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &image).unwrap();
    k.official(&[
        "--document-kind",
        "agency-form",
        "--page",
        &file.path().display().to_string(),
    ]);
    k.start();
    assert!(wait_shipped(&hub.pg, &[&k], SOON));
    assert!(
        wait(SOON, || (hub.pg.number("SELECT count(*) FROM pages") == 1)
            .then_some(()))
        .is_some()
    );
    k.stop();
    let id = hub.pg.rows("SELECT id FROM pages")[0][0].clone().unwrap();
    let key = threshold::app::records::FacilityKey::open(&k.data).unwrap();
    let post = |facility: &str, page: &str, body: &[u8], sign: &dyn Fn(&str) -> String| {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(body));
        let sig = sign(&threshold::domain::shipping::page::statement(
            facility, page, &sha,
        ));
        let url = format!("http://127.0.0.1:{}/v1/pages", hub.port);
        let res = post_page(&url, facility, page, &sig, body);
        (res.0, res.1)
    };
    // The same page again: already stored.
    let (status, said) = post("tully-library", &id, &image, &|s| key.sign(s));
    assert_eq!(
        (status, said.contains("already-stored")),
        (200, true),
        "{said}"
    );
    // Another image under that page's id: refused, the stored one kept.
    let forged = common::png(4);
    let other = "0123456789abcdef0123456789abcdef";
    let (status, said) = post("tully-library", other, &forged, &|s| key.sign(s));
    assert_eq!(status, 409, "no entry names that page: {said}");
    let held = hub.pg.number("SELECT count(*) FROM pages");
    assert_eq!(held, 1);
    // Signed with another key: refused.
    let stranger = threshold::app::records::FacilityKey::from_seed([5; 32]);
    let (status, said) = post("tully-library", &id, &image, &|s| stranger.sign(s));
    assert_eq!(status, 403, "{said}");
    assert!(said.contains("not signed with the key enrolled"), "{said}");
    // Not the image its entry names.
    hub.pg.rows(&format!("DELETE FROM pages WHERE id = '{id}'"));
    let (status, said) = post("tully-library", &id, &forged, &|s| key.sign(s));
    assert_eq!(status, 400, "{said}");
    assert!(said.contains("is not the image entry seq"), "{said}");
    // Not a page id at all.
    let (status, said) = post("tully-library", "../../etc/passwd", &image, &|s| {
        key.sign(s)
    });
    assert_eq!(status, 400, "{said}");
    assert_eq!(hub.pg.number("SELECT count(*) FROM pages"), 0);
}
