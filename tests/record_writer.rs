//! The one record writer: rules are checked inside the write transaction
//! of the entry they guard, so concurrent callers cannot both pass a check
//! only one should, and an acknowledgement that commits first stops an
//! escalation that was about to happen.

mod common;

use common::*;
use std::sync::{Arc, Barrier};
use threshold::alerts::{Dispatcher, Notifier, Outgoing, SendError};
use threshold::app::AppError;
use threshold::domain::encounter::{Outcome, RuleRefused, Via};

#[test]
fn of_fifty_concurrent_decisions_exactly_one_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::real_now();
    let desk = desk(dir.path(), clock);
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    // Counsel acknowledges, so every outcome of the profile may be chosen.
    desk.acknowledge(&id, "Rosa Delgado", Via::Cli).unwrap();
    let outcomes = [
        Outcome::WaitedInPublicArea,
        Outcome::Left,
        Outcome::EnteredWithoutConsent,
        Outcome::Other,
    ];
    let start = Arc::new(Barrier::new(50));
    let threads: Vec<_> = (0..50)
        .map(|i| {
            let (desk, id, start) = (desk.clone(), id.clone(), start.clone());
            let outcome = outcomes[i % outcomes.len()];
            std::thread::spawn(move || {
                start.wait();
                desk.decide(&id, outcome, &format!("Staff {i}"), None, None)
                    .map(|_| outcome)
            })
        })
        .collect();
    let results: Vec<Result<Outcome, AppError>> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    let won: Vec<Outcome> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(won.len(), 1, "exactly one decision: {results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        match r {
            Err(AppError::Rule(RuleRefused::AlreadyDecided(o))) => assert_eq!(*o, won[0]),
            other => panic!("refused for another reason: {other:?}"),
        }
        assert!(r
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("is already recorded; add a note to correct it"));
    }
    let rec = desk.encounter(&id).unwrap();
    assert_eq!(rec.outcome.as_deref(), Some(won[0].token()));
    let decided = rec
        .timeline
        .iter()
        .filter(|t| t.kind == "encounter.decided")
        .count();
    assert_eq!(decided, 1);
    assert!(desk.verify().unwrap().intact());
}

#[test]
fn fifty_processes_and_threads_deciding_at_once_record_one_outcome() {
    // The CLI is another writer: its IMMEDIATE transaction re-checks the rule.
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path(), TestClock::real_now());
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    let children: Vec<_> = (0..10)
        .map(|i| {
            bin()
                .arg("--data-dir")
                .arg(dir.path())
                .args(["encounter", "decide", &id, "--outcome", "left", "--by"])
                .arg(format!("Process {i}"))
                .env_remove("THRESHOLD_CONFIG")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let threads: Vec<_> = (0..40)
        .map(|i| {
            let (desk, id) = (desk.clone(), id.clone());
            std::thread::spawn(move || {
                desk.decide(
                    &id,
                    Outcome::WaitedInPublicArea,
                    &format!("T{i}"),
                    None,
                    None,
                )
                .is_ok()
            })
        })
        .collect();
    let by_threads = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .filter(|ok| *ok)
        .count();
    let by_processes = children
        .into_iter()
        .map(|mut c| c.wait().unwrap().success())
        .filter(|ok| *ok)
        .count();
    assert_eq!(by_threads + by_processes, 1);
    assert!(desk.verify().unwrap().intact());
}

/// Pages nobody: every send succeeds at once.
#[derive(Clone)]
struct Quiet;

impl Notifier for Quiet {
    async fn send(&self, _: &Outgoing) -> Result<String, SendError> {
        Ok("quiet".into())
    }
}

#[tokio::test]
async fn an_acknowledgement_that_commits_first_stops_the_escalation_about_to_happen() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = alerting_config(dir.path(), "https://hooks.example.org", "");
    let clock = TestClock::at(2026, 11, 27, 18);
    let desk = desk_with(dir.path(), loaded.clone(), clock.clone());
    let d = Dispatcher::new(loaded, desk.record().clone(), Quiet, clock.clone()).unwrap();
    let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    clock.advance(chrono::Duration::seconds(61));
    // The dispatcher has read that tier 1's deadline passed unanswered ...
    let due = d.due_escalations().await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].encounter, id);
    // ... and before it writes, counsel acknowledges (another writer).
    let cli = bin()
        .arg("--config")
        .arg(dir.path().join("alerting.toml"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["encounter", "ack", &id, "--by", "Rosa Delgado"])
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", stderr(&cli));
    // The escalation re-checks inside its transaction and pages nobody.
    assert!(!d.escalate(&due[0]).await.unwrap());
    let rec = desk.encounter(&id).unwrap();
    assert!(
        rec.notifications.iter().all(|n| n.tier == 0),
        "tier 2 was paged: {:?}",
        rec.notifications
    );
    assert!(!rec
        .timeline
        .iter()
        .any(|t| t.line == threshold::store::query::Line::TierPaged { tier: 2 }));
    // Without the acknowledgement, the same step pages tier 2.
    let other = desk.open_encounter(None, Via::Kiosk, false).unwrap();
    clock.advance(chrono::Duration::seconds(61));
    let due = d.due_escalations().await.unwrap();
    let e = due.iter().find(|e| e.encounter == other).unwrap();
    assert!(d.escalate(e).await.unwrap());
    assert!(desk
        .encounter(&other)
        .unwrap()
        .notifications
        .iter()
        .any(|n| n.tier == 1));
}

#[test]
fn processes_opening_a_new_data_folder_at_once_all_succeed() {
    // The service starting as the CLI records: both migrate the new
    // database; the second must find the first's work, not redo it.
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let children: Vec<_> = (0..6)
            .map(|_| {
                bin()
                    .arg("--data-dir")
                    .arg(dir.path())
                    .args(["checkin", "visitor", "--purpose", "program"])
                    .env_remove("THRESHOLD_CONFIG")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(journal_len(dir.path()), 6);
    }
}
