//! The admin web in a real browser: headless Chromium (Debian's `chromium`)
//! driven over WebDriver by fantoccini through Debian's `chromedriver`
//! (package `chromium-driver`; `.ci/run` installs both). Signs in, opens an
//! encounter, views its page images, exports CSV and checks its rows, and
//! saves PNG screenshots of the dashboard (desktop and phone width) and the
//! encounter page.

mod common;

use common::admin::*;
use common::browser::{browser, chromium_and_driver, serve, submit_sign_in, Driver};
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::path::PathBuf;

/// Press the button of the form posting to `action`, and wait for the page
/// it leads to to say `then`.
async fn press(c: &Client, action: &str, then: &str) {
    c.find(Locator::Css(&format!("form[action='{action}'] button")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath(&format!("//p[contains(., '{then}')]")))
        .await
        .unwrap_or_else(|e| panic!("after {action}, no {then:?}: {e}"));
}

async fn eval(c: &Client, js: &str) -> Value {
    c.execute(js, vec![]).await.expect(js)
}

async fn path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counsel_signs_in_reviews_an_encounter_and_exports_csv_in_chromium() {
    let Some((chromium, chromedriver)) = chromium_and_driver() else {
        return;
    };
    let w = AdminWorld::new();
    let base = serve(&w);
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("admin-screens");
    std::fs::create_dir_all(&out).unwrap();
    let driver = Driver::start(&chromedriver);
    let c = browser(&driver, &chromium).await;

    // Signed out, the dashboard sends the browser to sign in.
    c.goto(&format!("{base}/")).await.unwrap();
    assert_eq!(path(&c).await, "/login");
    std::fs::write(out.join("login.png"), c.screenshot().await.unwrap()).unwrap();
    submit_sign_in(&c, "carl").await;
    c.wait()
        .for_url(&url::Url::parse(&format!("{base}/")).unwrap())
        .await
        .unwrap();
    let text = eval(&c, "return document.body.innerText").await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains("Open encounters") && text.contains(&w.encounter),
        "{text}"
    );
    assert!(text.contains("Signed in as carl"));
    std::fs::write(out.join("dashboard.png"), c.screenshot().await.unwrap()).unwrap();
    // Nothing overflows sideways at a phone's width.
    c.set_window_size(390, 844).await.unwrap();
    let wide = eval(&c, "return document.documentElement.scrollWidth").await;
    let viewport = eval(&c, "return window.innerWidth").await;
    assert!(
        wide.as_u64().unwrap() <= viewport.as_u64().unwrap(),
        "the dashboard is {wide} px wide in a {viewport} px window"
    );
    std::fs::write(
        out.join("dashboard-phone.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.set_window_size(1280, 900).await.unwrap();

    // Open the encounter from the dashboard.
    c.find(Locator::Css(&format!(
        "a[href='/encounters/{}']",
        w.encounter
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait()
        .for_url(&url::Url::parse(&format!("{base}/encounters/{}", w.encounter)).unwrap())
        .await
        .unwrap();
    let text = eval(&c, "return document.body.innerText").await;
    let text = text.as_str().unwrap();
    for shown in [
        "Ana Ruiz",
        "Trần Bảo",
        "ICE ERO",
        "looking for a person",
        "carl (counsel) viewed the encounter record",
    ] {
        assert!(
            text.contains(shown),
            "the encounter page shows {shown}: {text}"
        );
    }
    // Both page images load (decrypted by the server for this session).
    let widths = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             Promise.all(Array.from(document.querySelectorAll('img.page'))
               .map(i => i.decode().then(() => i.naturalWidth))).then(done);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(widths, json!([600, 600]));
    std::fs::write(out.join("encounter.png"), c.screenshot().await.unwrap()).unwrap();

    // On a phone: acknowledge, then send the desk an instruction.
    c.set_window_size(390, 844).await.unwrap();
    let wide = eval(&c, "return document.documentElement.scrollWidth").await;
    let viewport = eval(&c, "return window.innerWidth").await;
    assert!(
        wide.as_u64().unwrap() <= viewport.as_u64().unwrap(),
        "the encounter page is {wide} px wide in a {viewport} px window"
    );
    std::fs::write(
        out.join("encounter-phone.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    let act = format!("/encounters/{}", w.encounter);
    press(
        &c,
        &format!("{act}/acknowledge"),
        "You have acknowledged this encounter.",
    )
    .await;
    c.find(Locator::Id("instruction"))
        .await
        .unwrap()
        .send_keys("Do not consent; they may wait in the lobby.")
        .await
        .unwrap();
    press(
        &c,
        &format!("{act}/instruction"),
        "Do not consent; they may wait in the lobby.",
    )
    .await;
    let rec = w.state.desk.encounter(&w.encounter).unwrap();
    assert_eq!(rec.counsel_instructions.last().unwrap().by, "carl");
    assert!(rec.acknowledgements.iter().any(|a| a.by == "carl"
        && a.role == Some(threshold::domain::role::Role::Counsel)
        && a.via == threshold::domain::encounter::Via::Web));
    std::fs::write(
        out.join("encounter-acted-phone.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.set_window_size(1280, 900).await.unwrap();

    // One page image on its own.
    c.goto(&format!("{base}/encounters/{}/pages/1", w.encounter))
        .await
        .unwrap();
    assert_eq!(
        eval(&c, "return document.contentType").await,
        json!("image/png")
    );
    assert_eq!(
        eval(&c, "return document.images[0].naturalHeight").await,
        json!(800)
    );

    // The CSV export with the browser's session, and its rows.
    c.goto(&format!("{base}/log?kind=visitor")).await.unwrap();
    let csv = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch('/export.csv?kind=visitor').then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 1 + w.visitors.len(), "{csv}");
    assert!(rows[0].starts_with("kind,id,at_utc,local_time"));
    for id in &w.visitors {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("visitor,{id},")))
            .expect("every visitor is exported");
        assert!(row.contains(",main,appointment,vi,"), "{row}");
    }
    std::fs::write(out.join("log.png"), c.screenshot().await.unwrap()).unwrap();
    c.close().await.unwrap();

    // Everything counsel looked at is in the journal.
    let viewed: Vec<String> = w
        .entries("web.viewed")
        .into_iter()
        .map(|(_, body)| body)
        .collect();
    assert!(viewed.iter().any(|v| v.contains("\"what\":\"encounter\"")));
    assert!(
        viewed
            .iter()
            .filter(|v| v.contains("\"what\":\"page\""))
            .count()
            >= 3,
        "{viewed:?}"
    );
    assert!(viewed.iter().any(|v| v.contains("\"what\":\"export\"")));
    assert!(viewed.iter().any(|v| v.contains("\"what\":\"dashboard\"")));
    assert!(viewed.iter().any(|v| v.contains("\"what\":\"log\"")));
    assert!(viewed.iter().all(|v| v.contains("\"user\":\"carl\"")));
    for name in ["login", "dashboard", "dashboard-phone", "encounter", "log"] {
        let png = std::fs::read(out.join(format!("{name}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 5_000,
            "{name}.png"
        );
    }
    eprintln!("screenshots in {}", out.display());
}
