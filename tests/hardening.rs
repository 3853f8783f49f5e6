//! The attack review's findings, each reproduced against the service as
//! deployed (`threshold run --headless` on the shipped example config) and
//! now refused: idle and half-sent connections, sign-in floods, parallel
//! guesses, strangers locking the owner out, and open redirects.
#![cfg(feature = "simulate")]

mod common;

use common::deployment::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const SOON: Duration = Duration::from_secs(15);

fn start(world: &World, files: Option<u64>) -> Service {
    let service = world.run_with(None, files);
    let up = wait(SOON, || {
        http(world.admin_port, "GET", "/healthz").filter(|(s, _)| *s == 200)
    });
    assert!(up.is_some(), "no /healthz: {:?}", service.log());
    service
}

#[test]
fn idle_and_half_sent_connections_never_take_the_door_down() {
    let world = World::new(Fault::None);
    // The open-file limit the review ran into (1,024, outside systemd).
    let service = start(&world, Some(1024));
    let port = world.admin_port;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // 1,100 idle connections from eleven other hosts.
    let held = rt.block_on(async {
        let mut held = Vec::new();
        for host in 2..=12u8 {
            for _ in 0..100 {
                let s = tokio::net::TcpSocket::new_v4().unwrap();
                s.bind(format!("127.0.0.{host}:0").parse().unwrap())
                    .unwrap();
                if let Ok(c) = s
                    .connect(format!("127.0.0.1:{port}").parse().unwrap())
                    .await
                {
                    held.push(c);
                }
            }
        }
        held
    });
    assert_eq!(held.len(), 1_100);
    // A request whose headers never end.
    let mut half = TcpStream::connect(("127.0.0.1", port)).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nhost: t\r\n")
        .unwrap();
    half.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let sent_half = Instant::now();

    // The service still answers, and still pages.
    let t = Instant::now();
    let ok = wait(Duration::from_secs(5), || {
        http(port, "GET", "/healthz").filter(|(s, _)| *s == 200)
    });
    assert!(ok.is_some(), "/healthz: {:?}", service.log());
    eprintln!(
        "/healthz answered {:?} after 1,100 idle connections",
        t.elapsed()
    );
    let id = world.official_checkin();
    let page = world
        .hooks
        .wait_for("/threshold/front-desk", SOON)
        .unwrap_or_else(|| panic!("no page: {:?}", service.log()));
    assert!(page.text().contains(&id));
    let files = service.open_files();
    assert!(
        files < 700,
        "{files} files open: the cap should hold connections to 512"
    );
    assert!(
        service
            .log()
            .iter()
            .any(|l| l.contains("connections refused at the cap")),
        "{:?}",
        service.log()
    );

    // The half-sent request is closed unanswered after the header timeout.
    let mut buf = [0u8; 256];
    let n = half.read(&mut buf).unwrap_or(0);
    let took = sent_half.elapsed();
    assert!(
        !String::from_utf8_lossy(&buf[..n]).contains("200 OK"),
        "a half-sent request was answered"
    );
    assert!(
        took >= Duration::from_secs(8) && took < Duration::from_secs(20),
        "closed after {took:?}"
    );
    // And so are the idle ones: the service's files come back down.
    let down = wait(SOON, || (service.open_files() < 200).then_some(()));
    assert!(
        down.is_some(),
        "{} files still open after the idle timeout",
        service.open_files()
    );
    drop(held);
}

#[test]
fn a_flood_of_sign_ins_keeps_memory_flat() {
    let world = World::new(Fault::None);
    let service = start(&world, None);
    let port = world.admin_port;
    let form = login_form(port);
    let before_mb = service.status_kb("VmHWM") / 1024;
    let threads: Vec<_> = (0..250u32)
        .map(|i| {
            let form = form.clone();
            std::thread::spawn(move || {
                // 250 clients, 250 account names: no limit applies, only
                // the bound on password checks at once.
                let from = format!("198.18.{}.{}", i / 200, i % 200 + 1);
                sign_in(
                    port,
                    &form,
                    &from,
                    &format!("user{i}"),
                    "guess number one",
                    "/",
                    None,
                )
                .status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let peak_mb = service.status_kb("VmHWM") / 1024;
    eprintln!(
        "peak resident memory {before_mb} MB before, {peak_mb} MB after; {} checked, {} answered 429",
        statuses.iter().filter(|s| **s == 401).count(),
        statuses.iter().filter(|s| **s == 429).count()
    );
    assert!(peak_mb < 200, "peak resident memory {peak_mb} MB");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert!(statuses.contains(&401));
    assert!(http(port, "GET", "/healthz").is_some_and(|(s, _)| s == 200));
}

#[test]
fn guessers_are_slowed_the_owner_still_signs_in_and_redirects_stay_on_site() {
    use threshold::admin::throttle::{FREE, MAX_DELAY};
    let world = World::new(Fault::None);
    add_owner(&world);
    let service = start(&world, None);
    let port = world.admin_port;
    let form = login_form(port);
    let home = "203.0.113.5";
    // The owner signed in from her phone before: it is a known device.
    let r = sign_in(port, &form, home, "rosa", OWNER_PASSWORD, "/", None);
    assert_eq!(r.status, 303, "{}", r.body);
    let device = r.cookie("th_device").expect("a known-device cookie");

    // 40 parallel guesses from one stranger, the right password among
    // them: no more checked than the limit.
    let threads: Vec<_> = (0..40)
        .map(|i| {
            let form = form.clone();
            std::thread::spawn(move || {
                let password = if i == 39 {
                    OWNER_PASSWORD
                } else {
                    "not her password"
                };
                sign_in(port, &form, "198.51.100.7", "rosa", password, "/", None).status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let checked = statuses.iter().filter(|s| **s != 429).count();
    assert!(
        checked <= FREE as usize + 1,
        "{checked} of 40 guesses checked: {statuses:?}"
    );

    // Strangers from many addresses keep guessing …
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let guessing = {
        let (form, stop) = (form.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let from = format!("192.0.2.{}", i % 250 + 1);
                sign_in(port, &form, &from, "rosa", "still guessing", "/", None);
                i += 1;
            }
            i
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    // … and the owner signs in from her phone at once.
    let r = sign_in(
        port,
        &form,
        home,
        "rosa",
        OWNER_PASSWORD,
        "/",
        Some(&device),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // From a browser she never used, she is delayed, not locked out.
    let r = sign_in(
        port,
        &form,
        "203.0.113.99",
        "rosa",
        OWNER_PASSWORD,
        "/",
        None,
    );
    if r.status == 429 {
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(wait <= MAX_DELAY.as_secs(), "{wait}");
        assert!(r.body.contains("Wait"), "{}", r.body);
    } else {
        assert_eq!(r.status, 303);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let tries = guessing.join().unwrap();
    eprintln!("strangers tried {tries} times meanwhile");

    // Every redirect variant stays on the site.
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "https://evil.example",
        "https:evil.example",
        "/ /evil.example",
    ] {
        let r = sign_in(
            port,
            &form,
            home,
            "rosa",
            OWNER_PASSWORD,
            next,
            Some(&device),
        );
        assert_eq!(r.status, 303, "{next:?}: {}", r.body);
        assert_eq!(r.header("location").as_deref(), Some("/"), "{next:?}");
    }
    let r = sign_in(
        port,
        &form,
        home,
        "rosa",
        OWNER_PASSWORD,
        "/log?kind=visitor",
        Some(&device),
    );
    assert_eq!(r.header("location").as_deref(), Some("/log?kind=visitor"));
    // A 1.9 MB account name does not become a 1.9 MB log line.
    let long = "x".repeat(1_900_000);
    let r = sign_in(port, &form, home, &long, "whatever it is", "/", None);
    assert!(
        r.status == 401 || r.status == 413 || r.status == 429,
        "{}",
        r.status
    );
    let forged = sign_in(
        port,
        &form,
        home,
        "rosa\nINFO signed in to the admin web account=root",
        "x",
        "/",
        None,
    );
    assert!(forged.status == 401 || forged.status == 429);
    std::thread::sleep(Duration::from_millis(200));
    let log = service.log();
    assert!(
        log.iter().all(|l| l.len() < 4_096),
        "a log line is too long"
    );
    assert!(
        !log.iter().any(|l| l.starts_with("INFO signed in")),
        "a forged log line: {log:?}"
    );
    // The example config's web is behind a TLS proxy: Secure cookies, HSTS.
    assert!(exchange(
        port,
        "GET /login HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n"
    )
    .unwrap()
    .head
    .to_ascii_lowercase()
    .contains("strict-transport-security: max-age="));
    assert!(r.head.contains("Secure") || r.status != 303);
}
