//! `threshold alerts test`: a test message through every configured channel
//! of every contact, for the installer. Nothing is journaled.

use super::says::{lang, say, table};
use crate::alerts::message::{compose_test, EncounterFacts};
use crate::alerts::{Channels, Notifier, Outgoing};
use crate::app::records::timestamp;
use crate::app::timeline;
use crate::config::Loaded;
use crate::devices::health::Health;
use crate::domain::language::Language;
use serde_json::json;

/// Send the test messages and print a table; returns whether all arrived.
pub fn run(loaded: &Loaded, as_json: bool) -> anyhow::Result<bool> {
    let health = Health::default();
    let channels = Channels::from_config(loaded, &health);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let now = chrono::Utc::now();
    let mut rows = Vec::new();
    runtime.block_on(async {
        // Dropped on the runtime: the e-mail pool closes its connections there.
        let channels = channels;
        for contact in &loaded.config.contacts {
            let list = loaded.channels_of(contact);
            if list.is_empty() {
                rows.push((contact, None, Err(say!("no channel reaches this contact"))));
            }
            for channel in list {
                let page = Outgoing {
                    key: format!(
                        "test/{}/{}/{}",
                        contact.name,
                        channel.token(),
                        timestamp(now)
                    ),
                    test: true,
                    tier: 0,
                    facility: loaded.config.facility.name.clone(),
                    contact: contact.clone(),
                    channel,
                    facts: EncounterFacts {
                        id: "TEST".into(),
                        opened_at: timestamp(now),
                        entrance: loaded.config.facility.entrances[0].clone(),
                        drill: false,
                        exigent: false,
                        document_kind: None,
                        area: None,
                        area_public: None,
                        officers: 0,
                        record: None,
                    },
                    message: compose_test(loaded, contact.language.unwrap_or(Language::English)),
                    attachments: Vec::new(),
                };
                let deadline = channels.deadline(channel);
                let result = match tokio::time::timeout(deadline, channels.send(&page)).await {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(_) => Err(say!("no answer within {n} s", n = deadline.as_secs())),
                };
                rows.push((contact, Some(channel), result));
            }
        }
    });
    let ok = rows.iter().all(|(_, _, r)| r.is_ok());
    let broken: Vec<_> = health.parts().into_iter().filter(|p| !p.working).collect();
    if as_json {
        let list: Vec<_> = rows
            .iter()
            .map(|(c, ch, r)| {
                json!({
                    "contact": c.name, "role": c.role.token(), "channel": ch.map(|c| c.token()),
                    "ok": r.is_ok(), "result": match r { Ok(s) | Err(s) => s },
                })
            })
            .collect();
        println!("{}", json!({ "messages": list, "broken": broken }));
    } else {
        let lang = lang();
        let mut lines = vec![vec![
            say!("contact"),
            say!("role"),
            say!("channel"),
            say!("result"),
        ]];
        for (c, ch, r) in &rows {
            lines.push(vec![
                c.name.clone(),
                timeline::role(c.role, lang).to_string(),
                ch.map_or("-", |c| timeline::channel(c, lang)).to_string(),
                match r {
                    Ok(detail) => say!("ok ({detail})", detail = detail),
                    Err(e) => say!("FAILED: {error}", error = e),
                },
            ]);
        }
        for line in table(&lines) {
            println!("{line}");
        }
        if rows.is_empty() {
            println!("{}", say!("no contacts are configured"));
        }
        super::devices::print_broken(&broken);
    }
    Ok(ok)
}
