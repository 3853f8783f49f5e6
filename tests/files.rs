//! Files the record and its exports touch: the data folder is the service
//! user's alone (0700, database files 0600; a folder others can write is
//! refused), and `--out` never follows a link planted by someone else.

mod common;

use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_data_folder_made_0755_by_an_installer_is_closed_and_its_files_are_0600() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    std::fs::create_dir(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = cli(
        &d,
        &[
            "checkin",
            "visitor",
            "--purpose",
            "program",
            "--name",
            "Lan",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&d), 0o700);
    for f in ["threshold.db", "threshold.db-wal", "threshold.db-shm"] {
        let p = d.join(f);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{f}");
        }
    }
    assert_eq!(mode(&d.join("threshold.db")), 0o600);
    // A database an older version left 0644 is closed too.
    std::fs::set_permissions(
        d.join("threshold.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    assert!(cli(&d, &["log", "verify"]).status.success());
    assert_eq!(mode(&d.join("threshold.db")), 0o600);
    for key in ["keys/page.key", "keys/ack.key", "keys/facility.key"] {
        let p = d.join(key);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{key}");
        }
    }
}

#[test]
fn a_data_folder_others_can_write_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    std::fs::create_dir(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = cli(&d, &["checkin", "visitor", "--purpose", "program"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("can be written by other users") && err.contains("chmod 700"),
        "{err}"
    );
    assert!(!d.join("threshold.db").exists(), "nothing was written");
}

#[test]
fn out_never_follows_a_planted_link_and_writes_0600() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    cli(
        d,
        &[
            "checkin",
            "visitor",
            "--purpose",
            "program",
            "--name",
            "Lan",
        ],
    );
    let victim = d.join("victim");
    let other = d.join("other-victim");
    std::fs::write(&victim, "keep me").unwrap();
    std::fs::write(&other, "keep me too").unwrap();
    let out_dir = d.join("exports");
    std::fs::create_dir(&out_dir).unwrap();
    // Links where an older version put its temporary file, and at the
    // destination itself.
    std::os::unix::fs::symlink(&other, out_dir.join("log.partial")).unwrap();
    std::os::unix::fs::symlink(&victim, out_dir.join("log.csv")).unwrap();
    let target = out_dir.join("log.csv");
    let out = cli(d, &["log", "export", "--out", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me too");
    let meta = std::fs::symlink_metadata(&target).unwrap();
    assert!(
        meta.file_type().is_file(),
        "the link was replaced, not followed"
    );
    assert_eq!(meta.mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&target).unwrap().contains("Lan"));
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial") && n != "log.partial")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
