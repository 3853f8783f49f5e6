//! A private PostgreSQL cluster in a folder of its own, made and run with
//! the machine's PostgreSQL programs (`initdb`, `pg_ctl`): for
//! `threshold hub --demo`, a hub without a city database, and the tests.
//! It listens only on a Unix socket inside its folder. PostgreSQL does not
//! run as root, so as root the cluster belongs to the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The database role the cluster is made with.
pub const USER: &str = "threshold";

/// A running private cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    /// Whether this process started its server (and so stops it).
    pub started: bool,
}

/// The folder of PostgreSQL's programs: `THRESHOLD_PG_BIN`, or the newest
/// `/usr/lib/postgresql/*/bin` holding `initdb` (Debian's layout).
pub fn bin_dir() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("THRESHOLD_PG_BIN") {
        return Ok(PathBuf::from(p));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p).ok_or_else(|| {
        "PostgreSQL's programs (initdb, pg_ctl) are not installed; install them (`apt-get install postgresql`) or set THRESHOLD_PG_BIN to their folder".into()
    })
}

fn as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

impl Cluster {
    /// Make the cluster in `dir` when it is new, and start it unless it is
    /// running already.
    pub fn start(dir: &Path) -> Result<Cluster, String> {
        let bin = bin_dir()?;
        let dir = std::path::absolute(dir)
            .map_err(|e| format!("cluster folder {}: {e}", dir.display()))?;
        // The Unix socket's path must fit in 107 bytes.
        if dir.join(".s.PGSQL.5432").as_os_str().len() > 100 {
            return Err(format!(
                "cluster folder {} is too deep for PostgreSQL's socket; choose a shorter path",
                dir.display()
            ));
        }
        let mut c = Cluster {
            dir,
            bin,
            started: false,
        };
        if !c.dir.join("PG_VERSION").exists() {
            c.init()?;
        }
        if !c.running() {
            c.ctl(&["start", "-w", "-t", "60", "-l", &c.log().to_string_lossy()])?;
            c.started = true;
        }
        Ok(c)
    }

    /// The cluster's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn log(&self) -> PathBuf {
        self.dir.join("postgresql.log")
    }

    /// A connection string for it (over its Unix socket).
    pub fn url(&self) -> String {
        format!("host={} user={USER} dbname=postgres", self.dir.display())
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(program);
        let mut cmd = if as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{program} {} failed: {}{}",
                args.first().unwrap_or(&""),
                String::from_utf8_lossy(&out.stderr).trim(),
                if program == "pg_ctl" {
                    format!(" (its log: {})", self.log().display())
                } else {
                    String::new()
                }
            ))
        }
    }

    fn ctl(&self, args: &[&str]) -> Result<(), String> {
        let dir = self.dir.to_string_lossy().into_owned();
        let mut all = vec!["-D", dir.as_str()];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all)
    }

    fn init(&self) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot make the cluster folder {}: {e}", self.dir.display()))?;
        if as_root() {
            let out = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&self.dir)
                .output()
                .map_err(|e| format!("cannot run chown: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "PostgreSQL does not run as root, and the cluster folder cannot be given to the postgres user: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        let dir = self.dir.to_string_lossy().into_owned();
        self.run(
            "initdb",
            &["-D", &dir, "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C"],
        )
        .map_err(|e| {
            if as_root() {
                format!("{e}. As root, every folder above {dir} must be open to the postgres user (chmod o+x), or give the hub a --data-dir it can reach")
            } else {
                e
            }
        })?;
        // Only the Unix socket in the cluster's own folder; no TCP port.
        let conf = format!(
            "\n# threshold hub: a private cluster\nlisten_addresses = ''\nunix_socket_directories = '{dir}'\nfsync = on\nsynchronous_commit = on\n"
        );
        let path = self.dir.join("postgresql.conf");
        let mut text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        text.push_str(&conf);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Whether its server runs.
    pub fn running(&self) -> bool {
        self.ctl(&["status"]).is_ok()
    }

    /// Stop the server (fast: open transactions roll back).
    pub fn stop(&self) -> Result<(), String> {
        self.ctl(&["stop", "-m", "fast", "-w", "-t", "60"])
    }

    /// Restart the server.
    pub fn restart(&self) -> Result<(), String> {
        self.ctl(&[
            "restart",
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "-l",
            &self.log().to_string_lossy(),
        ])
    }
}
