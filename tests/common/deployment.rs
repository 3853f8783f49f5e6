//! The product as deployed: the `threshold` binary running
//! `deploy/threshold.example.toml` itself, with only addresses, ports,
//! device paths and secret paths patched to loopback servers and
//! simulated devices that the test starts: a real SMTP server that wants
//! AUTH over STARTTLS (aiosmtpd), a webhook receiver that checks the
//! signature, an HTTP SMS gateway that checks basic auth, a GSM modem, a
//! receipt printer, a scanner, a door sign and a panic button on ptys.

pub use super::loopback::*;
use super::smtp::{SmtpServer, SmtpSetup};
use super::{bin, private_ca};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use threshold::devices::sim::modem::{ModemSim, Options};
use threshold::devices::sim::{printer::PrinterSim, sign::SignSim, LineSim};

/// The example configuration as shipped.
pub const EXAMPLE: &str = include_str!("../../deploy/threshold.example.toml");
/// The example's facility id, as enrolled on the hub.
pub const FACILITY: &str = "sj-city-hall-east";
/// The secrets the example names, beside it.
pub const SMTP_USER: &str = "threshold";
pub const SMTP_PASSWORD: &str = "smtp pass phrase";
pub const WEBHOOK_SECRET: &str = "webhook secret for the test";
pub const GATEWAY_USER: &str = "kiosk";
pub const GATEWAY_PASSWORD: &str = "gateway pass";

/// A free loopback port (see `common::free_port`).
pub use super::free_port;

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
    /// The city hub is down (nothing listens at [hub] url).
    HubDown,
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
    /// The city hub (`threshold hub` on the example hub config, over TLS)
    /// and its PostgreSQL; none in the fault tests (the hub is down).
    pub hub: Option<(super::hub::Pg, super::hub::Proc)>,
    pub hub_config: PathBuf,
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
        let hub_port = free_port();
        patch(
            &mut text,
            "url = \"https://hub.city.example:8443\"",
            &format!("url = \"https://localhost:{hub_port}\""),
        );
        patch(
            &mut text,
            "\"/etc/threshold/hub.pub\"",
            &format!("{:?}", dir.path().join("hub.pub").display().to_string()),
        );
        patch(
            &mut text,
            "\"/etc/threshold/hub-ca.pem\"",
            &format!("{:?}", ca.display().to_string()),
        );
        let config = dir.path().join("threshold.toml");
        std::fs::write(&config, text).unwrap();
        let hub_config = super::hub::example_hub_config(dir.path(), hub_port, &cert, &key);
        let hub = (fault == Fault::None).then(|| {
            super::hub::start_example_hub(&hub_config, &config, &dir.path().join("data"), FACILITY)
        });
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
            hub,
            hub_config,
        }
    }

    /// The kiosk's journal on the hub exactly, `hub verify` clean, the
    /// kiosk's `log verify` extending the hub's last receipt, a heartbeat kept,
    /// and no visitor's name or host in the hub's database.
    pub fn hub_holds_the_record(&self, service: &Service) {
        let out = self.cli(&[
            "checkin",
            "visitor",
            "--name",
            "Xochitl",
            "--purpose",
            "services",
            "--host",
            "Lorna Quispe",
        ]);
        assert!(out.status.success(), "{}", super::stderr(&out));
        let (pg, hub) = self.hub.as_ref().unwrap();
        let journal = || super::hub::journal_rows(&self.data);
        let shipped = wait(Duration::from_secs(15), || {
            let mine = journal();
            (pg.entries(FACILITY) == mine).then_some(mine.len())
        });
        assert!(
            shipped.is_some(),
            "the hub lacks the record: {:?}\n{}\n{:?}",
            hub.log(),
            String::from_utf8_lossy(&self.cli(&["devices", "list"]).stdout),
            service.log()
        );
        let out = self.hub_cli(&["verify", FACILITY]);
        assert_eq!(out.status.code(), Some(0), "{}", super::stdout(&out));
        let heartbeat = wait(Duration::from_secs(15), || {
            pg.rows(&format!(
                "SELECT report::text FROM heartbeats WHERE facility = '{FACILITY}'"
            ))
            .into_iter()
            .next()
        });
        assert!(heartbeat.is_some(), "no heartbeat: {:?}", hub.log());
        // The heartbeat names the kiosk's retention period, and the hub's
        // own retention (run at its start and hourly) holds the facility
        // to it: nothing is due today.
        let period = pg.number(&format!(
            "SELECT (report -> 'retention' ->> 'encounter_years')::bigint FROM heartbeats WHERE facility = '{FACILITY}'"
        ));
        assert_eq!(
            period, 7,
            "the example kiosk config keeps encounters 7 years"
        );
        let out = self.hub_cli(&["purge", "--dry-run"]);
        let said = super::stdout(&out);
        assert!(
            out.status.success()
                && said.contains(&format!(
                    "{FACILITY} (7 years, as its kiosk reported): would purge 0 closed encounters"
                )),
            "{said}{}",
            super::stderr(&out)
        );
        assert!(
            !hub.log()
                .iter()
                .any(|l| l.contains("retention on the hub did not run")),
            "{:?}",
            hub.log()
        );
        let verify = self.cli(&["log", "verify"]);
        let said = super::stdout(&verify);
        assert!(verify.status.success() && said.contains(": yes"), "{said}");
        // The officer's name went up sealed; the visitor's not at all.
        assert!(
            pg.number(&format!(
                "SELECT count(*) FROM vault WHERE facility = '{FACILITY}'"
            )) > 0
        );
        let dump = pg.dump();
        for word in ["Xochitl", "Lorna", "Quispe", "Ana Ruiz"] {
            assert!(
                !dump.contains(word),
                "`{word}` is readable in the hub's database"
            );
        }
    }

    /// Encounter `id`'s pages reach the hub sealed (two: the document's and
    /// the badge), and counsel's instruction sent from the hub reaches the
    /// running kiosk, recorded as from the hub under counsel's account.
    pub fn counsel_acts_from_the_hub(&self, id: &str) {
        let (pg, hub) = self.hub.as_ref().unwrap();
        let pages = wait(Duration::from_secs(30), || {
            let n = pg.number(&format!(
                "SELECT count(*) FROM pages WHERE facility = '{FACILITY}' AND encounter = '{id}'"
            ));
            (n == 2).then_some(n)
        });
        assert!(pages.is_some(), "pages on the hub: {:?}", hub.log());
        let out = self.hub_cli(&["verify", FACILITY]);
        let said = super::stdout(&out);
        assert!(said.contains("document pages: 2, each opened"), "{said}");
        let words = "Ask for the warrant's second page; I will call the desk.";
        let out = self.hub_cli(&[
            "command",
            FACILITY,
            id,
            "--instruct",
            words,
            "--by",
            "Deputy City Attorney on call",
        ]);
        assert!(out.status.success(), "{}", super::stderr(&out));
        let applied = wait(Duration::from_secs(30), || {
            let shown = self.cli(&["--json", "encounter", "show", id]);
            let rec: serde_json::Value = serde_json::from_slice(&shown.stdout).ok()?;
            rec["counsel_instructions"]
                .as_array()?
                .iter()
                .find(|i| i["via"] == "hub")
                .cloned()
        });
        let applied = applied.unwrap_or_else(|| panic!("not applied: {:?}", hub.log()));
        assert_eq!(
            (applied["by"].as_str(), applied["text"].as_str()),
            (Some("Deputy City Attorney on call"), Some(words))
        );
        let listed = wait(Duration::from_secs(30), || {
            let said = super::stdout(&self.hub_cli(&["commands", FACILITY]));
            said.contains("applied").then_some(said)
        });
        assert!(listed.is_some(), "the kiosk did not report the command");
    }

    /// `threshold hub --config HUB ARGS` on the world's hub.
    pub fn hub_cli(&self, args: &[&str]) -> std::process::Output {
        super::hub::hub_cli(&self.hub_config, args)
    }

    /// `threshold --config … --data-dir … ARGS`, as an operator types it.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        self.cli_in("C.UTF-8", args)
    }

    /// The CLI on the running service's config and data, under `locale`.
    pub fn cli_in(&self, locale: &str, args: &[&str]) -> std::process::Output {
        bin()
            .env("LANG", locale)
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
