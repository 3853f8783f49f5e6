//! City hub benchmarks (`cargo bench --bench hub`; figures go in
//! BENCHMARKS.md). A private PostgreSQL server made with the machine's
//! initdb, the real hub (`threshold::hub::serve`) on loopback HTTP, and the
//! real shipper. Prints a table; asserts nothing about time.
//!
//! - ingest, entries a second, one kiosk and 20 at once, beside the limit:
//!   a bare batched INSERT (unnest, one transaction a batch) of the same
//!   rows into a table of the same shape, on the same server;
//! - catch-up of 10,000 entries by the shipper;
//! - push latency from a commit to the hub's receipt kept on the kiosk,
//!   for this process's commits and another writer's;
//! - command latency: counsel's instruction issued on the hub (on another
//!   pool than the hub serving the kiosk's poll, as another hub process
//!   would) until it is in the kiosk's record.

mod common;

use common::summary;
use std::sync::Arc;
use std::time::{Duration, Instant};
use threshold::app::records::FacilityKey;
use threshold::app::shipper::{Pushed, Shipper};
use threshold::app::{Desk, SystemClock};
use threshold::config::Loaded;
use threshold::domain::chain::{chain_hash, GENESIS};
use threshold::domain::checkin::VisitorCheckIn;
use threshold::domain::language::Language;
use threshold::domain::shipping::{Batch, WireEntry};
use threshold::hub::cluster::Cluster;
use threshold::hub::config::{Database, HubConfig, Service};

const BATCH: usize = 500;

/// `n` entries of `facility` the size of a check-in's (a 230-byte body).
fn chain(facility: &str, n: usize) -> Vec<WireEntry> {
    let mut prev = GENESIS;
    (1..=n as i64)
        .map(|seq| {
            let at = format!("2026-12-05T10:{:02}:{:02}.000Z", (seq / 60) % 60, seq % 60);
            let body = format!(
                "{{\"purpose\":\"program\",\"language\":\"vi\",\"entrance\":\"main\",\"name\":{{\"vault\":{seq},\"commit\":\"{}\"}},\"host\":null}}",
                "ab".repeat(32)
            );
            let subject = format!("V-{seq:010}");
            let h = chain_hash(&prev, seq, &at, facility, "checkin.recorded", &subject, &body);
            prev = h;
            WireEntry {
                seq,
                at,
                facility: facility.into(),
                kind: "checkin.recorded".into(),
                subject,
                body,
                hash: hex::encode(h),
            }
        })
        .collect()
}

fn batches(facility: &str, key: &FacilityKey, entries: &[WireEntry]) -> Vec<String> {
    entries
        .chunks(BATCH)
        .map(|c| {
            let prev = if c[0].seq == 1 {
                GENESIS
            } else {
                threshold::domain::shipping::hash_from_hex(&entries[c[0].seq as usize - 2].hash)
                    .unwrap()
            };
            serde_json::to_string(&Batch::signed(facility, prev, c.to_vec(), |s| key.sign(s)))
                .unwrap()
        })
        .collect()
}

async fn ship(client: &reqwest::Client, url: &str, bodies: &[String]) {
    for b in bodies {
        let r = client
            .post(url)
            .header("content-type", "application/json")
            .body(b.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

/// The bare limit: the same rows by one batched INSERT a transaction.
async fn bare(pool: &deadpool_postgres::Pool, table: &str, facility: &str, entries: &[WireEntry]) {
    let mut c = pool.get().await.unwrap();
    for chunk in entries.chunks(BATCH) {
        let tx = c.transaction().await.unwrap();
        let seqs: Vec<i64> = chunk.iter().map(|e| e.seq).collect();
        let ats: Vec<&str> = chunk.iter().map(|e| e.at.as_str()).collect();
        let kinds: Vec<&str> = chunk.iter().map(|e| e.kind.as_str()).collect();
        let subjects: Vec<&str> = chunk.iter().map(|e| e.subject.as_str()).collect();
        let bodies: Vec<&str> = chunk.iter().map(|e| e.body.as_str()).collect();
        let hashes: Vec<Vec<u8>> = chunk
            .iter()
            .map(|e| hex::decode(&e.hash).unwrap())
            .collect();
        tx.execute(
            &format!("INSERT INTO {table} (facility, seq, at, kind, subject, body, hash) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])"),
            &[&facility, &seqs, &ats, &kinds, &subjects, &bodies, &hashes],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

fn kiosk_config(facility: &str, port: u16, hub_key: &str, push_every_ms: u64) -> Loaded {
    let demo = include_str!("../assets/config/demo.toml")
        .replace("id = \"sj-demo-branch\"", &format!("id = \"{facility}\""));
    let text = format!(
        "{demo}\n[hub]\nurl = \"http://127.0.0.1:{port}\"\npublic_key = \"{hub_key}\"\npush_every_ms = {push_every_ms}\n"
    );
    Loaded::from_text("kiosk.toml", &text, std::path::Path::new(".")).unwrap()
}

fn visitor() -> VisitorCheckIn {
    VisitorCheckIn {
        purpose: "program".into(),
        name: Some("Lan".into()),
        host: None,
        language: Language::Vietnamese,
        entrance: "main".into(),
    }
}

fn main() {
    let dir = tempfile::Builder::new()
        .prefix("thb")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let cluster =
        Cluster::start(&dir.path().join("pg")).expect("PostgreSQL (apt-get install postgresql)");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = HubConfig {
        hub: Service {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            tls_cert: None,
            tls_key: None,
            key_file: dir.path().join("keys").join("hub.key"),
            data_key_file: None,
        },
        database: Database {
            ca_file: None,
            url: Some(cluster.url()),
            password_file: None,
            cluster: None,
            pool: 24,
        },
        facility: vec![],
        account: vec![],
        web: Default::default(),
        retention: Default::default(),
    };
    let hub_key = threshold::hub::HubKey::open(&config.hub.key_file, true)
        .unwrap()
        .public_hex();
    let (stop, watch) = tokio::sync::watch::channel(false);
    let (bound, on) = tokio::sync::oneshot::channel();
    rt.spawn(threshold::hub::serve(config.clone(), watch, bound));
    rt.block_on(on).unwrap();
    let pool = threshold::hub::store::pool(
        &cluster.url(),
        None,
        24,
        &threshold::hub::store::Tls::AsUrlSays,
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{port}/v1/batches");
    let client = reqwest::Client::new();
    rt.block_on(async {
        pool.get()
            .await
            .unwrap()
            .batch_execute(
                "CREATE TABLE bare (facility text, seq bigint, at text, kind text, subject text, body text, hash bytea, received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (facility, seq))",
            )
            .await
            .unwrap();
    });
    let mut rows: Vec<(String, String, String)> = Vec::new();

    // Ingest: one kiosk, then 20 at once; each beside the bare INSERT, in
    // three rounds that alternate the two (so neither always meets a
    // warmer server), the median round reported.
    for (kiosks, per) in [(1usize, 20_000usize), (20, 5_000)] {
        let mut rounds = Vec::new();
        for round in 0..3 {
            let mut work = Vec::new();
            for k in 0..kiosks {
                let id = format!("bench-{kiosks}-{round}-{k}");
                let key = FacilityKey::from_seed([(k + 31 * round) as u8 + kiosks as u8; 32]);
                rt.block_on(threshold::hub::store::enroll(&pool, &id, &hex_key(&key)))
                    .unwrap();
                let entries = chain(&id, per);
                work.push((id.clone(), batches(&id, &key, &entries), entries));
            }
            let work = Arc::new(work);
            let t = Instant::now();
            rt.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..kiosks {
                    let (w, c, u) = (work.clone(), client.clone(), url.clone());
                    set.spawn(async move { ship(&c, &u, &w[i].1).await });
                }
                while set.join_next().await.is_some() {}
            });
            let ours = (kiosks * per) as f64 / t.elapsed().as_secs_f64();
            let t = Instant::now();
            rt.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..kiosks {
                    let (w, p) = (work.clone(), pool.clone());
                    set.spawn(async move { bare(&p, "bare", &w[i].0, &w[i].2).await });
                }
                while set.join_next().await.is_some() {}
            });
            let limit = (kiosks * per) as f64 / t.elapsed().as_secs_f64();
            rounds.push((limit / ours, ours, limit));
        }
        rounds.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
        let (ratio, ours, limit) = rounds[1];
        rows.push((
            format!("ingest, {kiosks} kiosk(s) × {per} entries, batches of {BATCH}: hub (HTTP, signature, chain, receipt) / bare INSERT, median of 3 rounds"),
            "within 2× of the bare limit".into(),
            format!(
                "{ours:.0} / {limit:.0} entries/s ({ratio:.2}×; rounds {})",
                rounds.iter().map(|r| format!("{:.2}×", r.0)).collect::<Vec<_>>().join(", ")
            ),
        ));
    }

    // Catch-up: a kiosk offline for 10,000 entries.
    let kdir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let loaded = kiosk_config("bench-catch-up", port, &hub_key, 2000);
    let desk = Desk::open(loaded.clone(), kdir.path(), SystemClock).unwrap();
    for _ in 0..10_000 {
        desk.check_in_visitor(visitor()).unwrap();
    }
    let key = FacilityKey::open(kdir.path()).unwrap();
    rt.block_on(threshold::hub::store::enroll(
        &pool,
        "bench-catch-up",
        &hex_key(&key),
    ))
    .unwrap();
    let health = threshold::devices::health::Health::new(None);
    let mut shipper = Shipper::new(desk.clone(), health.clone()).unwrap();
    let t = Instant::now();
    rt.block_on(async { while shipper.push().await.unwrap() != Pushed::UpToDate {} });
    rows.push((
        "catch-up of 10,000 entries (the shipper, batches of 500, receipts kept)".into(),
        "under 5 s".into(),
        format!("{:.2} s", t.elapsed().as_secs_f64()),
    ));

    // Push latency: commit → the hub's receipt kept on the kiosk.
    for (label, external) in [
        ("this service's commits", false),
        ("another process's commits", true),
    ] {
        let kdir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let id = if external {
            "bench-latency-ext"
        } else {
            "bench-latency"
        };
        let loaded = kiosk_config(id, port, &hub_key, 2000);
        let desk = Desk::open(loaded.clone(), kdir.path(), SystemClock).unwrap();
        let key = FacilityKey::open(kdir.path()).unwrap();
        rt.block_on(threshold::hub::store::enroll(&pool, id, &hex_key(&key)))
            .unwrap();
        let shipper = Shipper::new(desk.clone(), health.clone()).unwrap();
        let (stop_k, watch_k) = tokio::sync::watch::channel(false);
        rt.spawn(shipper.run(watch_k));
        // "Another process": a second record writer on the same folder,
        // whose commits this service's shipper does not hear of.
        let other = external.then(|| Desk::open(loaded.clone(), kdir.path(), SystemClock).unwrap());
        let writer = other.as_ref().unwrap_or(&desk);
        let mut samples = Vec::new();
        for i in 0..150 {
            writer.check_in_visitor(visitor()).unwrap();
            let t = Instant::now();
            let head = desk.chain_head().unwrap().0;
            loop {
                let got = desk.last_receipt().unwrap().map_or(0, |a| a.seq);
                if got >= head {
                    break;
                }
                std::thread::sleep(Duration::from_micros(500));
            }
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            // Commits at uneven moments against the push interval.
            std::thread::sleep(Duration::from_millis(20 + (i * 37 % 180) as u64));
        }
        let _ = stop_k.send(true);
        let (p50, p99) = summary(samples);
        rows.push((
            format!("push latency, commit → receipt kept, {label} (150, push_every_ms = 2000)"),
            "p99 under 2,100 ms".into(),
            format!("p50 {p50:.1} ms / p99 {p99:.1} ms"),
        ));
    }
    // Command latency: issued on the hub → in the kiosk's record.
    {
        let kdir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let id = "bench-commands";
        let loaded = kiosk_config(id, port, &hub_key, 2000);
        let desk = Desk::open(loaded.clone(), kdir.path(), SystemClock).unwrap();
        let key = FacilityKey::open(kdir.path()).unwrap();
        rt.block_on(threshold::hub::store::enroll(&pool, id, &hex_key(&key)))
            .unwrap();
        let encounter = desk
            .open_encounter(None, threshold::domain::encounter::Via::Kiosk, false)
            .unwrap();
        let mut shipper = Shipper::new(desk.clone(), health.clone()).unwrap();
        rt.block_on(async { while shipper.push().await.unwrap() != Pushed::UpToDate {} });
        let down = threshold::app::downstream::Downstream::new(desk.clone()).unwrap();
        let (stop_d, watch_d) = tokio::sync::watch::channel(false);
        rt.spawn(down.run(watch_d));
        let signer = threshold::hub::HubKey::open(&config.hub.key_file, false).unwrap();
        let data = threshold::hub::seal::DataKey::open(&config.data_key_file(), false).unwrap();
        let mut samples = Vec::new();
        for i in 0..60 {
            let order = threshold::hub::commands::Order {
                facility: id,
                encounter: &encounter,
                action: threshold::domain::shipping::command::Action::Instruct {
                    text: format!("Instruction {i}: ask for the second page."),
                },
                by: "Bench Counsel",
                role: Some(threshold::domain::role::Role::Counsel),
            };
            let t = Instant::now();
            rt.block_on(threshold::hub::commands::issue(
                &pool, &signer, &data, order,
            ))
            .unwrap();
            while desk
                .encounter(&encounter)
                .unwrap()
                .counsel_instructions
                .len()
                <= i
            {
                std::thread::sleep(Duration::from_millis(1));
            }
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            std::thread::sleep(Duration::from_millis(30 + (i * 37 % 200) as u64));
        }
        let _ = stop_d.send(true);
        let (p50, p99) = summary(samples);
        rows.push((
            "command latency, counsel's instruction issued on the hub → in the kiosk's record (60; issued on another pool than the one holding the kiosk's poll, which its NOTIFY wakes)".to_string(),
            "p99 under 1,000 ms".into(),
            format!("p50 {p50:.1} ms / p99 {p99:.1} ms"),
        ));
    }
    let _ = stop.send(true);
    drop(rt);
    let _ = cluster.stop();

    println!("| benchmark | goal | result |\n|---|---|---|");
    for (b, g, r) in rows {
        println!("| {b} | {g} | {r} |");
    }
}

fn hex_key(key: &FacilityKey) -> [u8; 32] {
    threshold::domain::shipping::hash_from_hex(&key.public_hex()).unwrap()
}
