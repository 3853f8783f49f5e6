//! Downstream: counsel acts on the city hub and the kiosk applies it. A
//! command is signed by the hub, long-polled by the kiosk, applied once
//! through the desk (journaled as from the hub, with the account that sent
//! it), and its outcome reported back; one the hub did not sign, or for an
//! encounter the rules close to it, is refused with the reason.
#![cfg(feature = "simulate")]

mod common;

use common::hub::*;
use std::time::{Duration, Instant};

const SOON: Duration = Duration::from_secs(60);

fn hub_ok(hub: &OneHub, args: &[&str]) -> String {
    let out = hub.cli(args);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    said
}

/// `hub --json command tully-library ENCOUNTER ARGS`: the command's id.
fn command(hub: &OneHub, encounter: &str, args: &[&str]) -> i64 {
    let mut all = vec!["--json", "command", "tully-library", encounter];
    all.extend_from_slice(args);
    let said = hub_ok(hub, &all);
    serde_json::from_str::<serde_json::Value>(&said).unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// How command `id` went, as the kiosk told the hub (`None` until it has).
fn outcome(hub: &OneHub, id: i64) -> Option<String> {
    hub.pg
        .rows(&format!("SELECT outcome FROM commands WHERE id = {id}"))[0][0]
        .clone()
}

#[test]
fn counsel_acts_from_the_hub_and_the_kiosk_applies_each_command_once() {
    let hub = OneHub::started();
    let mut k = hub.kiosk("tully-library");
    let open = k.official(&["--document-kind", "administrative-warrant"]);
    let closed = k.official(&["--document-kind", "agency-form"]);
    for args in [
        vec![
            "encounter",
            "decide",
            &closed,
            "--outcome",
            "left",
            "--by",
            "Dana",
        ],
        vec!["encounter", "close", &closed, "--by", "Dana"],
    ] {
        assert!(k.cli(&args).status.success(), "{args:?}");
    }
    k.start();
    assert!(wait_shipped(&hub.pg, &[&k], SOON));

    // Only the hub's accounts act through it.
    let out = hub.cli(&[
        "command",
        "tully-library",
        &open,
        "--acknowledge",
        "--by",
        "Mallory",
    ]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("`Mallory` is not an account of this hub"),
        "{said}"
    );

    // An encounter the hub does not hold: refused at once, nothing sent.
    let out = hub.cli(&[
        "command",
        "tully-library",
        "E-NOSUCH00",
        "--acknowledge",
        "--by",
        "Rosa Delgado",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("holds no encounter E-NOSUCH00"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Counsel acknowledges from the hub: the kiosk's record has it, from
    // the hub, by counsel's account, in counsel's role.
    let started = Instant::now();
    let ack = command(&hub, &open, &["--acknowledge", "--by", "Rosa Delgado"]);
    let rec = wait(SOON, || {
        let rec = k.encounter(&open);
        (!rec["acknowledgements"].as_array().unwrap().is_empty()).then_some(rec)
    })
    .unwrap_or_else(|| panic!("not applied: {:?}", k.service.as_ref().unwrap().log()));
    println!(
        "acknowledgement applied {:?} after it was issued",
        started.elapsed()
    );
    let a = &rec["acknowledgements"][0];
    assert_eq!(
        (a["by"].as_str(), a["role"].as_str(), a["via"].as_str()),
        (Some("Rosa Delgado"), Some("counsel"), Some("hub")),
        "{rec}"
    );
    let shown = k.cli(&["encounter", "show", &open]);
    let timeline = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(
        timeline.contains("Acknowledged by Rosa Delgado (city counsel), from the city hub."),
        "{timeline}{}",
        String::from_utf8_lossy(&shown.stderr)
    );

    // An instruction, in counsel's words.
    let instr = command(
        &hub,
        &open,
        &[
            "--instruct",
            "Do not consent to a search; I am on my way.",
            "--by",
            "Rosa Delgado",
        ],
    );
    let rec = wait(SOON, || {
        let rec = k.encounter(&open);
        (!rec["counsel_instructions"].as_array().unwrap().is_empty()).then_some(rec)
    })
    .expect("the instruction is applied");
    let i = &rec["counsel_instructions"][0];
    assert_eq!(
        (i["by"].as_str(), i["text"].as_str(), i["via"].as_str()),
        (
            Some("Rosa Delgado"),
            Some("Do not consent to a search; I am on my way."),
            Some("hub")
        ),
        "{rec}"
    );
    // The instruction's words are sealed on the hub.
    assert!(!hub.pg.dump().contains("I am on my way"));

    // On a closed encounter: refused on the kiosk, and the hub is told why.
    let late = command(&hub, &closed, &["--acknowledge", "--by", "Rosa Delgado"]);
    let told = wait(SOON, || outcome(&hub, late)).expect("the kiosk reports how it went");
    assert!(told.starts_with("refused: "), "{told}");
    assert!(told.to_lowercase().contains("closed"), "{told}");
    assert_eq!(
        k.encounter(&closed)["acknowledgements"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A note and a checklist answer, from the hub too.
    hub_ok(
        &hub,
        &[
            "command",
            "tully-library",
            &open,
            "--note",
            "Second officer waited outside.",
            "--by",
            "Rosa Delgado",
        ],
    );
    hub_ok(
        &hub,
        &[
            "command",
            "tully-library",
            &open,
            "--checklist",
            "signed-by-judge",
            "--answer",
            "no",
            "--by",
            "Rosa Delgado",
        ],
    );
    let rec = wait(SOON, || {
        let rec = k.encounter(&open);
        (!rec["notes"].as_array().unwrap().is_empty()
            && !rec["checklist"].as_array().unwrap().is_empty())
        .then_some(rec)
    })
    .expect("the note and the answer are applied");
    assert_eq!(
        (
            rec["notes"][0]["text"].as_str(),
            rec["notes"][0]["via"].as_str()
        ),
        (Some("Second officer waited outside."), Some("hub")),
        "{rec}"
    );
    let c = &rec["checklist"][0];
    assert_eq!(
        (
            c["item"].as_str(),
            c["answer"].as_str(),
            c["by"].as_str(),
            c["via"].as_str()
        ),
        (
            Some("signed-by-judge"),
            Some("no"),
            Some("Rosa Delgado"),
            Some("hub")
        ),
        "{rec}"
    );
    let timeline =
        String::from_utf8_lossy(&k.cli(&["encounter", "show", &open]).stdout).into_owned();
    assert!(
        timeline.contains("Note added by Rosa Delgado, from the city hub."),
        "{timeline}"
    );
    assert!(
        timeline.contains("answered No by Rosa Delgado, from the city hub."),
        "{timeline}"
    );
    // A question the kiosk's profile does not ask: refused with the list.
    let odd = command(
        &hub,
        &open,
        &[
            "--checklist",
            "no-such-question",
            "--answer",
            "yes",
            "--by",
            "Rosa Delgado",
        ],
    );
    let told = wait(SOON, || outcome(&hub, odd)).expect("the kiosk reports the unknown question");
    assert!(
        told.starts_with("refused: ") && told.contains("signed-by-judge"),
        "{told}"
    );

    // A command the hub did not sign (written into its database by hand,
    // its action sealed with the hub's own data key): not applied.
    let data =
        threshold::hub::seal::DataKey::open(&hub.dir.path().join("data.key"), false).unwrap();
    let forged = hub.pg.number("SELECT nextval('commands_id_seq')");
    let sealed =
        hex::encode(data.seal_command("tully-library", forged, r#"{"action":"acknowledge"}"#));
    hub.pg.rows(&format!(
        "INSERT INTO commands (id, facility, encounter, action, sealed, by_account, role, issued_at, signature)
         VALUES ({forged}, 'tully-library', '{open}', 'acknowledge', decode('{sealed}', 'hex'), 'Mallory', 'counsel', '2026-12-06T00:00:00Z', '{}')",
        "00".repeat(64)
    ));
    let told = wait(SOON, || outcome(&hub, forged)).expect("the kiosk reports the forgery");
    assert!(told.contains("not signed with the hub's key"), "{told}");
    // One whose action does not open with the data key: not sent at all.
    hub.pg.rows(&format!(
        "INSERT INTO commands (facility, encounter, action, by_account, role, issued_at, signature)
         VALUES ('tully-library', '{open}', 'acknowledge', 'Mallory', 'counsel', '2026-12-06T00:00:00Z', '{}')",
        "00".repeat(64)
    ));
    let broken = hub.pg.number("SELECT max(id) FROM commands");
    let told = wait(SOON, || outcome(&hub, broken)).expect("the hub says why");
    assert!(
        told.contains("does not open with the hub's data key"),
        "{told}"
    );
    assert_eq!(
        k.encounter(&open)["acknowledgements"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Each outcome is on the hub; `hub commands` lists them.
    assert!(wait(SOON, || (outcome(&hub, instr).is_some()).then_some(())).is_some());
    assert_eq!(outcome(&hub, ack).as_deref(), Some("applied"));
    assert_eq!(outcome(&hub, instr).as_deref(), Some("applied"));
    let listed = hub_ok(&hub, &["commands", "tully-library"]);
    assert!(listed.contains("acknowledge by Rosa Delgado"), "{listed}");
    assert!(listed.contains("instruct by Rosa Delgado"), "{listed}");

    // Restarted, the kiosk applies nothing twice.
    k.stop();
    k.start();
    std::thread::sleep(Duration::from_secs(3));
    let rec = k.encounter(&open);
    assert_eq!(
        rec["acknowledgements"].as_array().unwrap().len(),
        1,
        "{rec}"
    );
    assert_eq!(
        rec["counsel_instructions"].as_array().unwrap().len(),
        1,
        "{rec}"
    );
    // The entries that applied them reached the hub with the rest.
    assert!(wait_shipped(&hub.pg, &[&k], SOON));
    let via_hub = hub.pg.number(
        "SELECT count(*) FROM entries WHERE facility = 'tully-library' AND body LIKE '%\"via\":\"hub\"%'",
    );
    // The acknowledgement, instruction, note and checklist answer.
    assert_eq!(via_hub, 4);
    k.stop();
}

#[test]
fn a_command_waits_for_a_kiosk_that_is_offline() {
    let mut hub = OneHub::new();
    hub.start();
    let mut k = hub.kiosk("tully-library");
    let id = k.official(&["--document-kind", "court-order"]);
    k.start();
    assert!(wait_shipped(&hub.pg, &[&k], SOON));
    k.stop();
    let cmd = command(&hub, &id, &["--acknowledge", "--by", "Sam Okafor"]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(outcome(&hub, cmd), None, "nobody took it");
    let listed = hub_ok(&hub, &["commands"]);
    assert!(listed.contains("delivered waiting"), "{listed}");
    k.start();
    let rec = wait(SOON, || {
        let rec = k.encounter(&id);
        (!rec["acknowledgements"].as_array().unwrap().is_empty()).then_some(rec)
    })
    .expect("applied once the kiosk is back");
    let a = &rec["acknowledgements"][0];
    assert_eq!(
        (a["by"].as_str(), a["role"].as_str()),
        (Some("Sam Okafor"), Some("manager")),
        "{rec}"
    );
    assert!(wait(SOON, || outcome(&hub, cmd)).is_some());
    k.stop();
}

#[test]
fn the_city_webs_accounts_act_from_the_command_line_as_on_the_web() {
    let hub = OneHub::started();
    let mut k = hub.kiosk("tully-library");
    let id = k.official(&["--document-kind", "court-order"]);
    k.start();
    assert!(wait_shipped(&hub.pg, &[&k], SOON));
    let add = |name: &str, role: &str, scope: &[&str]| {
        common::city::add_hub_user(
            &hub.config,
            name,
            role,
            scope,
            "correct horse battery staple",
        )
    };
    add("rosa", "counsel", &[]);
    add("lee", "city", &[]);
    add("eve", "counsel", &["alviso-library"]);
    let cmd = command(&hub, &id, &["--note", "Called the clerk", "--by", "rosa"]);
    let rec = wait(SOON, || {
        let rec = k.encounter(&id);
        (!rec["notes"].as_array().unwrap().is_empty()).then_some(rec)
    })
    .expect("the note reaches the kiosk");
    assert!(rec.to_string().contains("rosa"), "{rec}");
    assert_eq!(
        hub.pg.rows(&format!(
            "SELECT by_account, role FROM commands WHERE id = {cmd}"
        )),
        vec![vec![Some("rosa".into()), Some("counsel".into())]]
    );
    // In the city web's journal, as the account's act from the command line.
    assert_eq!(
        hub.pg
            .rows("SELECT username, role, action, detail FROM audit"),
        vec![vec![
            Some("rosa".into()),
            Some("counsel".into()),
            Some("note".into()),
            Some("from the hub's command line".into())
        ]]
    );
    // Refused, each naming what to do, and nothing sent.
    for (by, says) in [
        ("lee", "city role"),
        ("eve", "does not cover facility `tully-library`"),
        ("nobody", "nor is `nobody` an account of the city's web"),
    ] {
        let out = hub.cli(&["command", "tully-library", &id, "--acknowledge", "--by", by]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{by}: {err}");
    }
    let out = hub.cli(&["user", "disable", "rosa"]);
    assert!(out.status.success());
    let out = hub.cli(&[
        "command",
        "tully-library",
        &id,
        "--acknowledge",
        "--by",
        "rosa",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is disabled"));
    assert_eq!(hub.pg.number("SELECT count(*) FROM commands"), 1);
    k.stop();
}
