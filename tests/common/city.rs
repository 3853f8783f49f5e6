//! A browser for the city's web on a running hub (HTTPS with the city's
//! CA, or HTTP): it keeps the sign-in and session cookies, follows no
//! redirect, and sends forms as a browser does.

use std::path::Path;
use std::process::Stdio;

/// One reader's browser.
pub struct CityBrowser {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

/// A reply: status, `Location`, body.
pub struct Page {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl CityBrowser {
    /// A browser for `base` (e.g. `https://localhost:8443`), trusting `ca`.
    pub fn new(base: &str, ca: Option<&Path>) -> CityBrowser {
        let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if let Some(ca) = ca {
            let pem = std::fs::read(ca).unwrap();
            b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
        }
        CityBrowser {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: b.build().unwrap(),
            base: base.trim_end_matches('/').to_string(),
            cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = req
            .header("accept", "text/html")
            .header("cookie", self.cookie_header());
        let (status, location, set, body) = self.rt.block_on(async {
            let r = req.send().await.expect("the city's web answers");
            let status = r.status().as_u16();
            let location = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let set: Vec<String> = r
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect();
            (status, location, set, r.text().await.unwrap_or_default())
        });
        for c in set {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != k);
                if !v.is_empty() {
                    self.cookies.push((k.to_string(), v.to_string()));
                }
            }
        }
        Page {
            status,
            location,
            body,
        }
    }

    /// GET `path`.
    pub fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req)
    }

    /// POST the form `fields` to `path`.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req)
    }

    /// Sign in as `name`; the reply to the form.
    pub fn sign_in(&mut self, name: &str, password: &str) -> Page {
        let form = self.get("/login");
        assert_eq!(form.status, 200, "{}", form.body);
        let csrf = super::admin::csrf_of(&form.body);
        self.post(
            "/login",
            &[
                ("account", name),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ],
        )
    }
}

/// `threshold hub --config CONFIG user add NAME --role ROLE [--facility F]…`
/// with `password` on standard input, as a script would.
pub fn add_hub_user(config: &Path, name: &str, role: &str, facilities: &[&str], password: &str) {
    let mut cmd = super::bin();
    cmd.args(["hub", "--config"])
        .arg(config)
        .args(["user", "add", name, "--role", role]);
    for f in facilities {
        cmd.args(["--facility", f]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "hub user add {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The hub's address in its config (`listen`), as `https://localhost:PORT`.
pub fn hub_base(config: &Path) -> String {
    let text = std::fs::read_to_string(config).unwrap();
    let listen = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("listen = \""))
        .expect("the hub config's listen");
    let port = listen.trim_end_matches('"').rsplit(':').next().unwrap();
    format!("https://localhost:{port}")
}

/// On the deployed hub (the example hub config, over TLS): counsel signs
/// in to the city's web and sees encounter `id` of `facility` open and
/// acknowledged by counsel, with the facility's heartbeat; the city's
/// staff see the facility and not the encounter.
pub fn counsel_sees_the_city(hub_config: &Path, ca: &Path, facility: &str, id: &str) {
    const PW: &str = "a long city password";
    add_hub_user(hub_config, "rosa", "counsel", &[], PW);
    add_hub_user(hub_config, "council.staff", "city", &[], PW);
    let base = hub_base(hub_config);
    let mut counsel = CityBrowser::new(&base, Some(ca));
    let r = counsel.sign_in("rosa", PW);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = super::hub::wait(std::time::Duration::from_secs(30), || {
        let p = counsel.get("/");
        (p.status == 200 && p.body.contains(id) && p.body.contains("s ago")).then_some(p)
    })
    .unwrap_or_else(|| panic!("the encounter and the heartbeat are not on the city dashboard"));
    assert!(page.body.contains(facility));
    assert!(page.body.contains("Counsel acknowledged"), "{}", page.body);
    // A page image, opened from the hub's sealed copy.
    let image = counsel.get(&format!("/facilities/{facility}/encounters/{id}/pages/1"));
    assert_eq!(image.status, 200, "{}", image.body);
    assert!(image.body.contains("PNG") || image.body.contains("JFIF"));
    // The report for counsel's file, from the hub's copy, both pages in it.
    let report = counsel.get(&format!(
        "/facilities/{facility}/encounters/{id}/report.pdf"
    ));
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.body.starts_with("%PDF"));
    // The hub's copy as a signed bundle in the kiosk's format: checked by
    // the kiosk's own verifier against the hub's key.
    let bundle = counsel.get(&format!("/facilities/{facility}/export.bundle"));
    assert_eq!(bundle.status, 200, "{}", bundle.body);
    let file = hub_config.with_file_name("hub.bundle.jsonl");
    std::fs::write(&file, &bundle.body).unwrap();
    let key = super::hub::hub_cli(hub_config, &["key"]);
    let key = String::from_utf8_lossy(&key.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string();
    let out = super::bin()
        .args(["log", "verify", "--bundle"])
        .arg(&file)
        .args(["--key", &key])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the hub's bundle does not verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut city = CityBrowser::new(&base, Some(ca));
    assert_eq!(city.sign_in("council.staff", PW).status, 303);
    let page = city.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains(facility) && !page.body.contains(id));
    // The visitors the kiosk checked in are counted (by purpose, at
    // ingest), the encounter too, and nothing names anyone.
    let csv = city.get("/statistics.csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.contains(&format!(",{facility},visitors,")),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains(&format!(",{facility},encounter,")),
        "{}",
        csv.body
    );
}
