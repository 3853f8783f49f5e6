//! The dispatcher's rounds under load: pages hanging on a dead relay never
//! hide newer pages, and rounds and commits interleaving send each page
//! once.

mod common;

use common::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use threshold::domain::encounter::Via;

/// A dispatcher for `desk`'s record sending through `notifier`, running
/// with `poll` until the sender is used or dropped.
fn dispatching<N: threshold::alerts::Notifier + Send + Sync + 'static>(
    loaded: threshold::config::Loaded,
    desk: &threshold::app::Desk,
    notifier: N,
    poll: std::time::Duration,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let d = threshold::alerts::Dispatcher::new(
        loaded,
        desk.record().clone(),
        notifier,
        threshold::app::SystemClock,
    )
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(d.run(poll, async move {
        let _ = stopped.await;
    }));
    (stop, task)
}

/// Open `n` encounters at the kiosk, one after another; their ids.
async fn open_encounters(desk: &threshold::app::Desk, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let desk = desk.clone();
        ids.push(
            tokio::task::spawn_blocking(move || desk.open_encounter(None, Via::Kiosk, false))
                .await
                .unwrap()
                .unwrap(),
        );
    }
    ids
}

/// E-mail that never answers (until its deadline), webhooks at once.
#[derive(Clone, Default)]
struct HangingMail {
    hooks: Arc<Mutex<Vec<String>>>,
}

impl threshold::alerts::Notifier for HangingMail {
    async fn send(
        &self,
        page: &threshold::alerts::Outgoing,
    ) -> Result<String, threshold::alerts::SendError> {
        match page.channel {
            threshold::config::Channel::Email => {
                std::future::pending::<()>().await;
                unreachable!()
            }
            _ => {
                self.hooks.lock().unwrap().push(page.facts.id.clone());
                Ok("hooked".into())
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_hanging_pages_than_a_round_takes_never_hide_newer_pages() {
    use threshold::app::{Desk, SystemClock};
    use threshold::config::Channel;
    let dir = tempfile::tempdir().unwrap();
    let mut loaded = alerting_config(
        dir.path(),
        "https://hooks.example.org",
        "\n[alerts.smtp]\nhost = \"127.0.0.1\"\nfrom = \"t@example.org\"\ntls = \"none\"\n",
    );
    loaded
        .config
        .contacts
        .retain(|c| c.name == "Rosa Delgado" || c.name == "Dana Whitfield");
    for c in &mut loaded.config.contacts {
        c.channels = Some(if c.name == "Rosa Delgado" {
            vec![Channel::Webhook]
        } else {
            vec![Channel::Email]
        });
    }
    let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    let notifier = HangingMail::default();
    let (stop, task) = dispatching(
        loaded,
        &desk,
        notifier.clone(),
        std::time::Duration::from_millis(250),
    );
    // More encounters than one round starts pages for (100): each leaves
    // an e-mail page hanging.
    let ids = open_encounters(&desk, 150).await;
    let start = std::time::Instant::now();
    loop {
        let got = notifier.hooks.lock().unwrap().clone();
        if ids.iter().all(|id| got.contains(id)) {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "webhook pages missing: {} of {} arrived",
            ids.iter().filter(|id| got.contains(id)).count(),
            ids.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    task.await.unwrap();
}

/// Every page answered at once, counted by its key.
#[derive(Clone, Default)]
struct Counting {
    sent: Arc<Mutex<HashMap<String, u32>>>,
}

impl threshold::alerts::Notifier for Counting {
    async fn send(
        &self,
        page: &threshold::alerts::Outgoing,
    ) -> Result<String, threshold::alerts::SendError> {
        *self
            .sent
            .lock()
            .unwrap()
            .entry(page.key.clone())
            .or_default() += 1;
        Ok("counted".into())
    }
}

/// Commits wake the dispatcher while its polling rounds run every few
/// milliseconds, so rounds read the outbox while pages finish: a page that
/// finished after a round's snapshot was taken is still due in it, and
/// must not be sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_and_commits_interleaving_send_each_page_once() {
    use threshold::app::{Desk, SystemClock};
    let dir = tempfile::tempdir().unwrap();
    let loaded = alerting_config(dir.path(), "https://hooks.example.org", "");
    let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    let notifier = Counting::default();
    let (stop, task) = dispatching(
        loaded,
        &desk,
        notifier.clone(),
        std::time::Duration::from_millis(3),
    );
    let ids = open_encounters(&desk, 60).await;
    // Every first-tier page delivered (the outbox says so), then a few
    // more rounds for any repeat to show.
    let start = std::time::Instant::now();
    loop {
        let pending = desk
            .deliveries(None, 500)
            .unwrap()
            .iter()
            .filter(|p| p.state != "sent")
            .count();
        if pending == 0 {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{pending} pages never sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let _ = stop.send(());
    task.await.unwrap();
    let sent = notifier.sent.lock().unwrap().clone();
    assert!(sent.len() >= ids.len() * 2, "{} pages", sent.len());
    let repeats: Vec<_> = sent.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeats.is_empty(), "sent more than once: {repeats:?}");
}
