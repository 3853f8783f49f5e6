//! The health of every part of the running service — each serial device,
//! each alert channel, the admin web — in one board that staff mode, the
//! admin dashboard and `threshold devices list` all read. A part posts its
//! state whenever it learns something; the board logs a change once (not
//! every retry) and writes `devices.json` in the data folder on change
//! only (a kiosk's eMMC wears).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The file the running service writes the board to.
pub const STATUS_FILE: &str = "devices.json";

/// What sort of part it is, for grouping on screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartKind {
    /// A serial peripheral: printer, scanner, door sign, panic button, modem.
    Device,
    /// A way of paging: webhook, e-mail, the SMS gateway.
    Channel,
    /// A service of the box: the admin web.
    Service,
}

/// One part as the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartState {
    /// `printer`, `scanner`, `sign`, `panic`, `modem`, `webhook`, `email`,
    /// `sms-gateway`, `admin-web`.
    pub part: String,
    pub kind: PartKind,
    /// Where it is: a serial port, a server's host, a listening address.
    pub location: String,
    /// Whether it works as far as the service knows.
    pub working: bool,
    /// What is wrong, or the last thing it did.
    pub detail: String,
    /// What to do about it, in words, when it is not working.
    #[serde(default)]
    pub fix: String,
}

/// The shared board. Cheap to clone.
#[derive(Clone, Default)]
pub struct Health(Arc<Board>);

#[derive(Default)]
struct Board {
    parts: Mutex<Vec<PartState>>,
    file: Option<PathBuf>,
    /// One writer of the file at a time (parts post from many threads).
    writing: Mutex<()>,
}

impl Health {
    /// A board that is also written to `file` on every change.
    pub fn new(file: Option<PathBuf>) -> Health {
        Health(Arc::new(Board {
            parts: Mutex::new(Vec::new()),
            file,
            writing: Mutex::new(()),
        }))
    }

    /// Post `part`'s state. A change is logged once and written out; the
    /// same state posted again changes nothing.
    pub fn set(&self, state: PartState) {
        {
            let Ok(mut parts) = self.0.parts.lock() else {
                return;
            };
            match parts.iter_mut().find(|p| p.part == state.part) {
                Some(p) if *p == state => return,
                Some(p) => {
                    // Only a change of working or of what is wrong is news;
                    // the last thing a working part did is not worth a line.
                    let news = p.working != state.working || !state.working;
                    *p = state.clone();
                    if news {
                        log_change(&state);
                    }
                }
                None => {
                    log_change(&state);
                    parts.push(state);
                }
            }
        }
        self.write();
    }

    /// Post that `part` works (`detail`: what it did last).
    pub fn working(&self, part: &str, kind: PartKind, location: &str, detail: &str) {
        self.set(PartState {
            part: part.into(),
            kind,
            location: location.into(),
            working: true,
            detail: detail.into(),
            fix: String::new(),
        });
    }

    /// Post that `part` does not work: what is wrong and what to do.
    pub fn broken(&self, part: &str, kind: PartKind, location: &str, detail: &str, fix: &str) {
        self.set(PartState {
            part: part.into(),
            kind,
            location: location.into(),
            working: false,
            detail: detail.into(),
            fix: fix.into(),
        });
    }

    /// Every part posted so far, in the order they first posted.
    pub fn parts(&self) -> Vec<PartState> {
        self.0.parts.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The state of `part`, if it posted one.
    pub fn get(&self, part: &str) -> Option<PartState> {
        self.parts().into_iter().find(|p| p.part == part)
    }

    /// Written on each change only, with this process's id so `devices
    /// list` can tell a running service's board from an old file.
    fn write(&self) {
        let Some(file) = &self.0.file else { return };
        let _one = self.0.writing.lock().unwrap_or_else(|p| p.into_inner());
        let json = serde_json::to_vec_pretty(&StatusFile {
            pid: std::process::id(),
            parts: self.parts(),
        })
        .unwrap_or_default();
        let tmp = file.with_extension("json.tmp");
        if let Err(e) = std::fs::write(&tmp, json).and_then(|_| std::fs::rename(&tmp, file)) {
            tracing::warn!(file = %file.display(), error = %e, "cannot write the service's status");
        }
    }
}

fn log_change(s: &PartState) {
    if s.working {
        tracing::info!(part = %s.part, at = %s.location, detail = %s.detail, "working");
    } else {
        tracing::warn!(part = %s.part, at = %s.location, problem = %s.detail, fix = %s.fix, "not working");
    }
}

/// What `devices.json` holds.
#[derive(Serialize, Deserialize)]
struct StatusFile {
    pid: u32,
    parts: Vec<PartState>,
}

/// The board the running service last wrote, or `None` when no service
/// that wrote it is running.
pub fn read_status(file: &Path) -> Option<Vec<PartState>> {
    let f: StatusFile = serde_json::from_slice(&std::fs::read(file).ok()?).ok()?;
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", f.pid)).ok()?;
    let alive = String::from_utf8_lossy(&cmdline).contains("threshold");
    alive.then_some(f.parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_written_and_a_repeat_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(STATUS_FILE);
        let h = Health::new(Some(file.clone()));
        h.broken(
            "modem",
            PartKind::Device,
            "/dev/x",
            "not answering",
            "check the cable",
        );
        let first = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.broken(
            "modem",
            PartKind::Device,
            "/dev/x",
            "not answering",
            "check the cable",
        );
        assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), first);
        h.working("modem", PartKind::Device, "/dev/x", "sent a text");
        let parts = read_status(&file).expect("this test process is a threshold binary");
        assert_eq!(parts.len(), 1);
        assert!(parts[0].working);
        assert_eq!(h.get("modem").unwrap().detail, "sent a text");
    }
}
