//! A kiosk process for the hub tests: the demo config under another
//! facility id, shipping to a hub.

use super::{free_port, journal_rows, Proc, Row};
use crate::common::bin;
use std::path::PathBuf;
use std::time::Duration;

/// One kiosk: the demo config under another facility id, shipping to a hub.
pub struct Kiosk {
    pub id: String,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub data: PathBuf,
    pub service: Option<Proc>,
}

impl Kiosk {
    pub fn new(id: &str, hub_url: &str, hub_public: &str) -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let demo = include_str!("../../../assets/config/demo.toml");
        let text = demo.replace("id = \"sj-demo-branch\"", &format!("id = \"{id}\""));
        let text = format!(
            "{text}\n[admin]\nlisten = \"127.0.0.1:{}\"\n\n[hub]\nurl = \"{hub_url}\"\npublic_key = \"{hub_public}\"\npush_every_ms = 200\nheartbeat_every_s = 2\n",
            free_port()
        );
        let config = dir.path().join("kiosk.toml");
        std::fs::write(&config, text).unwrap();
        Kiosk {
            id: id.into(),
            data: dir.path().join("data"),
            config,
            dir,
            service: None,
        }
    }

    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        bin()
            .arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .output()
            .unwrap()
    }

    /// The facility's public key, hex.
    pub fn key(&self) -> String {
        let out = self.cli(&["log", "key"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap()
            .to_string()
    }

    /// A visitor check-in by the CLI (a second process on the record).
    pub fn checkin(&self, name: &str) {
        let out = self.cli(&[
            "checkin",
            "visitor",
            "--name",
            name,
            "--purpose",
            "program",
            "--host",
            "Lorna in Room 4",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// An official's check-in by the CLI, with `extra` arguments; its
    /// encounter's reference.
    pub fn official(&self, extra: &[&str]) -> String {
        let mut args = vec![
            "--json",
            "checkin",
            "official",
            "--officer",
            "Ana Ruiz;4471;ICE ERO",
        ];
        args.extend_from_slice(extra);
        let out = self.cli(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Record encounter `id`'s outcome (the officials left) and close it,
    /// by the CLI.
    pub fn close(&self, id: &str) {
        for args in [
            vec![
                "encounter",
                "decide",
                id,
                "--outcome",
                "left",
                "--by",
                "Dana",
            ],
            vec!["encounter", "close", id, "--by", "Dana"],
        ] {
            let out = self.cli(&args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// `encounter show ID --json` on this kiosk.
    pub fn encounter(&self, id: &str) -> serde_json::Value {
        let out = self.cli(&["--json", "encounter", "show", id]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `threshold run --headless --simulate` on this kiosk.
    pub fn start(&mut self) {
        let mut cmd = bin();
        cmd.arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data)
            .args(["run", "--headless", "--simulate"]);
        let p = Proc::spawn(cmd);
        assert!(
            p.wait_log("threshold: data in", Duration::from_secs(30)),
            "the kiosk did not start: {:?}",
            p.log()
        );
        self.service = Some(p);
    }

    pub fn stop(&mut self) {
        if let Some(mut p) = self.service.take() {
            p.terminate();
        }
    }

    /// The kiosk's journal: (seq, at, kind, subject, body, hash hex).
    pub fn journal(&self) -> Vec<Row> {
        journal_rows(&self.data)
    }

    /// The health board's `hub` line from the running service.
    pub fn hub_part(&self) -> String {
        let out = self.cli(&["devices", "list"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("hub"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}
