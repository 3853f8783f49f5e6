//! Every configuration error names the file, line and key, what was found
//! and what is allowed.

mod common;

use common::config::*;
use common::*;
use threshold::config::Loaded;

#[test]
fn the_example_and_the_demo_pass() {
    // Beside its secret file, the example has nothing to warn about.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("webhook.secret"), "s3cret\n").unwrap();
    std::fs::write(dir.path().join("smtp.password"), "hunter2\n").unwrap();
    std::fs::write(dir.path().join("sms.credentials"), "user:pw\n").unwrap();
    let l = Loaded::from_text("ex", EXAMPLE, dir.path()).unwrap();
    // The modem and the devices are not plugged into this machine: one
    // warning each.
    let keys: Vec<&str> = l.warnings.iter().map(|w| w.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "alerts.sms.modem",
            "devices.printer.port",
            "devices.scanner.port",
            "devices.sign.port",
            "devices.panic.port"
        ],
        "{:?}",
        l.warnings
    );
    assert!(l.warnings[1].message.contains("used when it appears"));
    assert_eq!(l.webhook_secret().unwrap().unwrap(), b"s3cret");
    assert_eq!(l.smtp_password().unwrap().unwrap(), b"hunter2");
    // Without it, it still loads, and says what is missing.
    let l = Loaded::from_text("ex", EXAMPLE, std::path::Path::new("/nonexistent")).unwrap();
    let w: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 3 + 5, "{w:?}");
    assert!(
        w.iter()
            .any(|w| w.contains("`alerts.webhook.secret_file`") && w.contains("cannot be signed")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("`alerts.smtp.password_file`")
                && w.contains("e-mail cannot be sent")),
        "{w:?}"
    );
    Loaded::demo();
}

#[test]
fn type_and_enum_errors() {
    expect_error(
        "paper = \"letter\"",
        "paper = \"legal\"",
        "report.paper",
        "paper = \"legal\"",
        "a4",
    );
    expect_error(
        "kind = \"city-hall\"",
        "kind = \"city hall\"",
        "facility.kind",
        "city hall",
        "community-center",
    );
    expect_error(
        "visitor_days = 30",
        "visitor_days = \"30\"",
        "retention.visitor_days",
        "visitor_days = \"30\"",
        "expected a whole number",
    );
    expect_error(
        "role = \"manager\"",
        "role = \"boss\"",
        "contacts[3].role",
        "\"boss\"",
        "designated-staff",
    );
    expect_error(
        "languages = [\"en\", \"es\"",
        "languages = [\"en\", \"fr\"",
        "facility.languages[1]",
        "\"fr\"",
        "zh-Hans",
    );
    expect_error(
        "{ name = \"Records room\", kind = \"non-public\" }",
        "{ name = \"Records room\", kind = \"private\" }",
        "facility.areas[4].kind",
        "\"private\"",
        "non-public",
    );
}

#[test]
fn unknown_keys_are_refused_everywhere() {
    expect_error(
        "kind = \"city-hall\"",
        "kind = \"city-hall\"\ncolour = \"red\"",
        "facility.colour",
        "colour",
        "unknown field",
    );
    expect_error(
        "name = \"Facility manager\"",
        "name = \"Facility manager\"\nbirthplace = \"x\"",
        "contacts[3].birthplace",
        "birthplace",
        "unknown field",
    );
    expect_error(
        "[alerts]\n",
        "[alerts]\nfax = 1\n",
        "alerts.fax",
        "fax = 1",
        "unknown field",
    );
    expect_error(
        "ack_within_s = 60",
        "ack_within_s = 60\nescalate = true",
        "escalation.tiers[0].escalate",
        "escalate",
        "unknown field",
    );
}

#[test]
fn validation_errors() {
    expect_error(
        "timezone = \"America/Los_Angeles\"",
        "timezone = \"Pacific\"",
        "facility.timezone",
        "Pacific",
        "IANA",
    );
    expect_error(
        "id = \"sj-city-hall-east\"",
        "id = \"SJ City Hall\"",
        "facility.id",
        "SJ City Hall",
        "lower-case",
    );
    expect_error(
        "email = \"frontdesk@example.org\"",
        "email = \"frontdesk\"",
        "contacts[0].email",
        "\"frontdesk\"",
        "name@example.org",
    );
    expect_error(
        "phone = \"+14085550150\"",
        "phone = \"408-555-0150\"",
        "contacts[0].phone",
        "408-555-0150",
        "+14085550100",
    );
    expect_error(
        "webhook = \"https://hooks.example.org/threshold/counsel\"",
        "webhook = \"http://hooks.example.org/x\"",
        "contacts[1].webhook",
        "http://hooks",
        "https://",
    );
    expect_error(
        "email = \"facilities@example.org\"\nwebhook = \"https://hooks.example.org/threshold/facilities\"",
        "language = \"en\"",
        "contacts[3]",
        "name = \"Facility manager\"",
        "at least one of",
    );
    expect_error(
        "ack_within_s = 60",
        "ack_within_s = 0",
        "escalation.tiers[0].ack_within_s",
        "ack_within_s = 0",
        "5 to 3600",
    );
    expect_error(
        "visitor_days = 30",
        "visitor_days = 0",
        "retention.visitor_days",
        "visitor_days = 0",
        "1 to 3650",
    );
    expect_error(
        "encounter_years = 7",
        "encounter_years = 500",
        "retention.encounter_years",
        "encounter_years = 500",
        "1 to 100",
    );
    expect_error(
        "policy = \"san-jose\"",
        "policy = \"oakland\"",
        "facility.policy",
        "oakland",
        "example-no-ban",
    );
    expect_error(
        "policy = \"san-jose\"",
        "policy = \"missing-profile.toml\"",
        "facility.policy",
        "missing-profile",
        "cannot read profile file",
    );
    expect_error(
        "entrances = [\"east\", \"north\"]",
        "entrances = [\"east\", \"east\"]",
        "facility.entrances[1]",
        "entrances",
        "more than once",
    );
    expect_error(
        "\"public-meeting\"",
        "\"Public Meeting\"",
        "visitors.purposes[2]",
        "Public Meeting",
        "lower-case",
    );
    // Both counsel contacts made something else: nobody is counsel.
    let no_counsel = EXAMPLE.replace("role = \"counsel\"", "role = \"manager\"");
    let err = Loaded::from_text("site.toml", &no_counsel, std::path::Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`contacts`") && err.contains("role = \"counsel\""),
        "{err}"
    );
}

#[test]
fn syntax_errors_name_the_line() {
    let text = EXAMPLE.replacen("kind = \"city-hall\"", "kind = \"city-hall", 1);
    let err = Loaded::from_text("site.toml", &text, std::path::Path::new("."))
        .unwrap_err()
        .to_string();
    let line = text
        .lines()
        .position(|l| l.contains("kind = \"city-hall"))
        .unwrap()
        + 1;
    assert!(err.starts_with(&format!("site.toml:{line}:")), "{err}");
}

#[test]
fn config_check_reports_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        EXAMPLE.replacen("kind = \"city-hall\"", "kind = \"castle\"", 1),
    )
    .unwrap();
    let out = bin().args(["config", "check"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml:") && err.contains("`facility.kind`") && err.contains("castle"),
        "{err}"
    );
    let out = bin()
        .args(["config", "check", "/nonexistent/site.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("/nonexistent/site.toml: cannot read"),
        "{}",
        stderr(&out)
    );
    let out = bin()
        .args(["config", "check", "deploy/threshold.example.toml"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("OK"));
    // A profile given by path is loaded relative to the config file.
    let profile = dir.path().join("mine.toml");
    std::fs::write(
        &profile,
        include_str!("../assets/policies/example-no-ban.toml")
            .replace("id = \"example-no-ban\"", "id = \"mine\"")
            .replace("555 01", "290 11"),
    )
    .unwrap();
    let cfg = dir.path().join("site.toml");
    std::fs::write(
        &cfg,
        EXAMPLE.replacen("policy = \"san-jose\"", "policy = \"mine.toml\"", 1),
    )
    .unwrap();
    let out = bin()
        .args(["--json", "config", "check"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\"policy\":\"mine\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn warnings_are_shown_but_do_not_fail() {
    let text = EXAMPLE.replacen(
        "notify = [\"designated-staff\", \"counsel\"]",
        "notify = [\"designated-staff\"]",
        1,
    );
    let l = Loaded::from_text("w.toml", &text, std::path::Path::new(".")).unwrap();
    let w: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("counsel is not in the first tier")),
        "{w:?}"
    );
}

#[test]
fn kiosk_settings_are_checked_at_their_keys() {
    expect_error(
        "idle_timeout_s = 60",
        "idle_timeout_s = 5",
        "kiosk.idle_timeout_s",
        "idle_timeout_s = 5",
        "allowed: 15 to 600 seconds",
    );
    expect_error(
        "capture_folder = \"/var/lib/threshold/scans\"",
        "",
        "kiosk.capture_folder",
        "[kiosk]",
        "needs capture_folder",
    );
    expect_error(
        "capture = \"folder\"",
        "capture = \"camera\"",
        "kiosk.camera",
        "[kiosk]",
        "needs camera",
    );
    expect_error(
        "capture = \"folder\"",
        "capture = \"webcam\"",
        "kiosk.capture",
        "capture = \"webcam\"",
        "`demo`, `folder`, `camera`",
    );
    expect_error(
        "pin_hash = \"$argon2id",
        "pin_hash = \"1234\" # \"$argon2id",
        "kiosk.staff[0].pin_hash",
        "pin_hash = \"1234\"",
        "threshold staff hash-pin",
    );
    expect_error(
        "[visitors.labels.public-meeting]\nen = \"A public meeting\"",
        "[visitors.labels.public-meetings]\nen = \"A public meeting\"",
        "visitors.purposes[2]",
        "purposes = [",
        "`public-meeting` has no label",
    );
}

#[test]
fn the_admin_web_in_clear_text_beyond_this_machine_is_a_warning() {
    let warnings = |text: &str| -> Vec<String> {
        Loaded::from_text("w.toml", text, std::path::Path::new("."))
            .unwrap()
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    let open = EXAMPLE
        .replacen(
            "listen = \"127.0.0.1:8080\"",
            "listen = \"0.0.0.0:8080\"",
            1,
        )
        .replacen("behind_tls_proxy = true\n", "", 1);
    let w = warnings(&open);
    assert!(
        w.iter()
            .any(|w| w.contains("`admin.listen`") && w.contains("clear text")),
        "{w:?}"
    );
    // Behind the proxy it is not.
    let proxied = EXAMPLE.replacen(
        "listen = \"127.0.0.1:8080\"",
        "listen = \"0.0.0.0:8080\"",
        1,
    );
    assert!(!warnings(&proxied)
        .iter()
        .any(|w| w.contains("`admin.listen`")));
    let plain = EXAMPLE.replacen(
        "public_url = \"https://threshold.cityhall.example.org\"",
        "public_url = \"http://threshold.cityhall.example.org\"",
        1,
    );
    assert!(warnings(&plain)
        .iter()
        .any(|w| w.contains("`admin.public_url`") && w.contains("clear text")));
    let untrusted = EXAMPLE.replacen("trusted_proxies = [\"127.0.0.1\", \"::1\"]\n", "", 1);
    assert!(warnings(&untrusted)
        .iter()
        .any(|w| w.contains("`admin.trusted_proxies`")));
    expect_error(
        "trusted_proxies = [\"127.0.0.1\", \"::1\"]",
        "trusted_proxies = [\"127.0.0.1\", \"the proxy\"]",
        "admin.trusted_proxies[1]",
        "trusted_proxies",
        "CIDR range",
    );
}

#[test]
fn fictional_resource_numbers_are_refused_outside_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let demo = include_str!("../assets/config/demo.toml");
    // The shipped San José profile has no fictional numbers.
    let ok = dir.path().join("ok.toml");
    std::fs::write(&ok, demo).unwrap();
    let o = bin()
        .arg("--config")
        .arg(&ok)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // The example profiles still carry 555-01xx numbers.
    let example = dir.path().join("example.toml");
    std::fs::write(
        &example,
        demo.replace("policy = \"san-jose\"", "policy = \"example-partial-ban\""),
    )
    .unwrap();
    let o = bin()
        .arg("--config")
        .arg(&example)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("policy profile `example-partial-ban`, resources[0] (Immigration legal hotline): +1 408 555 0101 is a 555-01xx number reserved for fiction"),
        "{}",
        stderr(&o)
    );
    let o = bin()
        .arg("--config")
        .arg(&example)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["run", "--headless"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr(&o).contains("555-01xx"), "{}", stderr(&o));
    assert!(!dir.path().join("data").exists(), "nothing started");
}
