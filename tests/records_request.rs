//! An encounter exported for a public-records request: the facts and the
//! timeline, with staff notes, counsel's instructions and the officials'
//! own words withheld until counsel releases them; no visitor data, no
//! page image; journaled with who made it.

mod common;

use common::*;

#[test]
fn a_records_request_export_withholds_notes_instructions_and_words_until_released() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let page = d.join("p.png");
    std::fs::write(&page, png(3)).unwrap();
    // A visitor checked in the same morning: never part of the export.
    let visitor = [
        "checkin",
        "visitor",
        "--purpose",
        "appointment",
        "--name",
        "Quenby",
    ];
    assert!(cli(d, &visitor).status.success());
    let id = checkin_official(
        d,
        &[
            "--officer",
            "Ana Ruiz;4471;HSI",
            "--document-kind",
            "administrative-warrant",
            "--purpose",
            "Locate Marisol Fuentes",
            "--page",
            page.to_str().unwrap(),
        ],
    );
    for args in [
        vec![
            "encounter",
            "note",
            &id,
            "--text",
            "Mrs Xochitl said her son is upstairs",
            "--by",
            "Dana",
        ],
        vec![
            "encounter",
            "instruct",
            &id,
            "--text",
            "Zephyr plan: do not consent",
            "--by",
            "Rosa Delgado",
        ],
        vec!["encounter", "ack", &id, "--by", "Rosa Delgado"],
    ] {
        let o = cli(d, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    let out = d.join("prr.json");
    let o = cli(
        d,
        &[
            "encounter",
            "records-request",
            &id,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    for never in ["Xochitl", "Zephyr", "Marisol", "Quenby"] {
        assert!(!text.contains(never), "{never} is in the export:\n{text}");
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["encounter"], id.as_str());
    assert_eq!(v["officers"][0]["name"], "Ana Ruiz");
    assert!(v["timeline"].as_array().unwrap().len() >= 4);
    assert!(v.get("staff_notes").is_none() && v.get("counsel_instructions").is_none());
    let withheld: Vec<&str> = v["withheld"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        withheld,
        [
            "staff notes",
            "counsel's instructions",
            "the officials' own words"
        ]
    );
    // Pages by hash only: no image bytes.
    assert_eq!(v["pages"][0]["number"], 1);
    assert!(text.len() < 20_000, "{} bytes", text.len());

    // Released by counsel, each part appears.
    let o = cli(
        d,
        &[
            "encounter",
            "records-request",
            &id,
            "--out",
            out.to_str().unwrap(),
            "--release-notes",
            "--release-instructions",
            "--release-officials-words",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    for now in ["Xochitl", "Zephyr", "Marisol"] {
        assert!(text.contains(now), "{now} released but missing");
    }
    assert!(!text.contains("Quenby"));

    // Both exports are journaled with who made them and what was released.
    let show = stdout(&cli(d, &["encounter", "show", &id]));
    assert!(show.contains("viewed a public-records export"), "{show}");
    let o = cli(d, &["--json", "encounter", "show", &id]);
    let rec: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let kinds = rec["timeline"].as_array().unwrap();
    assert!(kinds.iter().filter(|t| t["kind"] == "web.viewed").count() >= 2);
}
