//! Escalation timing on the real dispatcher loop, with tokio's clock paused:
//! tier 2 is paged only after tier 1's deadline, and not at all after an
//! acknowledgement.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use threshold::alerts::{Dispatcher, Notifier, Outgoing, SendError};
use threshold::app::{Clock, Desk};
use threshold::domain::encounter::Via;
use tokio::time::Instant;

/// Wall time that moves with tokio's (paused) clock.
#[derive(Clone)]
struct TokioClock {
    base: DateTime<Utc>,
    start: Instant,
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        self.base + chrono::Duration::from_std(self.start.elapsed()).unwrap()
    }
}

/// Records when each page was handed over, in seconds since the start.
#[derive(Clone)]
struct Recorder {
    start: Instant,
    sent: Arc<Mutex<Vec<(f64, String)>>>,
}

impl Notifier for Recorder {
    async fn send(&self, page: &Outgoing) -> Result<String, SendError> {
        let at = self.start.elapsed().as_secs_f64();
        self.sent.lock().unwrap().push((at, page.key.clone()));
        Ok("recorded".into())
    }
}

impl Recorder {
    fn tiers(&self) -> Vec<(f64, u32)> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|(at, key)| (*at, key.split('/').nth(1).unwrap().parse().unwrap()))
            .collect()
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    desk: Desk<TokioClock>,
    recorder: Recorder,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn start() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let loaded = alerting_config(dir.path(), "https://hooks.example.org", "");
    let start = Instant::now();
    let clock = TokioClock {
        base: Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).unwrap(),
        start,
    };
    let desk = Desk::open(loaded.clone(), dir.path(), clock.clone()).unwrap();
    let recorder = Recorder {
        start,
        sent: Arc::default(),
    };
    let dispatcher =
        Dispatcher::new(loaded, desk.record().clone(), recorder.clone(), clock).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(dispatcher.run(Duration::from_millis(250), async move {
        let _ = stopped.await;
    }));
    Setup {
        _dir: dir,
        desk,
        recorder,
        stop,
        task,
    }
}

#[tokio::test(start_paused = true)]
async fn tier_two_only_after_the_deadline_and_never_after_an_acknowledgement() {
    let s = start().await;
    let id = s.desk.open_encounter(None, Via::Kiosk, false).unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let first = s.recorder.tiers();
    assert_eq!(first.len(), 3, "staff and counsel at once: {first:?}");
    assert!(
        first.iter().all(|(at, tier)| *tier == 0 && *at < 0.5),
        "{first:?}"
    );

    tokio::time::sleep(Duration::from_secs(58)).await; // 59 s
    assert!(
        s.recorder.tiers().iter().all(|(_, t)| *t == 0),
        "nothing before 60 s"
    );
    tokio::time::sleep(Duration::from_secs(2)).await; // 61 s
    let manager: Vec<_> = s
        .recorder
        .tiers()
        .into_iter()
        .filter(|(_, t)| *t == 1)
        .collect();
    assert_eq!(manager.len(), 1, "{manager:?}");
    assert!(
        (60.0..60.6).contains(&manager[0].0),
        "paged within a poll of the deadline: {manager:?}"
    );

    s.desk.acknowledge(&id, "Alex Chen", Via::Cli).unwrap();
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(
        s.recorder.tiers().iter().all(|(_, t)| *t < 2),
        "no rapid response after the acknowledgement"
    );
    let _ = s.stop.send(());
    s.task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unacknowledged_encounters_escalate_through_every_tier_on_time() {
    let s = start().await;
    s.desk
        .open_encounter(None, Via::PanicButton, false)
        .unwrap();
    tokio::time::sleep(Duration::from_secs(400)).await;
    let tiers = s.recorder.tiers();
    let first_of = |tier: u32| tiers.iter().find(|(_, t)| *t == tier).map(|(at, _)| *at);
    assert!(first_of(0).unwrap() < 0.5);
    assert!((60.0..60.6).contains(&first_of(1).unwrap()), "{tiers:?}");
    // Tier 2 waits the manager's 120 s after tier 1 was paged.
    assert!((180.0..181.0).contains(&first_of(2).unwrap()), "{tiers:?}");
    assert_eq!(
        tiers.iter().filter(|(_, t)| *t == 2).count(),
        1,
        "rapid response once"
    );
    let _ = s.stop.send(());
    s.task.await.unwrap();
}
