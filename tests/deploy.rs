//! The deployment files: the systemd units pass `systemd-analyze verify`
//! (with the ExecStart pointed at the binary this build made), and every
//! udev rule gives one of the stable names the example config uses.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_systemd_units_verify() {
    let Ok(v) = Command::new("systemd-analyze").arg("--version").output() else {
        // Machines of this project's kind have systemd; say so loudly if not.
        panic!("systemd-analyze is not installed; the unit files cannot be verified here");
    };
    assert!(v.status.success());
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_threshold");
    for unit in [
        "threshold.service",
        "threshold-kiosk.service",
        "threshold-hub.service",
    ] {
        let text = std::fs::read_to_string(root().join("deploy/systemd").join(unit)).unwrap();
        let text = text
            .replace("/usr/bin/cage -- /usr/bin/threshold", bin)
            .replace("/usr/bin/threshold", bin);
        let path = dir.path().join(unit);
        std::fs::write(&path, text).unwrap();
        let o = Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        // Units it merely references (network-online.target, getty) may be
        // missing in a container; anything about our files is a failure.
        let ours: Vec<&str> = err.lines().filter(|l| l.contains(unit)).collect();
        assert!(o.status.success() && ours.is_empty(), "{unit}: {err}");
    }
}

/// `systemd-analyze security --offline` scores both units: the kiosk unit
/// was 7.8 ("EXPOSED") when the headless one was 3.4.
#[test]
fn both_units_are_hardened_and_the_kiosk_cannot_switch_terminals() {
    for (unit, most) in [
        ("threshold.service", 4.5),
        ("threshold-kiosk.service", 4.5),
        ("threshold-hub.service", 2.0),
    ] {
        let o = Command::new("systemd-analyze")
            .args(["security", "--offline=true", "--no-pager"])
            .arg(root().join("deploy/systemd").join(unit))
            .output()
            .expect("systemd-analyze runs");
        let out = String::from_utf8_lossy(&o.stdout);
        let score: f64 = out
            .lines()
            .find_map(|l| l.split("exposure level for ").nth(1))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{unit}: no score in {out}"));
        assert!(score <= most, "{unit}: exposure {score}\n{out}");
        let text = std::fs::read_to_string(root().join("deploy/systemd").join(unit)).unwrap();
        let files = if unit == "threshold-hub.service" {
            "LimitNOFILE=16384"
        } else {
            "LimitNOFILE=8192"
        };
        for key in ["SystemCallFilter=", files, "CapabilityBoundingSet="] {
            assert!(text.contains(key), "{unit} sets {key}");
        }
    }
    let kiosk =
        std::fs::read_to_string(root().join("deploy/systemd/threshold-kiosk.service")).unwrap();
    let exec = kiosk.lines().find(|l| l.starts_with("ExecStart=")).unwrap();
    assert!(
        !exec.contains(" -s"),
        "cage -s allows switching VTs: {exec}"
    );
}

#[test]
fn the_udev_rules_name_every_device_the_example_config_uses() {
    let rules = std::fs::read_to_string(root().join("deploy/udev/99-threshold.rules")).unwrap();
    let example = std::fs::read_to_string(root().join("deploy/threshold.example.toml")).unwrap();
    for name in ["printer", "scanner", "sign", "panic"] {
        let dev = format!("/dev/threshold-{name}");
        assert!(example.contains(&dev), "{dev} not in the example");
        assert!(
            rules.contains(&format!("SYMLINK+=\"threshold-{name}\"")),
            "{name} has no rule"
        );
    }
    for line in rules
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        assert!(
            line.contains("SUBSYSTEM==") && line.contains("SYMLINK+="),
            "{line}"
        );
        assert!(line.contains("GROUP=\"threshold\""), "{line}");
    }
}
