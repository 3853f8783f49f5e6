//! Alert channels in the configuration: each error names the file, line
//! and key, what was found and what is allowed (e-mail, text messages, the
//! webhook, the number to call when nobody answers).

mod common;

use common::config::*;
use threshold::config::Loaded;

#[test]
fn channels_must_be_reachable_and_sendable() {
    expect_error(
        "channels = [\"webhook\", \"sms\"]",
        "channels = [\"webhook\", \"fax\"]",
        "contacts[0].channels[1]",
        "channels = [",
        "unknown variant `fax`",
    );
    expect_error(
        "webhook = \"https://hooks.example.org/threshold/front-desk\"\n",
        "",
        "contacts[0].channels[0]",
        "channels = [",
        "has no `webhook` URL",
    );
    expect_error(
        "channels = [\"webhook\", \"sms\"]",
        "channels = []",
        "contacts[0].channels",
        "channels = []",
        "pages nobody",
    );
    expect_error(
        "fallback_after_s = 30",
        "fallback_after_s = 1",
        "escalation.tiers[0].fallback_after_s",
        "fallback_after_s = 1",
        "5 to 3600",
    );
    expect_error(
        "timeout_s = 10",
        "timeout_s = 0",
        "alerts.webhook.timeout_s",
        "timeout_s = 0",
        "1 to 120",
    );
    expect_error(
        "style = \"slack\"",
        "style = \"discord\"",
        "alerts.webhook.style",
        "discord",
        "teams",
    );
}

#[test]
fn smtp_settings_are_checked() {
    expect_error(
        "from = \"Threshold at City Hall East <threshold@example.org>\"",
        "from = \"threshold at example\"",
        "alerts.smtp.from",
        "threshold at example",
        "Threshold <threshold@",
    );
    expect_error(
        "username = \"threshold\"\n",
        "",
        "alerts.smtp",
        "[alerts.smtp]",
        "go together",
    );
    expect_error(
        "tls = \"starttls\"",
        "tls = \"ssl\"",
        "alerts.smtp.tls",
        "\"ssl\"",
        "starttls",
    );
    expect_error(
        "port = 587",
        "port = 0",
        "alerts.smtp.port",
        "port = 0",
        "1 to 65535",
    );
    expect_error(
        "port = 587",
        "port = 70000",
        "alerts.smtp.port",
        "port = 70000",
        "",
    );
    let text = EXAMPLE.replacen("tls = \"starttls\"", "tls = \"none\"", 1);
    let l = Loaded::from_text("w.toml", &text, std::path::Path::new(".")).unwrap();
    assert!(
        l.warnings
            .iter()
            .any(|w| w.key == "alerts.smtp.tls" && w.message.contains("unencrypted")),
        "{:?}",
        l.warnings
    );
}

#[test]
fn sms_settings_are_checked() {
    // The example's own [alerts.sms], emptied, then refilled per case.
    let start = EXAMPLE.find("modem = \"/dev/threshold-modem\"").unwrap();
    let end = start + EXAMPLE[start..].find("timeout_s = 30").unwrap();
    let base = format!("{}{}", &EXAMPLE[..start], &EXAMPLE[end..]);
    let base = base.replacen("[alerts.sms]\n", "[alerts.sms]\n{EXTRA}", 1);
    let check = |extra: &str, key: &str, says: &str| {
        let text = base.replace("{EXTRA}", extra);
        let err = Loaded::from_text("s.toml", &text, std::path::Path::new("."))
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains(&format!("`{key}`")) && err.contains(says),
            "{err}"
        );
    };
    check("", "alerts.sms", "or both");
    check(
        "gateway_url = \"https://sms.example.org/send\"\n",
        "alerts.sms.gateway_url",
        "{to} and {text}",
    );
    check(
        "gateway_url = \"http://sms.example.org/?to={to}&text={text}\"\n",
        "alerts.sms.gateway_url",
        "https://",
    );
    // Plain HTTP only to this machine, as parsed: not to a look-alike name.
    check(
        "gateway_url = \"http://localhost.attacker.example/?to={to}&text={text}\"\n",
        "alerts.sms.gateway_url",
        "only to this machine",
    );
    check(
        "modem = \"/dev/x\"\ngateway_credentials_file = \"c\"\n",
        "alerts.sms.gateway_credentials_file",
        "goes with `gateway_url`",
    );
    // A modem that is not plugged in now is a warning, not an error.
    let unplugged = base.replace("{EXTRA}", "modem = \"/dev/threshold-modem-missing\"\n");
    let l = Loaded::from_text("s.toml", &unplugged, std::path::Path::new(".")).unwrap();
    assert!(
        l.warnings
            .iter()
            .any(|w| w.key == "alerts.sms.modem" && w.message.contains("plugged in")),
        "{:?}",
        l.warnings
    );
    let ok = base.replace(
        "{EXTRA}",
        "gateway_url = \"https://sms.example.org/send?to={to}&text={text}\"\n",
    );
    Loaded::from_text("s.toml", &ok, std::path::Path::new(".")).unwrap();
    // Both: the modem first, the gateway when it cannot.
    let both = base.replace(
        "{EXTRA}",
        "modem = \"/dev/x\"\ngateway_url = \"http://127.0.0.1:9/?to={to}&text={text}\"\n",
    );
    Loaded::from_text("s.toml", &both, std::path::Path::new(".")).unwrap();
}

#[test]
fn a_bad_number_to_call_is_named() {
    expect_error(
        "call_when_unanswered = \"+1 408 555 0151\"",
        "call_when_unanswered = \"ask the front desk\"",
        "escalation.call_when_unanswered",
        "call_when_unanswered = ",
        "found `ask the front desk`",
    );
}
