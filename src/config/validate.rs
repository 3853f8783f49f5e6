//! Checking a parsed configuration: every problem at its key, and the
//! legal but questionable settings `config check` warns about.

use super::*;
use crate::domain::policy::is_token;
use std::collections::BTreeSet;

impl Config {
    /// Whether `contact` has an address for `channel` and the channel's
    /// section is configured.
    pub fn channel_ready(&self, contact: &Contact, channel: Channel) -> bool {
        match channel {
            Channel::Webhook => contact.webhook.is_some() && self.alerts.webhook.is_some(),
            Channel::Email => contact.email.is_some() && self.alerts.smtp.is_some(),
            Channel::Sms => contact.phone.is_some() && self.alerts.sms.is_some(),
        }
    }

    /// Everything wrong, each at its key.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let f = &self.facility;
        if !is_token(&f.id) {
            p.push(Problem::new(
                "facility.id",
                crate::msg!(
                    "found `{found}`; allowed: lower-case letters, digits and hyphens (at most 64)",
                    found = f.id
                ),
            ));
        }
        if f.name.trim().is_empty() {
            p.push(Problem::new(
                "facility.name",
                crate::msg!("the facility needs a name"),
            ));
        }
        if f.timezone.parse::<chrono_tz::Tz>().is_err() {
            p.push(Problem::new(
                "facility.timezone",
                crate::msg!(
                    "found `{found}`; allowed: an IANA time zone such as `America/Los_Angeles`",
                    found = f.timezone
                ),
            ));
        }
        if f.languages.is_empty() {
            p.push(Problem::new(
                "facility.languages",
                crate::msg!("list at least one language; allowed: en, es, vi, zh-Hans, tl"),
            ));
        }
        unique(
            &mut p,
            "facility.languages",
            f.languages.iter().map(|l| l.code().to_string()),
        );
        if f.entrances.is_empty() {
            p.push(Problem::new(
                "facility.entrances",
                crate::msg!("list at least one entrance, e.g. [\"main\"]"),
            ));
        }
        unique(&mut p, "facility.entrances", f.entrances.iter().cloned());
        for (i, e) in f.entrances.iter().enumerate() {
            if e.trim().is_empty() {
                p.push(Problem::new(
                    format!("facility.entrances[{i}]"),
                    crate::msg!("an entrance name is empty"),
                ));
            }
        }
        if f.areas.is_empty() {
            p.push(Problem::new(
                "facility.areas",
                crate::msg!(
                    "list the facility's areas, each with kind = \"public\" or \"non-public\""
                ),
            ));
        }
        unique(
            &mut p,
            "facility.areas",
            f.areas.iter().map(|a| a.name.clone()),
        );
        for (i, c) in self.contacts.iter().enumerate() {
            let at = |k: &str| format!("contacts[{i}].{k}");
            if c.name.trim().is_empty() {
                p.push(Problem::new(
                    at("name"),
                    crate::msg!("the contact needs a name"),
                ));
            }
            if c.email.is_none() && c.phone.is_none() && c.webhook.is_none() {
                p.push(Problem::new(
                    format!("contacts[{i}]"),
                    crate::msg!("give at least one of `email`, `phone`, `webhook`"),
                ));
            }
            if let Some(e) = &c.email {
                if e.parse::<lettre::Address>().is_err() {
                    p.push(Problem::new(
                        at("email"),
                        crate::msg!(
                            "found `{found}`; allowed: an address like name@example.org",
                            found = e
                        ),
                    ));
                }
            }
            if let Some(ph) = &c.phone {
                let digits = ph.strip_prefix('+').unwrap_or("");
                if digits.len() < 8
                    || digits.len() > 15
                    || !digits.chars().all(|d| d.is_ascii_digit())
                {
                    p.push(Problem::new(at("phone"), crate::msg!("found `{found}`; allowed: international format, + and 8 to 15 digits, e.g. +14085550100", found = ph)));
                }
            }
            if let Some(w) = &c.webhook {
                if !secure_or_loopback(w) {
                    // The path is a credential (Slack, Teams): name the host only.
                    let host = url::Url::parse(w)
                        .ok()
                        .and_then(|u| u.host_str().map(String::from))
                        .unwrap_or_else(|| "this address".into());
                    p.push(Problem::new(
                        at("webhook"), crate::msg!("the webhook to {host} is not an https:// URL; allowed: https:// (http:// only to this machine: 127.0.0.1, ::1 or localhost)", host = host)));
                }
            }
        }
        for (i, c) in self.contacts.iter().enumerate() {
            for (j, channel) in c.channels.iter().flatten().enumerate() {
                let at = format!("contacts[{i}].channels[{j}]");
                let token = channel.token();
                if !SENDABLE.contains(channel) {
                    p.push(Problem::new(at, crate::msg!("`{token}` cannot be sent by this version of Threshold yet; allowed: webhook, email", token = token)));
                } else if !self.channel_ready(c, *channel) {
                    let needs = match channel {
                        Channel::Webhook if c.webhook.is_none() => {
                            crate::msg_id!("the contact has no `webhook` URL")
                        }
                        Channel::Webhook => crate::msg_id!("it needs an [alerts.webhook] section"),
                        Channel::Email if c.email.is_none() => {
                            crate::msg_id!("the contact has no `email`")
                        }
                        Channel::Email => crate::msg_id!("it needs an [alerts.smtp] section"),
                        Channel::Sms if c.phone.is_none() => {
                            crate::msg_id!("the contact has no `phone`")
                        }
                        Channel::Sms => crate::msg_id!("it needs an [alerts.sms] section"),
                    };
                    p.push(Problem::new(
                        at,
                        crate::msg!(
                            "`{token}` is listed but {needs}",
                            token = token,
                            needs = crate::domain::catalogue::for_reader(needs)
                        ),
                    ));
                }
            }
            if c.channels.as_ref().is_some_and(|l| l.is_empty()) {
                p.push(Problem::new(format!("contacts[{i}].channels"), crate::msg!("an empty list pages nobody; remove the key to use every channel the contact has")));
            }
        }
        if let Some(smtp) = &self.alerts.smtp {
            if smtp.host.trim().is_empty() {
                p.push(Problem::new(
                    "alerts.smtp.host",
                    crate::msg!("give the SMTP server's host name"),
                ));
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                p.push(Problem::new("alerts.smtp.from", crate::msg!("found `{found}`; allowed: an address like \"Threshold <threshold@library.example.org>\"", found = smtp.from)));
            }
            if smtp.username.is_some() != smtp.password_file.is_some() {
                p.push(Problem::new(
                    "alerts.smtp",
                    crate::msg!("`username` and `password_file` go together: give both or neither"),
                ));
            }
            if smtp.port == Some(0) {
                p.push(Problem::new(
                    "alerts.smtp.port",
                    crate::msg!("found 0; allowed: 1 to 65535"),
                ));
            }
            if !(1..=120).contains(&smtp.timeout_s) {
                p.push(Problem::new(
                    "alerts.smtp.timeout_s",
                    crate::msg!(
                        "found {found}; allowed: 1 to 120 seconds",
                        found = smtp.timeout_s
                    ),
                ));
            }
        }
        if let Some(sms) = &self.alerts.sms {
            // A modem, a gateway, or both: texts go by the modem (which
            // also takes replies) and by the gateway when the modem cannot.
            if sms.modem.is_none() && sms.gateway_url.is_none() {
                p.push(Problem::new(
                    "alerts.sms", crate::msg!("give `modem` (a serial port), `gateway_url`, or both (the gateway takes over when the modem cannot send)")));
            }
            if let Some(url) = &sms.gateway_url {
                let ok = secure_or_loopback(url) && url.contains("{to}") && url.contains("{text}");
                if !ok {
                    p.push(Problem::new("alerts.sms.gateway_url", crate::msg!("found `{url}`; allowed: an https:// URL containing {to} and {text} (http:// only to this machine)", url = url)));
                }
            } else if sms.gateway_credentials_file.is_some() {
                p.push(Problem::new(
                    "alerts.sms.gateway_credentials_file",
                    crate::msg!("goes with `gateway_url`, which is not set"),
                ));
            }
            if !(1..=120).contains(&sms.timeout_s) {
                p.push(Problem::new(
                    "alerts.sms.timeout_s",
                    crate::msg!(
                        "found {found}; allowed: 1 to 120 seconds",
                        found = sms.timeout_s
                    ),
                ));
            }
        }
        if !(60..=7 * 24 * 3600).contains(&self.alerts.ack_link_ttl_s) {
            p.push(Problem::new(
                "alerts.ack_link_ttl_s",
                crate::msg!(
                    "found {found}; allowed: 60 to 604800 seconds (a week)",
                    found = self.alerts.ack_link_ttl_s
                ),
            ));
        }
        if let Some(url) = &self.admin.public_url {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && !url.ends_with('/')
                && !url.contains(char::is_whitespace);
            if !ok {
                p.push(Problem::new("admin.public_url", crate::msg!("found `{url}`; allowed: an http(s):// address without a trailing slash, e.g. https://threshold.library.example.org", url = url)));
            }
        }
        for (i, proxy) in self.admin.trusted_proxies.iter().enumerate() {
            if super::alerts::parse_network(proxy).is_none() {
                p.push(Problem::new(
                    format!("admin.trusted_proxies[{i}]"), crate::msg!("found `{proxy}`; allowed: an IP address (127.0.0.1, ::1) or a CIDR range (10.0.0.0/8)", proxy = proxy)));
            }
        }
        if self.admin.tls_cert.is_some() != self.admin.tls_key.is_some() {
            p.push(Problem::new(
                "admin", crate::msg!("tls_cert and tls_key go together: set both for HTTPS, or neither for plain HTTP on a loopback address")));
        }
        if let Some(w) = &self.alerts.webhook {
            if !(1..=120).contains(&w.timeout_s) {
                p.push(Problem::new(
                    "alerts.webhook.timeout_s",
                    crate::msg!(
                        "found {found}; allowed: 1 to 120 seconds",
                        found = w.timeout_s
                    ),
                ));
            }
        }
        unique(
            &mut p,
            "contacts",
            self.contacts.iter().map(|c| c.name.to_lowercase()),
        );
        if !self.contacts.iter().any(|c| c.role == Role::Counsel) {
            p.push(Problem::new("contacts", crate::msg!("no contact has role = \"counsel\"; the policy requires counsel to be notified of every encounter")));
        }
        if self.escalation.tiers.is_empty() {
            p.push(Problem::new(
                "escalation.tiers",
                crate::msg!("list at least one tier"),
            ));
        }
        for (i, t) in self.escalation.tiers.iter().enumerate() {
            if t.notify.is_empty() {
                p.push(Problem::new(
                    format!("escalation.tiers[{i}].notify"),
                    crate::msg!("list the roles this tier pages"),
                ));
            }
            if !(5..=3600).contains(&t.fallback_after_s) {
                p.push(Problem::new(
                    format!("escalation.tiers[{i}].fallback_after_s"),
                    crate::msg!(
                        "found {found}; allowed: 5 to 3600 seconds",
                        found = t.fallback_after_s
                    ),
                ));
            }
            if !(5..=3600).contains(&t.ack_within_s) {
                p.push(Problem::new(
                    format!("escalation.tiers[{i}].ack_within_s"),
                    crate::msg!(
                        "found {found}; allowed: 5 to 3600 seconds",
                        found = t.ack_within_s
                    ),
                ));
            }
        }
        if let Some(n) = &self.escalation.call_when_unanswered {
            let digits = n.chars().filter(char::is_ascii_digit).count();
            if !(3..=20).contains(&digits)
                || !n
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c))
            {
                p.push(Problem::new(
                    "escalation.call_when_unanswered", crate::msg!("found `{found}`; allowed: a phone number as staff would dial it, digits with + - ( ) . and spaces, e.g. \"+1 408 535 1900\"", found = n)));
            }
        }
        let r = &self.retention;
        if !(1..=3650).contains(&r.visitor_days) {
            p.push(Problem::new(
                "retention.visitor_days",
                crate::msg!(
                    "found {found}; allowed: 1 to 3650 days",
                    found = r.visitor_days
                ),
            ));
        }
        if !(1..=100).contains(&r.encounter_years) {
            p.push(Problem::new(
                "retention.encounter_years",
                crate::msg!(
                    "found {found}; allowed: 1 to 100 years",
                    found = r.encounter_years
                ),
            ));
        }
        if self.visitors.purposes.is_empty() {
            p.push(Problem::new(
                "visitors.purposes",
                crate::msg!("list at least one purpose"),
            ));
        }
        for (i, purpose) in self.visitors.purposes.iter().enumerate() {
            if !is_token(purpose) {
                p.push(Problem::new(
                    format!("visitors.purposes[{i}]"),
                    crate::msg!(
                        "found `{purpose}`; allowed: lower-case letters, digits and hyphens",
                        purpose = purpose
                    ),
                ));
            }
        }
        unique(
            &mut p,
            "visitors.purposes",
            self.visitors.purposes.iter().cloned(),
        );
        self.kiosk_problems(&mut p);
        self.device_problems(&mut p);
        if let Some(h) = &self.hub {
            h.problems(&mut p);
        }
        p
    }

    /// Legal but questionable settings.
    pub fn warnings(&self) -> Vec<Problem> {
        let mut w = Vec::new();
        for (i, t) in self.escalation.tiers.iter().enumerate() {
            for role in &t.notify {
                if !self.contacts.iter().any(|c| c.role == *role) {
                    w.push(Problem::new(
                        format!("escalation.tiers[{i}].notify"),
                        crate::msg!(
                            "no contact has role `{role}`; this tier pages nobody in that role",
                            role = role.token()
                        ),
                    ));
                }
            }
        }
        if self.counsel_number().is_none() {
            w.push(Problem::new("escalation.call_when_unanswered", crate::msg!("no number for staff to call when counsel does not answer; set it, or give a counsel contact a `phone` (the red banner then says only \"Call counsel now\")")));
        }
        if self
            .escalation
            .tiers
            .first()
            .is_some_and(|t| !t.notify.contains(&Role::Counsel))
        {
            w.push(Problem::new("escalation.tiers[0].notify", crate::msg!("counsel is not in the first tier; counsel is paged at once for every encounter anyway, as the policy requires")));
        }
        for (i, c) in self.contacts.iter().enumerate() {
            let reachable = match &c.channels {
                Some(list) => !list.is_empty(),
                None => [Channel::Webhook, Channel::Email, Channel::Sms]
                    .into_iter()
                    .any(|ch| SENDABLE.contains(&ch) && self.channel_ready(c, ch)),
            };
            if !reachable {
                w.push(Problem::new(format!("contacts[{i}]"), crate::msg!("{name} cannot be paged: give the contact a `webhook`, `email` or `phone` and set up [alerts.webhook], [alerts.smtp] or [alerts.sms]", name = c.name)));
            }
        }
        if let Some(path) = self.alerts.sms.as_ref().and_then(|s| s.modem.as_ref()) {
            if !path.exists() {
                w.push(Problem::new("alerts.sms.modem", crate::msg!("no device at {path} now; text messages fail until the modem is plugged in (Threshold picks it up without a restart)", path = path.display())));
            }
        }
        if let Some(smtp) = &self.alerts.smtp {
            let local = is_loopback_host(&smtp.host);
            if smtp.tls == SmtpTls::None && !local {
                w.push(Problem::new("alerts.smtp.tls", crate::msg!("`none` sends encounter details to {host} unencrypted; use `starttls` or `tls` unless it is a relay on a trusted network", host = smtp.host)));
            }
        }
        self.admin_warnings(&mut w);
        if !self
            .facility
            .areas
            .iter()
            .any(|a| a.kind == AreaKind::NonPublic)
        {
            w.push(Problem::new(
                "facility.areas",
                crate::msg!("no area is non-public; the access policy protects non-public areas"),
            ));
        }
        self.kiosk_warnings(&mut w);
        self.device_warnings(&mut w);
        w
    }
}

impl Config {
    /// The web server in clear text beyond this machine.
    fn admin_warnings(&self, w: &mut Vec<Problem>) {
        let a = &self.admin;
        if !a.listen.ip().is_loopback() && !a.https() {
            w.push(Problem::new(
                "admin.listen", crate::msg!("the admin web listens on {listen} without TLS: passwords, sessions and encounter records cross the network in clear text; set tls_cert and tls_key, or listen on 127.0.0.1 behind a TLS proxy and set behind_tls_proxy = true", listen = a.listen)));
        }
        if let Some(url) = &a.public_url {
            if url.starts_with("http://") && !secure_or_loopback(url) {
                w.push(Problem::new(
                    "admin.public_url", crate::msg!("`{url}` is plain HTTP: acknowledge links in pages travel in clear text and can be read on the way; use an https:// address", url = url)));
            }
        }
        if a.behind_tls_proxy && a.trusted_proxies.is_empty() {
            w.push(Problem::new(
                "admin.trusted_proxies", crate::msg!("behind_tls_proxy is set but no proxy is trusted: every request seems to come from the proxy, so one stranger's failed sign-ins slow everyone's; list the proxy's address")));
        }
    }
}

fn unique(p: &mut Vec<Problem>, path: &str, items: impl Iterator<Item = String>) {
    let mut seen = BTreeSet::new();
    for (i, item) in items.enumerate() {
        if !seen.insert(item.clone()) {
            p.push(Problem::new(
                format!("{path}[{i}]"),
                crate::msg!("`{item}` is listed more than once", item = item),
            ));
        }
    }
}

/// Whether `host` is this machine: an address in 127.0.0.0/8, ::1, or
/// exactly `localhost` (not a name that merely starts with it).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `url` is https, or plain http to this machine only, as parsed
/// (`http://localhost.attacker.example/` is not this machine).
pub fn secure_or_loopback(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else {
        return false;
    };
    match u.scheme() {
        "https" => u.host_str().is_some(),
        "http" => match u.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod loopback_tests {
    use super::*;

    #[test]
    fn only_this_machine_may_use_plain_http() {
        for ok in [
            "https://hooks.example.org/x",
            "http://127.0.0.1:9/x",
            "http://127.8.9.10/x",
            "http://[::1]:8080/x",
            "http://localhost/x",
            "http://LOCALHOST:1/x",
        ] {
            assert!(secure_or_loopback(ok), "{ok}");
        }
        for bad in [
            "http://localhost.attacker.example/",
            "http://127.0.0.1.attacker.example/",
            "http://10.0.0.1/",
            "http://[::2]/",
            "ftp://localhost/",
            "http://",
            "not a url",
        ] {
            assert!(!secure_or_loopback(bad), "{bad}");
        }
        assert!(
            is_loopback_host("127.0.0.1")
                && is_loopback_host("::1")
                && is_loopback_host("localhost")
        );
        assert!(!is_loopback_host("localhost.example.org"));
    }
}
