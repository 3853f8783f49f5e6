//! Alert latency benchmarks (run with `cargo bench --bench alerts`; figures
//! go in BENCHMARKS.md). Prints a table; asserts nothing about time.
//!
//! From an encounter's commit to the message accepted by a loopback SMTP
//! server (after DATA) and by a loopback webhook receiver (request read),
//! for encounters recorded in this process (the kiosk: the dispatcher wakes
//! on the commit) and by `threshold checkin official` in another process
//! (the dispatcher polls every 250 ms); beside a bare lettre send and a bare
//! HTTP POST to the same servers, which are the limits. Then again with the
//! SMTP relay a blackhole (accepts, never answers) for the e-mail contact:
//! the webhook must not notice. THRESHOLD_BENCH_ENCOUNTERS sets how many
//! (default 1,000).

mod common;

use common::summary;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use threshold::alerts::{Channels, Dispatcher};
use threshold::app::{Desk, SystemClock};
use threshold::config::Loaded;
use threshold::devices::health::Health;
use threshold::domain::encounter::Via;

/// When each message was accepted, by its key (webhook: the encounter id;
/// e-mail: the Message-ID).
#[derive(Clone, Default)]
struct Accepted(Arc<Mutex<HashMap<String, (Instant, SystemTime)>>>);

impl Accepted {
    fn note(&self, key: String) {
        self.0
            .lock()
            .unwrap()
            .insert(key, (Instant::now(), SystemTime::now()));
    }
    fn get(&self, key: &str) -> Option<(Instant, SystemTime)> {
        self.0.lock().unwrap().get(key).copied()
    }
    fn wait(&self, key: &str, within: Duration) -> Option<(Instant, SystemTime)> {
        let end = Instant::now() + within;
        loop {
            if let Some(t) = self.get(key) {
                return Some(t);
            }
            if Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

/// A plain SMTP server on loopback: EHLO, MAIL, RCPT, DATA, RSET, NOOP,
/// QUIT; a message counts as accepted when its 250 is sent.
fn smtp_server(accepted: Accepted) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let accepted = accepted.clone();
            std::thread::spawn(move || smtp_session(stream, &accepted));
        }
    });
    port
}

fn smtp_session(stream: TcpStream, accepted: &Accepted) {
    stream.set_nodelay(true).ok();
    let mut out = stream.try_clone().unwrap();
    let mut lines = BufReader::new(stream);
    let _ = out.write_all(b"220 localhost ESMTP bench\r\n");
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                let _ = out.write_all(b"354 go ahead\r\n");
                let mut id = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Message-ID: ") {
                        id = v.trim().to_string();
                    }
                }
                accepted.note(id);
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                let _ = out.write_all(b"221 bye\r\n");
                return;
            }
            _ => b"502 not here\r\n",
        };
        if out.write_all(reply).is_err() {
            return;
        }
    }
}

/// A loopback HTTP receiver answering 200, keep-alive; a request counts as
/// accepted when its body is read.
fn webhook_server(accepted: Accepted) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let accepted = accepted.clone();
            std::thread::spawn(move || http_session(stream, &accepted));
        }
    });
    port
}

fn http_session(stream: TcpStream, accepted: &Accepted) {
    stream.set_nodelay(true).ok();
    let mut out = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        accepted.note(json["encounter"].as_str().unwrap_or("").to_string());
        if out
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .is_err()
        {
            return;
        }
    }
}

const FROM: &str = "Threshold <threshold@example.org>";

/// The demo facility with two contacts, both in the first tier: counsel
/// (Rosa Delgado) by webhook, designated staff (Dana Whitfield) by e-mail
/// through `smtp_port`; written to `bench.toml` so the CLI pages the same.
fn config(dir: &std::path::Path, webhook_port: u16, smtp_port: u16) -> Loaded {
    let text = format!(
        "{}\n[alerts.webhook]\nsecret_file = \"webhook.secret\"\nstyle = \"plain\"\ntimeout_s = 10\n\n[alerts.smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\ntls = \"none\"\nfrom = \"{FROM}\"\ntimeout_s = 15\n\n[admin]\nlisten = \"127.0.0.1:0\"\n",
        threshold::config::DEMO_CONFIG
    );
    std::fs::write(dir.join("webhook.secret"), "bench secret\n").unwrap();
    let mut loaded = Loaded::from_text("bench", &text, dir).unwrap();
    loaded
        .config
        .contacts
        .retain(|c| c.name == "Dana Whitfield" || c.name == "Rosa Delgado");
    for c in &mut loaded.config.contacts {
        if c.name == "Rosa Delgado" {
            c.webhook = Some(format!("http://127.0.0.1:{webhook_port}/counsel"));
            c.channels = Some(vec![threshold::config::Channel::Webhook]);
        } else {
            c.channels = Some(vec![threshold::config::Channel::Email]);
        }
    }
    let file = dir.join("bench.toml");
    std::fs::write(&file, toml::to_string(&loaded.config).unwrap()).unwrap();
    Loaded::from_file(&file).unwrap()
}

fn email_id(encounter: &str) -> String {
    let from: lettre::message::Mailbox = FROM.parse().unwrap();
    threshold::alerts::email::message_id(&format!("{encounter}/0/Dana Whitfield/email"), &from)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn row(label: &str, samples: Vec<f64>) -> f64 {
    let n = samples.len();
    let (p50, p99) = summary(samples);
    println!("| {label} ({n}) | p50 {p50:.2} ms, p99 {p99:.2} ms |");
    p99
}

/// Encounters opened in this process, one after another: commit → accepted.
fn same_process(n: usize, smtp_blackhole: bool) -> (Vec<f64>, Vec<f64>) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (hooks, mail) = (Accepted::default(), Accepted::default());
    let webhook_port = webhook_server(hooks.clone());
    let smtp_port = if smtp_blackhole {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for s in l.incoming().flatten() {
                held.push(s);
            }
        });
        port
    } else {
        smtp_server(mail.clone())
    };
    let loaded = config(dir.path(), webhook_port, smtp_port);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let d = {
        let _enter = rt.enter();
        let channels = Channels::from_config(&loaded, &Health::default());
        Dispatcher::new(loaded, desk.record().clone(), channels, SystemClock).unwrap()
    };
    let task = rt.spawn(d.run(Duration::from_millis(250), async move {
        let _ = stopped.await;
    }));
    let (mut by_hook, mut by_mail) = (Vec::new(), Vec::new());
    for i in 0..n {
        let id = desk.open_encounter(None, Via::Kiosk, false).unwrap();
        let committed = Instant::now();
        let hook = hooks
            .wait(&id, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("no webhook page for encounter {i} in 10 s"));
        by_hook.push(ms(hook.0.saturating_duration_since(committed)));
        if !smtp_blackhole {
            let m = mail
                .wait(&email_id(&id), Duration::from_secs(10))
                .expect("the e-mail page");
            by_mail.push(ms(m.0.saturating_duration_since(committed)));
        }
    }
    let _ = stop.send(());
    rt.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    });
    drop(rt);
    (by_hook, by_mail)
}

/// Encounters recorded by the CLI in another process; the dispatcher here
/// polls. Commit time: the journal's time of the encounter's first entry.
fn other_process(n: usize) -> (Vec<f64>, Vec<f64>) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (hooks, mail) = (Accepted::default(), Accepted::default());
    let webhook_port = webhook_server(hooks.clone());
    let smtp_port = smtp_server(mail.clone());
    let loaded = config(dir.path(), webhook_port, smtp_port);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let desk = Desk::open(loaded.clone(), dir.path(), SystemClock).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let d = {
        let _enter = rt.enter();
        let channels = Channels::from_config(&loaded, &Health::default());
        Dispatcher::new(loaded, desk.record().clone(), channels, SystemClock).unwrap()
    };
    let task = rt.spawn(d.run(Duration::from_millis(250), async move {
        let _ = stopped.await;
    }));
    let config = dir.path().join("bench.toml");
    let mut ids = Vec::new();
    for _ in 0..n {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_threshold"))
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(dir.path())
            .args([
                "--json",
                "checkin",
                "official",
                "--officer",
                "A. Ruiz;1;ICE",
                "--document-kind",
                "none",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    let (mut by_hook, mut by_mail) = (Vec::new(), Vec::new());
    for id in &ids {
        let opened = desk.encounter(id).unwrap().opened_at;
        let committed: SystemTime = chrono::DateTime::parse_from_rfc3339(&opened)
            .unwrap()
            .with_timezone(&chrono::Utc)
            .into();
        let hook = hooks
            .wait(id, Duration::from_secs(20))
            .expect("the webhook page");
        by_hook.push(ms(hook.1.duration_since(committed).unwrap_or_default()));
        let m = mail
            .wait(&email_id(id), Duration::from_secs(20))
            .expect("the e-mail page");
        by_mail.push(ms(m.1.duration_since(committed).unwrap_or_default()));
    }
    let _ = stop.send(());
    rt.block_on(async {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    });
    (by_hook, by_mail)
}

/// The limits: a bare lettre send and a bare HTTP POST, one after another.
fn bare(n: usize) -> (Vec<f64>, Vec<f64>) {
    use lettre::AsyncTransport;
    let (hooks, mail) = (Accepted::default(), Accepted::default());
    let webhook_port = webhook_server(hooks);
    let smtp_port = smtp_server(mail);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let transport =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(smtp_port)
                .build();
        let client = reqwest::Client::new();
        let url = format!("http://127.0.0.1:{webhook_port}/counsel");
        let body = serde_json::json!({ "encounter": "E-BARE", "text": "x".repeat(300) });
        let (mut by_mail, mut by_hook) = (Vec::new(), Vec::new());
        for i in 0..n {
            let message = lettre::Message::builder()
                .from(FROM.parse().unwrap())
                .to("dana.whitfield@example.org".parse().unwrap())
                .subject("Officials at the desk")
                .message_id(Some(format!("<bare-{i}@example.org>")))
                .body("x".repeat(300))
                .unwrap();
            let t = Instant::now();
            transport.send(message).await.unwrap();
            by_mail.push(ms(t.elapsed()));
            let t = Instant::now();
            let r = client.post(&url).json(&body).send().await.unwrap();
            assert!(r.status().is_success());
            by_hook.push(ms(t.elapsed()));
        }
        (by_hook, by_mail)
    })
}

fn main() {
    let n: usize = std::env::var("THRESHOLD_BENCH_ENCOUNTERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    println!("| benchmark | result |\n|---|---|");
    let (hook_limit, mail_limit) = bare(n);
    row("limit: bare HTTP POST to the webhook receiver", hook_limit);
    row("limit: bare lettre send to the SMTP server", mail_limit);
    let (hook, mail) = same_process(n, false);
    row(
        "kiosk check-in (same process): commit → webhook accepted",
        hook,
    );
    row(
        "kiosk check-in (same process): commit → e-mail accepted",
        mail,
    );
    let (hook, mail) = other_process(n);
    row(
        "CLI check-in (other process, 250 ms poll): commit → webhook accepted",
        hook,
    );
    row(
        "CLI check-in (other process, 250 ms poll): commit → e-mail accepted",
        mail,
    );
    // With and without a blackhole relay, in alternating halves, so that
    // both meet the machine in the same state.
    let (mut healthy, mut blackhole) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        healthy.extend(same_process(n / 2, false).0);
        blackhole.extend(same_process(n / 2, true).0);
    }
    let healthy_p99 = row(
        "kiosk check-in, healthy relay (alternating with the next): commit → webhook accepted",
        healthy,
    );
    let blackhole_p99 = row(
        "kiosk check-in with a blackhole SMTP relay for the e-mail contact: commit → webhook accepted",
        blackhole,
    );
    println!(
        "| webhook p99 with the blackhole relay / without | {:.2}× |",
        blackhole_p99 / healthy_p99
    );
}
