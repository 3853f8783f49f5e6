//! Real PostgreSQL servers, hub processes and kiosk processes for the hub
//! tests: a private cluster made with the machine's initdb and run with
//! pg_ctl (as `threshold hub --demo` does), `threshold hub` and
//! `threshold run --headless --simulate` as separate processes.

use super::bin;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use threshold::hub::cluster::Cluster;

mod kiosk;
pub use kiosk::Kiosk;

/// A free loopback port (see `common::free_port`).
pub use super::free_port;

/// Poll `f` until it gives a value or `within` passes.
pub fn wait<T>(within: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A folder under /tmp that PostgreSQL's own user can reach when the
/// tests run as root (a tempdir is 0700).
pub fn open_tempdir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("th")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    dir
}

/// A private PostgreSQL server for one test.
pub struct Pg {
    pub cluster: Cluster,
    _dir: tempfile::TempDir,
    /// The port, when the server also listens on 127.0.0.1 (its socket is
    /// named after it).
    pub port: Option<u16>,
}

impl Pg {
    pub fn start() -> Pg {
        let dir = open_tempdir();
        let cluster = Cluster::start(&dir.path().join("pg")).expect("PostgreSQL starts");
        Pg {
            cluster,
            _dir: dir,
            port: None,
        }
    }

    /// A server that also listens on 127.0.0.1 with TLS only (its
    /// certificate, for `localhost`, signed by a test CA made in `ca_dir`;
    /// plain TCP refused); the CA's certificate (PEM).
    pub fn start_tls_only(ca_dir: &Path) -> (Pg, PathBuf) {
        let mut pg = Pg::start();
        let (ca, cert, key) = super::private_ca(ca_dir);
        let dir = pg.cluster.dir().to_path_buf();
        for (from, to) in [(&cert, "server.pem"), (&key, "server.key")] {
            use std::os::unix::fs::PermissionsExt;
            std::fs::copy(from, dir.join(to)).unwrap();
            std::fs::set_permissions(dir.join(to), std::fs::Permissions::from_mode(0o600)).unwrap();
            // The server reads its key as itself (postgres, under root).
            let root = std::process::Command::new("id")
                .arg("-u")
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
            if root {
                let given = std::process::Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(dir.join(to))
                    .status()
                    .unwrap();
                assert!(given.success());
            }
        }
        let port = free_port();
        let conf = dir.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).unwrap();
        text.push_str(&format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nssl = on\nssl_cert_file = 'server.pem'\nssl_key_file = 'server.key'\n"
        ));
        std::fs::write(&conf, text).unwrap();
        std::fs::write(
            dir.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
        )
        .unwrap();
        pg.cluster.restart().expect("the server restarts with TLS");
        pg.port = Some(port);
        (pg, ca)
    }

    pub fn url(&self) -> String {
        match self.port {
            Some(p) => format!("{} port={p}", self.cluster.url()),
            None => self.cluster.url(),
        }
    }

    /// Rows of `sql` (text columns only, as strings).
    pub fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&self.url(), tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let msgs = client.simple_query(sql).await.unwrap();
            msgs.into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                    }
                    _ => None,
                })
                .collect()
        })
    }

    /// A pool of connections to the hub's database, as the hub makes one.
    pub fn pool(&self) -> deadpool_postgres::Pool {
        threshold::hub::store::pool(&self.url(), None, 2, &threshold::hub::store::Tls::AsUrlSays)
            .unwrap()
    }

    /// One number from `sql`.
    pub fn number(&self, sql: &str) -> i64 {
        self.rows(sql)[0][0]
            .as_deref()
            .unwrap_or("0")
            .parse()
            .unwrap()
    }

    /// The hub's copy of `facility`: (seq, at, kind, subject, body, hash hex).
    pub fn entries(&self, facility: &str) -> Vec<Row> {
        self.rows(&format!(
            "SELECT seq, at, kind, subject, body, encode(hash, 'hex') FROM entries WHERE facility = '{facility}' ORDER BY seq"
        ))
        .into_iter()
        .map(|r| {
            let s = |i: usize| r[i].clone().unwrap_or_default();
            (s(0).parse().unwrap(), s(1), s(2), s(3), s(4), s(5))
        })
        .collect()
    }

    /// Everything in the database, as `pg_dump` writes it.
    pub fn dump(&self) -> String {
        let bin = threshold::hub::cluster::bin_dir().unwrap();
        let dir = self.cluster.dir().display().to_string();
        let out = std::process::Command::new(bin.join("pg_dump"))
            .args(["-h", &dir, "-U", "threshold", "postgres"])
            .args(self.port.map(|p| format!("--port={p}")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = self.cluster.stop();
    }
}

/// A journal row as both sides keep it.
pub type Row = (i64, String, String, String, String, String);

/// A child process whose standard error is collected line by line.
pub struct Proc {
    pub child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proc {
    pub fn spawn(mut cmd: std::process::Command) -> Proc {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let err = child.stderr.take().unwrap();
        let into = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                into.lock().unwrap().push(line);
            }
        });
        Proc { child, log }
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn wait_log(&self, text: &str, within: Duration) -> bool {
        wait(within, || {
            self.log().iter().any(|l| l.contains(text)).then_some(())
        })
        .is_some()
    }

    /// `kill -9`.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and wait for it to end.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        unsafe_kill(self.child.id(), "TERM");
        self.child.wait().unwrap()
    }
}

fn unsafe_kill(pid: u32, signal: &str) {
    let _ = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status();
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A hub config in `dir` on `db_url`, listening on `port`.
pub fn hub_config(dir: &Path, name: &str, db_url: &str, port: u16) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[hub]\nlisten = \"127.0.0.1:{port}\"\nkey_file = \"hub.key\"\n[database]\nurl = {db_url:?}\npool = 8\n\n[[account]]\nname = \"Rosa Delgado\"\nrole = \"counsel\"\n\n[[account]]\nname = \"Sam Okafor\"\nrole = \"manager\"\n"
        ),
    )
    .unwrap();
    path
}

/// `threshold hub --config CONFIG`, once it listens.
pub fn start_hub(config: &Path) -> Proc {
    let mut cmd = bin();
    cmd.args(["hub", "--config"]).arg(config);
    let p = Proc::spawn(cmd);
    assert!(
        p.wait_log("taking kiosks' records on", Duration::from_secs(30)),
        "the hub did not start: {:?}",
        p.log()
    );
    p
}

/// `threshold hub --config CONFIG ARGS`.
pub fn hub_cli(config: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .args(["hub", "--config"])
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

/// The hub's public key, hex.
pub fn hub_key(config: &Path) -> String {
    let out = hub_cli(config, &["key"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string()
}

/// The journal in a kiosk's data folder: (seq, at, kind, subject, body,
/// hash hex).
pub fn journal_rows(data: &Path) -> Vec<Row> {
    let conn = rusqlite::Connection::open(data.join("threshold.db")).unwrap();
    let mut stmt = conn
        .prepare("SELECT seq, at, kind, subject, body, hash FROM journal ORDER BY seq")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                hex::encode(r.get::<_, Vec<u8>>(5)?),
            ))
        })
        .unwrap()
        .collect::<Result<Vec<Row>, _>>()
        .unwrap();
    rows
}

/// Wait until the hub holds every entry of each kiosk; the journals.
pub fn wait_shipped(pg: &Pg, kiosks: &[&Kiosk], within: Duration) -> bool {
    wait(within, || {
        kiosks
            .iter()
            .all(|k| {
                let head = k.journal().last().map_or(0, |r| r.0);
                pg.number(&format!(
                    "SELECT coalesce(max(seq), 0) FROM entries WHERE facility = '{}'",
                    k.id
                )) == head
            })
            .then_some(())
    })
    .is_some()
}

/// One hub on a PostgreSQL server of its own, for the tests of one kiosk.
pub struct OneHub {
    pub pg: Pg,
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub config: PathBuf,
    /// The hub's public key, hex.
    pub public: String,
    pub process: Option<Proc>,
}

impl OneHub {
    /// The server and the hub's config; the hub not started yet.
    pub fn new() -> OneHub {
        let pg = Pg::start();
        let dir = open_tempdir();
        let port = free_port();
        let config = hub_config(dir.path(), "hub", &pg.url(), port);
        let public = hub_key(&config);
        OneHub {
            pg,
            dir,
            port,
            config,
            public,
            process: None,
        }
    }

    /// The server and the hub, running.
    pub fn started() -> OneHub {
        let mut h = OneHub::new();
        h.start();
        h
    }

    pub fn start(&mut self) {
        self.process = Some(start_hub(&self.config));
    }

    /// `threshold hub --config … ARGS`.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        hub_cli(&self.config, args)
    }

    /// A kiosk shipping to this hub, enrolled.
    pub fn kiosk(&self, id: &str) -> Kiosk {
        let k = Kiosk::new(id, &format!("http://127.0.0.1:{}", self.port), &self.public);
        let out = self.cli(&["enroll", id, "--key", &k.key()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        k
    }
}

/// The city hub's example configuration as shipped.
pub const HUB_EXAMPLE: &str = include_str!("../../deploy/threshold-hub.example.toml");

fn patch(text: &mut String, from: &str, to: &str) {
    assert!(
        text.contains(from),
        "the example hub config no longer has `{from}`; update the deployment test"
    );
    *text = text.replace(from, to);
}

/// The example hub config with its address, TLS files, key file and
/// database patched (the database: a private PostgreSQL cluster the test
/// starts); the hub's public key written where the kiosk's config looks.
pub fn example_hub_config(
    dir: &std::path::Path,
    port: u16,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> PathBuf {
    let mut text = HUB_EXAMPLE.to_string();
    patch(
        &mut text,
        "listen = \"0.0.0.0:8443\"",
        &format!("listen = \"127.0.0.1:{port}\""),
    );
    patch(
        &mut text,
        "\"/etc/threshold-hub/tls/cert.pem\"",
        &format!("{:?}", cert.display().to_string()),
    );
    patch(
        &mut text,
        "\"/etc/threshold-hub/tls/key.pem\"",
        &format!("{:?}", key.display().to_string()),
    );
    patch(
        &mut text,
        "\"/var/lib/threshold-hub/hub.key\"",
        &format!(
            "{:?}",
            dir.join("hub").join("hub.key").display().to_string()
        ),
    );
    patch(
        &mut text,
        "\"/etc/threshold-hub/db-password\"",
        &format!("{:?}", dir.join("db-password").display().to_string()),
    );
    std::fs::write(dir.join("db-password"), "not needed on a private cluster\n").unwrap();
    let path = dir.join("hub.toml");
    std::fs::write(&path, &text).unwrap();
    let out = hub_cli(&path, &["key"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(dir.join("hub.pub"), &out.stdout).unwrap();
    path
}

/// PostgreSQL and the hub on it, the example's facility enrolled with the
/// kiosk's key.
pub fn start_example_hub(
    hub_config: &std::path::Path,
    kiosk_config: &std::path::Path,
    data: &std::path::Path,
    facility: &str,
) -> (Pg, Proc) {
    // The city's PostgreSQL over TLS, its certificate signed by the city's
    // own CA (the example's [database] ca_file).
    let ca_dir = hub_config.parent().unwrap().join("db-ca");
    std::fs::create_dir_all(&ca_dir).unwrap();
    let (pg, ca) = Pg::start_tls_only(&ca_dir);
    let text = std::fs::read_to_string(hub_config).unwrap();
    let mut patched = text.clone();
    patch(
        &mut patched,
        "\"postgres://threshold_hub@db.city.example/threshold\"",
        &format!(
            "\"postgres://threshold@localhost:{}/postgres\"",
            pg.port.unwrap()
        ),
    );
    patch(
        &mut patched,
        "\"/etc/threshold-hub/db-ca.pem\"",
        &format!("{:?}", ca.display().to_string()),
    );
    std::fs::write(hub_config, patched).unwrap();
    let key = bin()
        .arg("--config")
        .arg(kiosk_config)
        .arg("--data-dir")
        .arg(data)
        .args(["log", "key"])
        .output()
        .unwrap();
    let key = String::from_utf8_lossy(&key.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string();
    let out = hub_cli(hub_config, &["enroll", facility, "--key", &key]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hub = start_hub(hub_config);
    (pg, hub)
}

/// POST `body` to `url` as a page upload: (status, body).
pub fn post_page(url: &str, facility: &str, page: &str, sig: &str, body: &[u8]) -> (u16, String) {
    use threshold::domain::shipping::page::{FACILITY_HEADER, PAGE_HEADER, SIGNATURE_HEADER};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let res = reqwest::Client::new()
            .post(url)
            .header(FACILITY_HEADER, facility)
            .header(PAGE_HEADER, page)
            .header(SIGNATURE_HEADER, sig)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    })
}
