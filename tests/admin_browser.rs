//! The admin web in a real browser: headless Chromium (Debian's `chromium`,
//! which `.ci/run` installs) driven over the DevTools protocol on
//! `--remote-debugging-pipe`. Signs in, opens an encounter, views its page
//! images, exports CSV and checks its rows, and saves PNG screenshots of the
//! dashboard (desktop and phone) and the encounter page.

mod common;

use common::admin::*;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one browser step may take (a cold Chromium start is slow).
const STEP: Duration = Duration::from_secs(60);

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// A headless Chromium and one page (a DevTools session) in it.
struct Browser {
    child: Child,
    to: File,
    from: mpsc::Receiver<Value>,
    pending: VecDeque<Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

fn pipe() -> (i32, i32) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    (fds[0], fds[1])
}

impl Browser {
    fn launch(exe: &PathBuf) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        // Chromium reads commands from fd 3 and writes replies to fd 4.
        let (cmd_read, cmd_write) = pipe();
        let (reply_read, reply_write) = pipe();
        let mut cmd = Command::new(exe);
        cmd.args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork
        // and exec. The pipes are close-on-exec; their copies on 3 and 4
        // are not.
        unsafe {
            cmd.pre_exec(move || {
                let r = libc::fcntl(cmd_read, libc::F_DUPFD, 10);
                let w = libc::fcntl(reply_write, libc::F_DUPFD, 10);
                if r < 0 || w < 0 || libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("chromium starts");
        // SAFETY: these descriptors were just created and are owned here.
        let (to, from_file) = unsafe {
            libc::close(cmd_read);
            libc::close(reply_write);
            (File::from_raw_fd(cmd_write), File::from_raw_fd(reply_read))
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(from_file);
            let mut buf = Vec::new();
            while matches!(reader.read_until(0, &mut buf), Ok(n) if n > 0) {
                buf.pop();
                if let Ok(v) = serde_json::from_slice::<Value>(&buf) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
                buf.clear();
            }
        });
        let mut b = Browser {
            child,
            to,
            from: rx,
            pending: VecDeque::new(),
            next_id: 0,
            session: String::new(),
            _profile: profile,
        };
        let target = b.call_browser("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = b.call_browser(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.call("Page.enable", json!({}));
        b.viewport(1280, 900, false);
        b
    }

    fn send(&mut self, method: &str, params: Value, session: bool) -> u64 {
        self.next_id += 1;
        let mut msg = json!({ "id": self.next_id, "method": method, "params": params });
        if session {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to
            .write_all(&bytes)
            .expect("chromium reads its commands");
        self.next_id
    }

    fn wait_reply(&mut self, id: u64, method: &str) -> Value {
        loop {
            let msg = self
                .from
                .recv_timeout(STEP)
                .unwrap_or_else(|_| panic!("chromium did not answer {method}"));
            if msg["id"] == json!(id) {
                assert!(msg.get("error").is_none(), "{method}: {}", msg["error"]);
                return msg["result"].clone();
            }
            self.pending.push_back(msg);
        }
    }

    fn call_browser(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, false);
        self.wait_reply(id, method)
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, true);
        self.wait_reply(id, method)
    }

    fn wait_event(&mut self, method: &str) {
        if let Some(i) = self.pending.iter().position(|m| m["method"] == method) {
            self.pending.remove(i);
            return;
        }
        loop {
            let msg = self
                .from
                .recv_timeout(STEP)
                .unwrap_or_else(|_| panic!("no {method} from chromium"));
            if msg["method"] == method {
                return;
            }
        }
    }

    /// Run `action` (which navigates) and wait until the new page has loaded.
    fn navigating(&mut self, action: impl FnOnce(&mut Browser)) {
        self.pending
            .retain(|m| m["method"] != "Page.loadEventFired");
        action(self);
        self.wait_event("Page.loadEventFired");
    }

    fn goto(&mut self, url: &str) {
        let url = url.to_string();
        self.navigating(|b| {
            b.call("Page.navigate", json!({ "url": url }));
        });
    }

    /// Evaluate `js` in the page (promises awaited) and return its value.
    fn eval(&mut self, js: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": js, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{js}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    /// A PNG of the whole page at `width`.
    fn screenshot(&mut self, width: u32, mobile: bool) -> Vec<u8> {
        self.viewport(width, 900, mobile);
        let height = self
            .eval("document.documentElement.scrollHeight")
            .as_u64()
            .unwrap_or(900) as u32;
        self.viewport(width, height.clamp(400, 6000), mobile);
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serve the world's admin web on a loopback port of its own thread.
fn serve(w: &AdminWorld) -> String {
    let app = w.app();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
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

#[test]
fn counsel_signs_in_reviews_an_encounter_and_exports_csv_in_chromium() {
    let Some(exe) = find_chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "chromium is required for this test in CI: apt-get install chromium (.ci/run does)"
            );
        }
        eprintln!(
            "SKIPPED: chromium is not installed (apt-get install chromium); CI runs this test"
        );
        return;
    };
    let w = AdminWorld::new();
    let base = serve(&w);
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("admin-screens");
    std::fs::create_dir_all(&out).unwrap();
    let mut b = Browser::launch(&exe);

    // Signed out, the dashboard sends the browser to sign in.
    b.goto(&format!("{base}/"));
    assert_eq!(b.eval("location.pathname"), json!("/login"));
    std::fs::write(out.join("login.png"), b.screenshot(1280, false)).unwrap();
    b.navigating(|b| {
        b.eval(&format!(
            "document.getElementById('account').value = 'carl';
             document.getElementById('password').value = '{PASSWORD}';
             document.querySelector('main form').submit(); true"
        ));
    });
    assert_eq!(b.eval("location.pathname"), json!("/"));
    let text = b
        .eval("document.body.innerText")
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("Open encounters") && text.contains(&w.encounter),
        "{text}"
    );
    assert!(text.contains("Signed in as carl"));
    std::fs::write(out.join("dashboard.png"), b.screenshot(1280, false)).unwrap();
    std::fs::write(out.join("dashboard-phone.png"), b.screenshot(390, true)).unwrap();
    // Nothing overflows sideways on a phone.
    b.viewport(390, 844, true);
    let wide = b
        .eval("document.documentElement.scrollWidth")
        .as_u64()
        .unwrap();
    assert!(
        wide <= 390,
        "the dashboard is {wide} px wide on a 390 px phone"
    );

    // Open the encounter from the dashboard.
    b.viewport(1280, 900, false);
    let selector = format!("a[href='/encounters/{}']", w.encounter);
    b.navigating(|b| {
        b.eval(&format!(
            "document.querySelector(\"{selector}\").click(); true"
        ));
    });
    assert_eq!(
        b.eval("location.pathname"),
        json!(format!("/encounters/{}", w.encounter))
    );
    let text = b
        .eval("document.body.innerText")
        .as_str()
        .unwrap()
        .to_string();
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
    let widths = b.eval(
        "Promise.all(Array.from(document.querySelectorAll('img.page')).map(i => i.decode().then(() => i.naturalWidth)))",
    );
    assert_eq!(widths, json!([600, 600]));
    std::fs::write(out.join("encounter.png"), b.screenshot(1280, false)).unwrap();

    // One page image on its own.
    b.goto(&format!("{base}/encounters/{}/pages/1", w.encounter));
    assert_eq!(b.eval("document.contentType"), json!("image/png"));
    assert_eq!(b.eval("document.images[0].naturalHeight"), json!(800));

    // The CSV export with the browser's session, and its rows.
    b.goto(&format!("{base}/log?kind=visitor"));
    let csv = b.eval("fetch('/export.csv?kind=visitor').then(r => r.text())");
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
    std::fs::write(out.join("log.png"), b.screenshot(1280, false)).unwrap();

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
