//! A real SMTP server for the tests: Debian's aiosmtpd (python3-aiosmtpd),
//! run by Debian's own Python, writing each message it accepts to a folder.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Debian's Python, which has aiosmtpd (the `python3` on PATH may be
/// another one).
pub const PYTHON: &str = "/usr/bin/python3";

/// The SMTP server process and the folder it writes messages to.
pub struct SmtpServer {
    child: Child,
    out: tempfile::TempDir,
    pub port: u16,
}

/// How the server is set up.
#[derive(Default)]
pub struct SmtpSetup<'a> {
    /// `none`, `starttls` or `tls`.
    pub tls: &'a str,
    pub cert: Option<&'a Path>,
    pub key: Option<&'a Path>,
    /// AUTH required with this user and password.
    pub auth: Option<(&'a str, &'a str)>,
    pub port: Option<u16>,
}

impl SmtpServer {
    /// A plain server that accepts every message, on `port` or a free one.
    pub fn plain(port: Option<u16>) -> SmtpServer {
        Self::start(&SmtpSetup {
            tls: "none",
            port,
            ..Default::default()
        })
    }

    /// A server as `setup` says; panics with what is missing when aiosmtpd
    /// is not installed (`.ci/run` installs python3-aiosmtpd).
    pub fn start(setup: &SmtpSetup<'_>) -> SmtpServer {
        let out = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(PYTHON);
        cmd.arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/smtp_server.py"
        ))
        .arg(out.path())
        .args([
            "--tls",
            if setup.tls.is_empty() {
                "none"
            } else {
                setup.tls
            },
        ]);
        if let (Some(c), Some(k)) = (setup.cert, setup.key) {
            cmd.arg("--cert").arg(c).arg("--key").arg(k);
        }
        if let Some((u, p)) = setup.auth {
            cmd.args(["--user", u, "--password", p]);
        }
        if let Some(port) = setup.port {
            cmd.args(["--port", &port.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Debian's python3 runs the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = match line.trim().parse() {
            Ok(p) => p,
            Err(_) => {
                let mut err = String::new();
                let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
                panic!("the SMTP server did not start (is python3-aiosmtpd installed? `apt-get install python3-aiosmtpd`): {line:?} {err}");
            }
        };
        SmtpServer { child, out, port }
    }

    /// Every message received, as text (headers the server added first).
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(self.out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server that accepts connections and never says a word: a relay that
/// hangs. Returns its port; it lives until the process ends.
pub fn blackhole() -> u16 {
    blackhole_counted().0
}

/// A blackhole relay, and how many connections it has taken.
pub fn blackhole_counted() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let taken = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = taken.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(s);
        }
    });
    (port, taken)
}
