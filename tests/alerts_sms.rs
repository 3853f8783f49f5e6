//! Pages by SMS through the modem (simulated on a pty, real driver), and
//! acknowledgement by replying `ACK <code>`.
#![cfg(feature = "simulate")]

mod common;

use common::*;
use threshold::config::Channel;
use threshold::devices::sim::modem::{ModemSim, Options};
use threshold::domain::encounter::Via;

#[tokio::test]
async fn pages_by_modem_and_acknowledgement_by_reply() {
    let sim = ModemSim::start(Options::default());
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "\n[alerts.sms]\nmodem = \"{}\"\ntimeout_s = 3\n",
        sim.path.display()
    );
    let mut loaded = alerting_config(dir.path(), "https://hooks.invalid", &extra);
    for c in &mut loaded.config.contacts {
        c.channels = Some(vec![Channel::Sms]);
    }
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    assert_eq!(d.tick().await.unwrap().sent, 3);
    let sent = sim.messages();
    assert_eq!(sent.len(), 3, "three messages, whatever their parts");
    let counsel = sent
        .iter()
        .find(|s| s.to == "+14085550120")
        .expect("counsel's phone");
    assert!(
        counsel.text.starts_with("Funcionarios en el mostrador"),
        "{}",
        counsel.text
    );
    let code = counsel
        .text
        .split("ACK ")
        .nth(1)
        .map(|r| r.chars().take(6).collect::<String>())
        .unwrap_or_else(|| panic!("the message says how to reply: {}", counsel.text));
    assert!(
        code.chars().all(|c| c.is_ascii_digit()) && code.len() == 6,
        "{code}"
    );

    // From a number nobody configured, or with a wrong code: nothing.
    sim.receive("+19995550000", &format!("ACK {code}"));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    sim.receive("+14085550120", &format!("ACK {wrong}"));
    sim.receive("+14085550120", "hello");
    let t = d.tick().await.unwrap();
    assert_eq!(t.acknowledged, 0);
    assert_eq!(sim.inbox_len(), 0, "replies are read and deleted");
    let state = desk
        .record()
        .read(|r| threshold::store::query::encounter_state(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(!state.counsel_acknowledged);

    // The right code from counsel's phone (spaces and case do not matter).
    // Before it: wrong codes from Dana's phone lock hers, and then even
    // her right code is ignored; the lock is hers alone.
    let dana = sent
        .iter()
        .find(|s| s.to == "+14085550110")
        .expect("Dana's phone");
    let dana_code: String = dana
        .text
        .split("ACK ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let wrong = ["000000", "111111"]
        .into_iter()
        .find(|w| *w != dana_code && *w != code)
        .unwrap();
    for _ in 0..threshold::alerts::replies::WRONG_CODES {
        sim.receive("+14085550110", &format!("ACK {wrong}"));
    }
    sim.receive("+14085550110", &format!("ACK {dana_code}"));
    assert_eq!(d.tick().await.unwrap().acknowledged, 0);
    sim.receive("+1 408 555 0120", &format!("ack {code}"));
    assert_eq!(d.tick().await.unwrap().acknowledged, 1);
    let rec = desk
        .record()
        .read(|r| threshold::store::query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(rec.acknowledgements.len(), 1);
    assert_eq!(rec.acknowledgements[0].by, "Rosa Delgado");
    assert_eq!(
        (rec.acknowledgements[0].role, rec.acknowledgements[0].via),
        (
            Some(threshold::domain::role::Role::Counsel),
            threshold::domain::encounter::Via::Sms
        )
    );
    // Escalation stopped: nothing more is sent past the deadline.
    clock.advance(chrono::Duration::seconds(300));
    d.tick().await.unwrap();
    assert_eq!(sim.messages().len(), 3);
    let _ = desk.acknowledge(&id, "Dana", Via::StaffMode);
}

#[tokio::test]
async fn an_unplugged_modem_fails_the_attempt_and_a_replugged_one_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("threshold-modem");
    let extra = format!(
        "\n[alerts.sms]\nmodem = \"{}\"\ntimeout_s = 2\n",
        missing.display()
    );
    let mut loaded = alerting_config(dir.path(), "https://hooks.invalid", &extra);
    loaded.config.contacts.retain(|c| c.name == "Rosa Delgado");
    loaded.config.contacts[0].channels = Some(vec![Channel::Sms]);
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let mut d = dispatcher(dir.path(), &loaded, clock.clone());
    assert_eq!(d.tick().await.unwrap().failed, 1, "no modem at the port");
    let rec = desk
        .record()
        .read(|r| threshold::store::query::encounter(r.conn(), &id))
        .unwrap()
        .unwrap()
        .unwrap();
    let err = rec.notifications[0].last_error.clone().unwrap();
    assert!(
        err.contains("threshold-modem"),
        "the error names the port: {err}"
    );
    // Plugged in (udev makes the stable name point at the device).
    let sim = ModemSim::start(Options::default());
    std::os::unix::fs::symlink(&sim.path, &missing).unwrap();
    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(d.tick().await.unwrap().sent, 1);
    assert_eq!(sim.messages().len(), 1);
}
