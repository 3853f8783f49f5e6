//! The hub's connection to the city's PostgreSQL over TLS: with
//! `[database] ca_file` (or `sslmode=require`) the server's certificate is
//! checked and the record goes over the encrypted connection; a server
//! whose certificate the hub cannot trust, or a hub without TLS at a server
//! that refuses plain connections, is refused with a message naming it.
#![cfg(feature = "simulate")]

mod common;

use common::hub::*;
use std::path::Path;
use std::time::Duration;

fn config(dir: &Path, name: &str, url: &str, ca: Option<&Path>, port: u16) -> std::path::PathBuf {
    let path = hub_config(dir, name, url, port);
    if let Some(ca) = ca {
        let text = std::fs::read_to_string(&path).unwrap().replacen(
            "[database]\n",
            &format!("[database]\nca_file = {:?}\n", ca.display().to_string()),
            1,
        );
        std::fs::write(&path, text).unwrap();
    }
    path
}

#[test]
fn the_hub_reaches_its_database_over_tls_only_when_it_trusts_the_certificate() {
    let ca_dir = tempfile::tempdir().unwrap();
    let (pg, ca) = Pg::start_tls_only(ca_dir.path());
    let db_port = pg.port.unwrap();
    let dir = open_tempdir();
    let url = format!("host=localhost port={db_port} user=threshold dbname=postgres");

    // Plain text at a server that takes only TLS: refused, and said.
    let plain = config(dir.path(), "plain", &url, None, free_port());
    let out = hub_cli(&plain, &["facilities"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    println!("plain: {said}");
    assert!(
        said.contains("no encryption") || said.contains("pg_hba"),
        "{said}"
    );

    // TLS against the system's roots: the test CA is not one of them.
    let untrusted = config(
        dir.path(),
        "untrusted",
        &format!("{url} sslmode=require"),
        None,
        free_port(),
    );
    let out = hub_cli(&untrusted, &["facilities"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    println!("untrusted: {said}");
    assert!(said.to_lowercase().contains("certificate"), "{said}");

    // The city's CA in [database] ca_file: the hub runs and takes a
    // kiosk's record over the encrypted connection.
    let port = free_port();
    let good = config(dir.path(), "good", &url, Some(&ca), port);
    let public = hub_key(&good);
    let mut hub = start_hub(&good);
    let mut k = Kiosk::new(
        "tully-library",
        &format!("http://127.0.0.1:{port}"),
        &public,
    );
    let out = hub_cli(&good, &["enroll", "tully-library", "--key", &k.key()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    k.checkin("Xochitl");
    k.start();
    let head = k.journal().last().unwrap().0;
    let shipped = wait(Duration::from_secs(60), || {
        let out = hub_cli(&good, &["--json", "facilities"]);
        let all: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        (all[0]["head_seq"].as_i64()? >= head).then_some(())
    });
    assert!(shipped.is_some(), "{:?}", hub.log());
    assert!(hub_cli(&good, &["verify", "tully-library"])
        .status
        .success());
    k.stop();
    hub.terminate();
}
