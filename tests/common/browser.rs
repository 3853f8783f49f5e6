//! A headless Chromium driven over WebDriver (Debian's `chromium` and
//! `chromedriver`, which `.ci/run` installs), and the admin web served for
//! it on a loopback port.

use super::admin::{AdminWorld, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port, stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub fn start(exe: &PathBuf) -> Driver {
        let port = super::free_port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let end = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "chromedriver never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session, as the probe of this machine starts it.
pub async fn browser(driver: &Driver, chromium: &PathBuf) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--window-size=1280,900",
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session")
}

/// Serve the world's admin web on a loopback port of its own thread.
pub fn serve(w: &AdminWorld) -> String {
    let app = w.app();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            threshold::admin::serve(
                listener,
                app,
                None,
                threshold::admin::serve::Gate::new(Vec::new()),
                std::future::pending(),
            )
            .await
            .unwrap();
        });
    });
    base
}

/// On the sign-in page, sign in as `name` (the test password).
pub async fn submit_sign_in(c: &Client, name: &str) {
    for (id, text) in [("account", name), ("password", PASSWORD)] {
        c.find(Locator::Id(id))
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
}

/// Chromium and chromedriver, or `None` (said on standard error) when they
/// are not installed; in CI their absence fails the test.
pub fn chromium_and_driver() -> Option<(PathBuf, PathBuf)> {
    let (Some(chromium), Some(chromedriver)) = (
        find(&["chromium", "chromium-browser", "google-chrome"]),
        find(&["chromedriver"]),
    ) else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium and chromedriver are required for this test in CI: apt-get install chromium chromium-driver (.ci/run does)");
        }
        eprintln!("SKIPPED: chromium or chromedriver is not installed (apt-get install chromium chromium-driver); CI runs this test");
        return None;
    };
    Some((chromium, chromedriver))
}

/// axe-core's script: `$THRESHOLD_AXE` when set, else installed from the npm
/// registry into the target folder once.
pub fn axe_source() -> Option<String> {
    if let Some(path) = std::env::var_os("THRESHOLD_AXE") {
        return std::fs::read_to_string(path).ok();
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("axe");
    let file = dir.join("node_modules/axe-core/axe.min.js");
    if !file.exists() {
        let npm = find(&["npm"])?;
        let status = Command::new(npm)
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            .arg("axe-core@4.14")
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    std::fs::read_to_string(file).ok()
}

/// The violations axe finds on the page `c` shows, one line each.
pub async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.expect("axe-core loads");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(found).unwrap()
}
