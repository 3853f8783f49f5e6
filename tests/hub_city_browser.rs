//! The city's web in a real browser on a phone-sized screen: counsel signs
//! in to the hub, sees an open encounter shipped by a kiosk process, opens
//! it, acknowledges it and sends the desk an instruction, and the running
//! kiosk records it from the hub; an instruction sent while another
//! kiosk is stopped is applied once when it is back. Every page passes
//! axe-core and nothing scrolls sideways; PNG screenshots of the
//! dashboard, the encounter page and the statistics page are kept in
//! `target/tmp/city-screens`.
#![cfg(feature = "simulate")]

mod common;

use common::browser::{axe_source, browser, chromium_and_driver, violations, Driver};
use common::city::add_hub_user;
use common::hub::*;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SOON: Duration = Duration::from_secs(60);
const PW: &str = "a long city password";

async fn eval(c: &Client, js: &str) -> Value {
    c.execute(js, vec![]).await.expect(js)
}

/// The page fits the window (nothing to scroll sideways), passes axe, and
/// is saved as `name`.png.
async fn check(c: &Client, out: &Path, name: &str, axe: &Option<String>) {
    let wide = eval(c, "return document.documentElement.scrollWidth").await;
    let viewport = eval(c, "return window.innerWidth").await;
    assert!(
        wide.as_u64().unwrap() <= viewport.as_u64().unwrap(),
        "{name} is {wide} px wide in a {viewport} px window"
    );
    if let Some(axe) = axe {
        // The dashboard reloads itself every 15 s (WCAG 2.2.1: its first
        // control pauses that); axe flags any such reload, as on the
        // facility's dashboard.
        let found: Vec<String> = violations(c, axe)
            .await
            .into_iter()
            .filter(|v| !(name.contains("dashboard") && v.starts_with("meta-refresh:")))
            .collect();
        assert!(found.is_empty(), "{name}: {found:#?}");
    }
    std::fs::write(
        out.join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

async fn press(c: &Client, action: &str) {
    c.find(Locator::Css(&format!("form[action='{action}'] button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Run `f` on a thread of its own: the test helpers that start a runtime
/// of their own cannot run inside the test's.
fn off<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// Counsel's instructions the kiosk recorded as from the hub.
fn from_hub(k: &Kiosk, id: &str) -> Vec<Value> {
    k.encounter(id)["counsel_instructions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i["via"] == "hub")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counsel_acts_on_a_kiosk_s_encounter_from_a_phone() {
    let Some((chromium, chromedriver)) = chromium_and_driver() else {
        return;
    };
    let axe = axe_source();
    if axe.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI installs axe-core");
    }
    let hub = OneHub::started();
    let mut library = hub.kiosk("tully-library");
    let mut center = hub.kiosk("seven-trees-center");
    let id = library.official(&["--document-kind", "administrative-warrant"]);
    let other = center.official(&["--document-kind", "court-order"]);
    library.start();
    center.start();
    assert!(off(|| wait_shipped(&hub.pg, &[&library, &center], SOON)));
    add_hub_user(&hub.config, "rosa", "counsel", &[], PW);
    let base = format!("http://127.0.0.1:{}", hub.port);
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("city-screens");
    std::fs::create_dir_all(&out).unwrap();
    let driver = Driver::start(&chromedriver);
    let c = browser(&driver, &chromium).await;
    c.set_window_size(390, 844).await.unwrap();

    // Sign in on the phone; the dashboard lists both kiosks' encounters.
    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/login");
    check(&c, &out, "city-login-phone", &axe).await;
    for (field, text) in [("account", "rosa"), ("password", PW)] {
        c.find(Locator::Id(field))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link = format!("/facilities/tully-library/encounters/{id}");
    c.wait()
        .for_element(Locator::Css(&format!("a[href='{link}']")))
        .await
        .expect("the library's encounter on the dashboard");
    let text = eval(&c, "return document.body.innerText").await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains(&other) && text.contains("seven-trees-center"),
        "{text}"
    );
    assert!(text.contains("Nobody has acknowledged yet"));
    check(&c, &out, "city-dashboard-phone", &axe).await;

    // The encounter: acknowledge, then instruct the desk.
    c.find(Locator::Css(&format!("a[href='{link}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("instruction"))
        .await
        .unwrap();
    check(&c, &out, "city-encounter-phone", &axe).await;
    press(&c, &format!("{link}/acknowledge")).await;
    c.wait()
        .for_element(Locator::XPath(
            "//p[contains(., 'Your acknowledgement sent at')]",
        ))
        .await
        .expect("the page says where the acknowledgement is");
    let words = "Do not consent; they may wait in the lobby.";
    c.find(Locator::Id("instruction"))
        .await
        .unwrap()
        .send_keys(words)
        .await
        .unwrap();
    press(&c, &format!("{link}/instruction")).await;
    let sent = Instant::now();
    let applied = wait(SOON, || from_hub(&library, &id).into_iter().next())
        .expect("the running kiosk records counsel's instruction from the hub");
    eprintln!(
        "instruction sent from the city's web recorded by the kiosk after {} ms",
        sent.elapsed().as_millis()
    );
    assert_eq!(
        (applied["by"].as_str(), applied["text"].as_str()),
        (Some("rosa"), Some(words))
    );
    let rec = library.encounter(&id);
    assert!(rec["acknowledgements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["by"] == "rosa" && a["role"] == "counsel" && a["via"] == "hub"));
    // Once the kiosk has shipped them back, the hub's page shows both.
    let end = Instant::now() + SOON;
    loop {
        c.goto(&format!("{base}{link}")).await.unwrap();
        let body = eval(&c, "return document.body.innerText").await;
        let body = body.as_str().unwrap_or("");
        if body.contains("You have acknowledged this encounter.") && body.contains(words) {
            break;
        }
        assert!(
            Instant::now() < end,
            "the hub's page never showed what the kiosk applied: {body}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    check(&c, &out, "city-encounter-acted-phone", &axe).await;

    // The center's kiosk is stopped: the instruction waits, and is applied
    // once when it is back.
    center.stop();
    let link = format!("/facilities/seven-trees-center/encounters/{other}");
    c.goto(&format!("{base}{link}")).await.unwrap();
    c.find(Locator::Id("instruction"))
        .await
        .unwrap()
        .send_keys("Ask for the judge's signature page.")
        .await
        .unwrap();
    press(&c, &format!("{link}/instruction")).await;
    c.wait()
        .for_element(Locator::XPath(
            "//p[contains(., 'waiting for the kiosk to take it')]",
        ))
        .await
        .expect("the page says the instruction waits for the kiosk");
    std::thread::sleep(Duration::from_secs(2));
    assert!(from_hub(&center, &other).is_empty());
    center.start();
    assert!(wait(SOON, || (!from_hub(&center, &other).is_empty())
        .then_some(()))
    .is_some());
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(from_hub(&center, &other).len(), 1, "applied once");

    // The statistics, on the phone and on a desk.
    c.goto(&format!("{base}/statistics")).await.unwrap();
    let text = eval(&c, "return document.body.innerText").await;
    assert!(text.as_str().unwrap().contains("Encounters by month"));
    check(&c, &out, "city-statistics-phone", &axe).await;
    c.set_window_size(390, 3000).await.unwrap();
    check(&c, &out, "city-statistics-phone-whole", &axe).await;
    c.set_window_size(1280, 900).await.unwrap();
    check(&c, &out, "city-statistics", &axe).await;
    c.goto(&format!("{base}/")).await.unwrap();
    check(&c, &out, "city-dashboard", &axe).await;
    c.goto(&format!("{base}/log")).await.unwrap();
    let text = eval(&c, "return document.body.innerText").await;
    assert!(text.as_str().unwrap().contains(&id));
    check(&c, &out, "city-log", &axe).await;
    c.close().await.unwrap();
    library.stop();
    center.stop();
}
