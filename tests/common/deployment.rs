//! The product as deployed: the `threshold` binary running
//! `deploy/threshold.example.toml` itself, with only addresses, ports,
//! device paths and secret paths patched to loopback servers and
//! simulated devices that the test starts: a real SMTP server that wants
//! AUTH over STARTTLS (aiosmtpd), a webhook receiver that checks the
//! signature, an HTTP SMS gateway that checks basic auth, a GSM modem, a
//! receipt printer, a scanner, a door sign and a panic button on ptys.

use super::smtp::{SmtpServer, SmtpSetup};
use super::{bin, private_ca};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use threshold::devices::sim::modem::{ModemSim, Options};
use threshold::devices::sim::{printer::PrinterSim, sign::SignSim, LineSim};

/// The example configuration as shipped.
pub const EXAMPLE: &str = include_str!("../../deploy/threshold.example.toml");
/// The secrets the example names, beside it.
pub const SMTP_USER: &str = "threshold";
pub const SMTP_PASSWORD: &str = "smtp pass phrase";
pub const WEBHOOK_SECRET: &str = "webhook secret for the test";
pub const GATEWAY_USER: &str = "kiosk";
pub const GATEWAY_PASSWORD: &str = "gateway pass";

/// One HTTP request a receiver got.
#[derive(Debug, Clone)]
pub struct Request {
    pub at: Instant,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A loopback HTTP server answering 200 to everything and keeping what it
/// got (a webhook receiver, an SMS gateway). One thread per connection.
#[derive(Clone)]
pub struct Receiver {
    pub port: u16,
    got: Arc<Mutex<Vec<Request>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got: Arc<Mutex<Vec<Request>>> = Arc::default();
        let keep = got.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let keep = keep.clone();
                std::thread::spawn(move || serve(stream, &keep));
            }
        });
        Receiver { port, got }
    }

    pub fn received(&self) -> Vec<Request> {
        self.got.lock().unwrap().clone()
    }

    /// Wait up to `within` for a request whose path starts with `prefix`.
    pub fn wait_for(&self, prefix: &str, within: Duration) -> Option<Request> {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Some(r) = self
                .received()
                .into_iter()
                .find(|r| r.path.starts_with(prefix))
            {
                return Some(r);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

fn serve(stream: TcpStream, keep: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        keep.lock().unwrap().push(Request {
            at: Instant::now(),
            path,
            headers,
            body,
        });
        if stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .is_err()
        {
            return;
        }
    }
}

/// A plain HTTP/1.1 request to the service; `(status, body)`.
pub fn http(port: u16, method: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.split_whitespace().nth(1)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

/// A free loopback port (bound and released; the service takes it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What to break for a fault test, one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// The webhook's secret file is missing.
    MissingWebhookSecret,
    /// Another program holds the admin web's port.
    PortTaken,
    /// The modem is plugged in and never answers.
    SilentModem,
    /// The SMTP relay is down (nothing listens on its port).
    DeadRelay,
    /// The SMTP relay accepts connections and never answers.
    BlackholeRelay,
}

/// Everything the service talks to, and the patched example beside its
/// secrets.
pub struct World {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub data: PathBuf,
    pub admin_port: u16,
    pub smtp: Option<SmtpServer>,
    pub hooks: Receiver,
    pub gateway: Receiver,
    pub modem: Option<ModemSim>,
    pub printer: PrinterSim,
    pub scanner: LineSim,
    pub sign: SignSim,
    pub panic: LineSim,
    /// The program holding the admin port, for [`Fault::PortTaken`].
    pub squatter: Option<std::net::TcpListener>,
}

fn patch(text: &mut String, from: &str, to: &str) {
    assert!(
        text.contains(from),
        "the example config no longer has `{from}`; update the deployment test"
    );
    *text = text.replace(from, to);
}

impl World {
    pub fn new(fault: Fault) -> World {
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = private_ca(dir.path());
        let smtp = match fault {
            Fault::DeadRelay | Fault::BlackholeRelay => None,
            _ => Some(SmtpServer::start(&SmtpSetup {
                tls: "starttls",
                cert: Some(&cert),
                key: Some(&key),
                auth: Some((SMTP_USER, SMTP_PASSWORD)),
                port: None,
            })),
        };
        let smtp_port = match (&smtp, fault) {
            (Some(s), _) => s.port,
            (None, Fault::BlackholeRelay) => super::smtp::blackhole(),
            (None, _) => free_port(),
        };
        let hooks = Receiver::start();
        let gateway = Receiver::start();
        let modem = ModemSim::start(Options {
            silent: fault == Fault::SilentModem,
            ..Default::default()
        });
        let out = dir.path().join("simulated");
        std::fs::create_dir_all(&out).unwrap();
        let printer = PrinterSim::start(Some(out.clone())).unwrap();
        let scanner = LineSim::start().unwrap();
        let sign = SignSim::start(400, 300, Some(out.join("door-sign.png"))).unwrap();
        let panic = LineSim::start()
            .unwrap()
            .with_heartbeat(b"HELLO simulated\n", Duration::from_secs(3600))
            .with_heartbeat(b"ALIVE\n", Duration::from_secs(5));
        let admin_port = free_port();
        let squatter = (fault == Fault::PortTaken)
            .then(|| std::net::TcpListener::bind(("127.0.0.1", admin_port)).unwrap());
        let scans = dir.path().join("scans");
        std::fs::create_dir_all(&scans).unwrap();

        let mut text = EXAMPLE.to_string();
        patch(
            &mut text,
            "listen = \"127.0.0.1:8080\"",
            &format!("listen = \"127.0.0.1:{admin_port}\""),
        );
        patch(
            &mut text,
            "public_url = \"https://threshold.cityhall.example.org\"",
            &format!("public_url = \"http://127.0.0.1:{admin_port}\""),
        );
        patch(
            &mut text,
            "host = \"smtp.example.org\"",
            "host = \"localhost\"",
        );
        patch(&mut text, "port = 587", &format!("port = {smtp_port}"));
        patch(
            &mut text,
            "#   ca_file = \"city-ca.pem\"",
            &format!("ca_file = {:?}", ca.display().to_string()),
        );
        patch(
            &mut text,
            "https://hooks.example.org",
            &format!("http://127.0.0.1:{}", hooks.port),
        );
        patch(
            &mut text,
            "https://sms.example.org",
            &format!("http://127.0.0.1:{}", gateway.port),
        );
        patch(
            &mut text,
            "\"/dev/threshold-modem\"",
            &format!("{:?}", modem.path.display().to_string()),
        );
        for (name, path) in [
            ("printer", &printer.path),
            ("scanner", &scanner.path),
            ("sign", &sign.path),
            ("panic", &panic.path),
        ] {
            patch(
                &mut text,
                &format!("\"/dev/threshold-{name}\""),
                &format!("{:?}", path.display().to_string()),
            );
        }
        patch(
            &mut text,
            "\"/var/lib/threshold/scans\"",
            &format!("{:?}", scans.display().to_string()),
        );
        let config = dir.path().join("threshold.toml");
        std::fs::write(&config, text).unwrap();
        std::fs::write(
            dir.path().join("smtp.password"),
            format!("{SMTP_PASSWORD}\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sms.credentials"),
            format!("{GATEWAY_USER}:{GATEWAY_PASSWORD}\n"),
        )
        .unwrap();
        if fault != Fault::MissingWebhookSecret {
            std::fs::write(
                dir.path().join("webhook.secret"),
                format!("{WEBHOOK_SECRET}\n"),
            )
            .unwrap();
        }
        World {
            data: dir.path().join("data"),
            dir,
            config,
            admin_port,
            smtp,
            hooks,
            gateway,
            modem: Some(modem),
            printer,
            scanner,
            sign,
            panic,
            squatter,
        }
    }

    /// `threshold --config … --data-dir … ARGS`, as an operator types it.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        bin()
            .arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .output()
            .expect("the threshold binary runs")
    }

    /// `threshold checkin official` with one page; returns the encounter id.
    pub fn official_checkin(&self) -> String {
        let page = self.dir.path().join("page.png");
        std::fs::write(&page, super::png(7)).unwrap();
        let page = page.display().to_string();
        let out = self.cli(&[
            "--json",
            "checkin",
            "official",
            "--officer",
            "Ana Ruiz;4471;ICE ERO",
            "--document-kind",
            "administrative-warrant",
            "--area",
            "Records room",
            "--page",
            &page,
        ]);
        assert!(
            out.status.success(),
            "check-in failed: {}",
            super::stderr(&out)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["id"].as_str().unwrap().to_string()
    }

    /// Start `threshold run` on the patched example: `--headless`, or
    /// with the kiosk window on `display`.
    pub fn run(&self, display: Option<&str>) -> Service {
        self.run_with(display, None)
    }

    /// [`World::run`] with the open-file limit at `files` (1,024 is the
    /// usual default outside systemd).
    pub fn run_with(&self, display: Option<&str>, files: Option<u64>) -> Service {
        let mut cmd = bin();
        if let Some(n) = files {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit is async-signal-safe; nothing else runs
            // between fork and exec here.
            unsafe {
                cmd.pre_exec(move || {
                    let lim = libc::rlimit {
                        rlim_cur: n,
                        rlim_max: n,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        cmd.arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data)
            .arg("run")
            .env_remove("WAYLAND_DISPLAY")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        match display {
            Some(d) => cmd.env("DISPLAY", d),
            None => cmd.arg("--headless").env_remove("DISPLAY"),
        };
        let mut child = cmd.spawn().expect("the threshold binary runs");
        let lines: Arc<Mutex<Vec<String>>> = Arc::default();
        let keep = lines.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                keep.lock().unwrap().push(line);
            }
        });
        Service { child, lines }
    }
}

/// A running `threshold run`.
pub struct Service {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Service {
    /// A line of /proc/PID/status, in kB (`VmRSS`, `VmHWM`).
    pub fn status_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }

    /// How many files the service has open.
    pub fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Everything it wrote to standard error so far.
    pub fn log(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Wait up to `within` for a log line containing `text`.
    pub fn wait_log(&self, text: &str, within: Duration) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if self.log().iter().any(|l| l.contains(text)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    }

    /// SIGTERM, then how long it took to exit and how.
    pub fn terminate(mut self) -> (Duration, std::process::ExitStatus, Vec<String>) {
        let t = Instant::now();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let end = t + Duration::from_secs(15);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(50));
                return (t.elapsed(), s, self.log());
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                panic!("still running 15 s after SIGTERM: {:?}", self.log());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait up to `within` for `f` to give something.
pub fn wait<T>(within: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + within;
    loop {
        if let Some(t) = f() {
            return Some(t);
        }
        if Instant::now() > end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The path of the acknowledge link in a page's text, if any.
pub fn ack_path(text: &str) -> Option<String> {
    let at = text.find("/ack/")?;
    let token: String = text[at + 5..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == '.')
        .collect();
    Some(format!("/ack/{token}"))
}

/// The password [`add_owner`] gives the counsel account `rosa`.
pub const OWNER_PASSWORD: &str = "a long and private passphrase";

/// An HTTP/1.1 exchange on its own connection: status, headers, body.
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    /// `name=value` of the Set-Cookie for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            let v = v.trim();
            (k.eq_ignore_ascii_case("set-cookie") && v.starts_with(&format!("{name}=")))
                .then(|| v.split(';').next().unwrap().to_string())
        })
    }
}

pub fn exchange(port: u16, request: &str) -> Option<Reply> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let out = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = out.split_once("\r\n\r\n")?;
    Some(Reply {
        status: head.split_whitespace().nth(1)?.parse().ok()?,
        head: head.to_string(),
        body: body.to_string(),
    })
}

/// The sign-in form's cookie and CSRF token.
pub fn login_form(port: u16) -> (String, String) {
    let r = exchange(
        port,
        "GET /login HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    let cookie = r.cookie("th_login").expect("the form's cookie");
    let at = r.body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = r.body[at..at + r.body[at..].find('"').unwrap()].to_string();
    (cookie, csrf)
}

/// POST /login from the client `from` (the trusted proxy on loopback
/// names it in X-Forwarded-For, as the example config's proxy would).
pub fn sign_in(
    port: u16,
    form: &(String, String),
    from: &str,
    account: &str,
    password: &str,
    next: &str,
    device: Option<&str>,
) -> Reply {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("account", account)
        .append_pair("password", password)
        .append_pair("csrf", &form.1)
        .append_pair("next", next)
        .finish();
    let cookies = match device {
        Some(d) => format!("{}; {d}", form.0),
        None => form.0.clone(),
    };
    exchange(
        port,
        &format!(
            "POST /login HTTP/1.1\r\nhost: t\r\nconnection: close\r\nx-forwarded-for: {from}\r\ncookie: {cookies}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .expect("an answer")
}

pub fn add_owner(world: &World) {
    let mut child = super::bin()
        .arg("--config")
        .arg(&world.config)
        .arg("--data-dir")
        .arg(&world.data)
        .args(["user", "add", "rosa", "--role", "counsel"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{OWNER_PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", super::stderr(&out));
}
