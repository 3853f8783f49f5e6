//! Behind a load balancer, the hub process holding a kiosk's poll is often
//! not the one counsel's command was issued on. Each command is announced
//! with NOTIFY when it is stored, and every hub process listens: the polls
//! it holds wake at once, whichever process issued it.

mod common;

use common::city_world::*;
use std::sync::Arc;
use std::time::Duration;
use threshold::domain::role::Role;
use threshold::domain::shipping::command::Action;
use threshold::hub::commands::{issue, Order};
use threshold::hub::store::{Connect, Tls};
use tokio::sync::Notify;

/// Hub processes listening on the database.
async fn listening(w: &CityWorld) -> i64 {
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN {}'",
        threshold::hub::wake::CHANNEL
    );
    let c = w.pool.get().await.unwrap();
    c.query_one(&sql, &[]).await.unwrap().get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_issued_on_one_hub_process_wakes_the_polls_every_process_holds() {
    let w = city().await;
    let connect = Connect::new(&w.pg.url(), None, &Tls::AsUrlSays).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let processes: Vec<Arc<Notify>> = (0..2).map(|_| Arc::new(Notify::new())).collect();
    for p in &processes {
        tokio::spawn(threshold::hub::wake::on_commands(
            connect.clone(),
            p.clone(),
            stopped.clone(),
        ));
    }
    let mut tries = 0;
    while listening(&w).await < 2 {
        tries += 1;
        assert!(tries < 300, "the two listeners never started listening");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each process holds a poll: registered before the command is issued.
    let held: Vec<_> = processes
        .iter()
        .map(|p| {
            let p = p.clone();
            tokio::spawn(async move { p.notified().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let key = threshold::hub::HubKey::from_seed([7; 32]);
    let data = threshold::hub::seal::DataKey::from_bytes([9; 32]);
    let order = Order {
        facility: EAST,
        encounter: "E-EASTOPEN",
        action: Action::Acknowledge,
        by: "rosa",
        role: Some(Role::Counsel),
    };
    issue(&w.pool, &key, &data, order).await.unwrap();
    for (i, h) in held.into_iter().enumerate() {
        // Without the NOTIFY nothing would ever wake these.
        tokio::time::timeout(Duration::from_secs(30), h)
            .await
            .unwrap_or_else(|_| panic!("hub process {i} was not woken by the command"))
            .unwrap();
    }
    let _ = stop.send(true);
}
