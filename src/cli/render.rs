//! Human-readable and JSON output for the CLI. Human output is in the
//! operator's language (`says`); JSON is for scripts and stays as it is.

use super::says::{lang, row, say, sayn};
use crate::app::records::Extends;
use crate::app::records::{EncounterRecord, EncounterRow, PurgeSummary, Report};
use crate::app::timeline;
use crate::app::words::words;
use crate::config::Loaded;
use crate::domain::anchor::Anchor;
use crate::domain::catalogue::{comma, noted};
use serde_json::json;

/// A journal timestamp in the facility's time zone.
pub fn local(loaded: &Loaded, at: &str) -> String {
    crate::app::log_export::local(loaded, at)
}

pub fn config_summary(l: &Loaded, as_json: bool) {
    let c = &l.config;
    let f = &c.facility;
    if as_json {
        let warnings: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
        println!(
            "{}",
            json!({
                "ok": true, "origin": l.origin, "facility": f.id, "name": f.name, "kind": f.kind,
                "timezone": f.timezone, "languages": f.languages, "policy": l.profile.id,
                "contacts": c.contacts.len(), "tiers": c.escalation.tiers.len(),
                "retention": c.retention, "warnings": warnings,
            })
        );
        return;
    }
    let lang = lang();
    let sep = comma(lang);
    println!("{}", say!("{file}: OK", file = l.origin));
    let kind = match f.kind {
        crate::config::FacilityKind::Library => say!("library"),
        crate::config::FacilityKind::CityHall => say!("city hall"),
        crate::config::FacilityKind::CommunityCenter => say!("community center"),
        crate::config::FacilityKind::PublicHousing => say!("public housing"),
    };
    let facility = noted(&f.name, &format!("{}{sep}{kind}", f.id), lang);
    println!("{}", row(&say!("facility"), facility));
    println!("{}", row(&say!("time zone"), &f.timezone));
    let langs: Vec<String> = f
        .languages
        .iter()
        .map(|l| format!("{} ({})", l.endonym(), l.code()))
        .collect();
    println!("{}", row(&say!("languages"), langs.join(sep)));
    println!("{}", row(&say!("entrances"), f.entrances.join(sep)));
    for a in &f.areas {
        let kind = match a.kind {
            crate::config::AreaKind::Public => say!("public"),
            crate::config::AreaKind::NonPublic => say!("non-public"),
        };
        println!("{}", row(&say!("area"), noted(&a.name, &kind, lang)));
    }
    let example = if l.profile.example {
        say!("[EXAMPLE PROFILE: replace it with the city's own]")
    } else {
        String::new()
    };
    println!(
        "{}",
        row(
            &say!("policy"),
            format!("{} {example}", l.profile.name).trim_end()
        )
    );
    for ct in &c.contacts {
        let ways: Vec<&str> = [
            (crate::domain::role::Channel::Email, &ct.email),
            (crate::domain::role::Channel::Sms, &ct.phone),
            (crate::domain::role::Channel::Webhook, &ct.webhook),
        ]
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| timeline::channel(*k, lang))
        .collect();
        let about = format!("{}; {}", timeline::role(ct.role, lang), ways.join(sep));
        println!("{}", row(&say!("contact"), noted(&ct.name, &about, lang)));
    }
    for (i, t) in c.escalation.tiers.iter().enumerate() {
        let roles: Vec<&str> = t.notify.iter().map(|r| timeline::role(*r, lang)).collect();
        println!(
            "{}",
            row(
                &say!("tier {n}", n = i + 1),
                sayn!(
                    "{roles} (acknowledge within {n} second)",
                    "{roles} (acknowledge within {n} seconds)",
                    t.ack_within_s,
                    roles = roles.join(sep)
                )
            )
        );
    }
    println!(
        "{}",
        row(
            &say!("retention"),
            say!(
                "visitors {days} days, encounters {years} years",
                days = c.retention.visitor_days,
                years = c.retention.encounter_years
            )
        )
    );
    println!("{}", row(&say!("purposes"), c.visitors.purposes.join(sep)));
    if let Some(h) = &c.hub {
        let about = match l.hub_public_key() {
            Ok(k) => say!(
                "{url} (receipts signed by the key with fingerprint {fingerprint})",
                url = h.url,
                fingerprint = crate::app::records::fingerprint(&k)
            ),
            Err(e) => say!(
                "{url} (not usable yet: {problem})",
                url = h.url,
                problem = e
            ),
        };
        println!("{}", row(&say!("city hub"), about));
    }
    for w in &l.warnings {
        println!("{}", say!("warning: {text}", text = w));
    }
}

pub fn verify_report(r: &Report, against: &[(Extends, Anchor)], as_json: bool) {
    if as_json {
        let mut v = serde_json::to_value(r).expect("report serialises");
        v["against"] = against
            .iter()
            .map(|(e, a)| {
                let mut x = serde_json::to_value(e).expect("result serialises");
                x["anchor"] = a.to_string().into();
                x
            })
            .collect();
        println!("{v}");
        return;
    }
    let lines = [
        (say!("entries"), r.entries.to_string()),
        (say!("purged entries"), r.purged_entries.to_string()),
        (
            say!("chain head"),
            say!(
                "seq {seq} sha256 {hash}",
                seq = r.head_seq,
                hash = r.head_hash
            ),
        ),
        (
            say!("record head"),
            say!(
                "{anchor} (as pages and receipts print it)",
                anchor = Anchor::short(r.head_seq, &hex::decode(&r.head_hash).unwrap_or_default())
            ),
        ),
    ];
    let rows: Vec<Vec<String>> = lines.into_iter().map(|(l, v)| vec![l, v]).collect();
    for line in super::says::table(&rows) {
        println!("{line}");
    }
    for f in &r.leftover_files {
        println!(
            "{}",
            say!("note: page file of a purged page is still on disk (the next purge removes it): {file}", file = f)
        );
    }
    if !r.unjournaled_credentials.is_empty() {
        println!(
            "{}",
            say!(
                "note: the password hashes of {accounts} predate journaled hashes; set each password again (`threshold user passwd NAME`) for log verify to cover them",
                accounts = r.unjournaled_credentials.join(", ")
            )
        );
    }
    for (e, a) in against {
        let line = match e {
            Extends::Yes => say!("extends {anchor}: yes, entry {seq} still has that hash", anchor = a, seq = a.seq),
            Extends::Rewritten { found } => say!(
                "NOT EXTENDED: entry {seq} has hash {found}, not {hash} as copied off the box: the record was rewritten since",
                seq = a.seq,
                found = found,
                hash = a.hash
            ),
            Extends::Shorter { head_seq } => say!(
                "NOT EXTENDED: the journal ends at entry {head}, before {seq}: entries were cut off since",
                head = head_seq,
                seq = a.seq
            ),
        };
        println!("{line}");
    }
    if r.intact() {
        println!(
            "{}",
            say!("verified: the journal, vault, pages, projections and password hashes are intact")
        );
        return;
    }
    // What verify found is named by the store's own terms (kind, problem).
    for (i, f) in r.findings.iter().enumerate() {
        let (kind, problem) = (&f.kind, &f.problem);
        let line = match (i, f.seq) {
            (0, Some(seq)) => say!(
                "ALTERED: first bad entry seq {seq} ({kind}): {problem}",
                seq = seq,
                kind = kind,
                problem = problem
            ),
            (0, None) => say!("ALTERED: {kind}: {problem}", kind = kind, problem = problem),
            (_, Some(seq)) => format!(
                "  {}",
                say!(
                    "also seq {seq} ({kind}): {problem}",
                    seq = seq,
                    kind = kind,
                    problem = problem
                )
            ),
            (_, None) => format!(
                "  {}",
                say!("also {kind}: {problem}", kind = kind, problem = problem)
            ),
        };
        println!("{line}");
    }
}

pub fn purge_summary(s: &PurgeSummary, as_json: bool) {
    if as_json {
        println!("{}", serde_json::to_string(s).expect("summary serialises"));
        return;
    }
    println!(
        "{}",
        if s.dry_run {
            say!("would purge (nothing was changed):")
        } else {
            say!("purged:")
        }
    );
    let lines = [
        (
            say!("visitor check-ins before {day}", day = s.visitor_cutoff),
            s.checkins,
        ),
        (
            say!("closed encounters before {day}", day = s.encounter_cutoff),
            s.encounters,
        ),
        (say!("vault rows"), s.vault_rows),
        (say!("page files"), s.page_files),
    ];
    for (label, n) in lines {
        println!(
            "  {}",
            crate::domain::catalogue::labelled(lang(), &label, &n.to_string())
        );
    }
    if s.held > 0 {
        println!(
            "{}",
            sayn!(
                "kept: {n} closed encounter past retention is on legal hold (threshold hold list)",
                "kept: {n} closed encounters past retention are on legal hold (threshold hold list)",
                s.held
            )
        );
    }
}

pub fn encounter_list(l: &Loaded, rows: &[EncounterRow], as_json: bool) {
    if as_json {
        println!("{}", serde_json::to_string(rows).expect("rows serialise"));
        return;
    }
    if rows.is_empty() {
        println!("{}", say!("no encounters"));
        return;
    }
    let lang = lang();
    let w = words(lang);
    let mut table = vec![vec![
        say!("reference"),
        say!("opened"),
        say!("officers"),
        say!("pages"),
        say!("counsel"),
        say!("status"),
        say!("outcome"),
        say!("document"),
    ]];
    for r in rows {
        let mut status = if r.closed_at.is_some() {
            say!("closed")
        } else {
            say!("OPEN")
        };
        if r.drill {
            status = format!("{status} {}", w.drill);
        }
        table.push(vec![
            r.id.clone(),
            local(l, &r.opened_at),
            r.officers.to_string(),
            r.pages.to_string(),
            if r.counsel_acknowledged_at.is_some() {
                say!("acknowledged")
            } else {
                say!("waiting")
            },
            status,
            r.outcome
                .as_deref()
                .map_or("-".into(), |o| l.outcome_label(o, lang)),
            match r.document_kind.as_deref() {
                Some(k) => l.document_label(Some(k), lang),
                None => w.not_recorded.to_string(),
            },
        ]);
    }
    for line in super::says::table(&table) {
        println!("{line}");
    }
}

pub fn encounter_record(l: &Loaded, r: &EncounterRecord, as_json: bool) {
    if as_json {
        println!("{}", serde_json::to_string(r).expect("record serialises"));
        return;
    }
    let lang = lang();
    let w = words(lang);
    let given = |v: &str| {
        if v.trim().is_empty() {
            w.not_given.to_string()
        } else {
            v.to_string()
        }
    };
    // "Label: value" lines: labels in some languages are long, so they
    // are not padded into a column.
    let fact = |label: &str, value: &str| {
        println!(
            "  {}",
            crate::domain::catalogue::labelled(lang, label, value)
        );
    };
    let drill = if r.drill {
        format!("  [{}]", w.drill)
    } else {
        String::new()
    };
    println!("{} {}{drill}", w.encounter, r.id);
    let sep = comma(lang);
    let via = timeline::via_token(&r.via, lang);
    fact(w.facility_label, &r.facility);
    fact(w.entrance, &format!("{}{sep}{via}", r.entrance));
    fact(w.opened, &local(l, &r.opened_at));
    let closed = match (&r.closed_at, &r.closed_by) {
        (Some(at), Some(by)) => format!("{} · {by}", local(l, at)),
        (Some(at), None) => local(l, at),
        _ => w.still_open.to_string(),
    };
    fact(w.closed, &closed);
    for o in &r.officers {
        let about = format!(
            "{}{sep}{}",
            crate::domain::catalogue::labelled(lang, w.badge, &given(&o.badge)),
            crate::domain::catalogue::labelled(lang, w.agency, &given(&o.agency))
        );
        fact(w.officers, &noted(&o.name, &about, lang));
    }
    let document = match r.document_kind.as_deref() {
        Some(k) => l.document_label(Some(k), lang),
        None => w.not_recorded.to_string(),
    };
    fact(w.document, &document);
    for (label, value) in w.document_facts(r) {
        if let Some(v) = value {
            fact(label, v);
        }
    }
    if let Some(area) = &r.area {
        let kind = match r.area_public {
            Some(true) => say!("public"),
            Some(false) => say!("non-public"),
            None => "?".into(),
        };
        fact(w.area, &noted(area, &kind, lang));
    }
    fact(w.exigent, if r.exigent { w.yes } else { w.no });
    for p in &r.pages {
        let by =
            p.by.as_ref()
                .map(|by| format!(" · {} {by}", w.photographed_by))
                .unwrap_or_default();
        let what = format!(
            "{} {}{sep}{}{by} · {} · sha256 {}",
            w.page,
            p.number,
            timeline::page_kind(p.kind, lang),
            sayn!("{n} byte", "{n} bytes", p.bytes),
            p.sha256
        );
        fact(w.pages, &what);
    }
    let kind = r.document_kind.as_deref().and_then(|k| k.parse().ok());
    let latest = |item: &str| r.checklist.iter().rev().find(|a| a.item == item);
    let questions = l.profile.checklist_for(kind);
    for item in &questions {
        let answer = latest(&item.id).map_or(w.not_answered.to_string(), |a| {
            noted(
                w.answer(&a.answer).unwrap_or(&a.answer),
                &format!("{}{sep}{}", a.by, local(l, &a.at)),
                lang,
            )
        });
        fact(
            w.checklist,
            &format!("[{}] {} {answer}", item.id, item.question.get(lang)),
        );
    }
    if let Some(entry) = kind.and_then(|k| l.profile.document(k)) {
        let verdict =
            crate::domain::guidance::verdict(questions.iter().map(|q| q.id.as_str()), |q| {
                latest(q).and_then(|a| a.answer.parse().ok())
            });
        fact(w.what_to_do, entry.verdict.text(verdict).get(lang));
    }
    for h in &r.holds {
        let state = match &h.released {
            Some(rel) => format!("{} · {} · {}", w.hold_released, rel.by, local(l, &rel.at)),
            None => w.hold_in_force.to_string(),
        };
        let what = format!(
            "{} · {} · {} · {} · {state}",
            h.id,
            h.reason,
            h.placed_by,
            local(l, &h.placed_at)
        );
        fact(w.legal_hold, &what);
    }
    for n in &r.notifications {
        let state = match (&n.sent_at, &n.last_error) {
            (Some(at), _) => format!("{} {}", w.delivered, local(l, at)),
            (None, Some(err)) => sayn!(
                "not delivered after {n} attempt: {error}",
                "not delivered after {n} attempts: {error}",
                n.attempts,
                error = err
            ),
            (None, None) => w.queued.to_string(),
        };
        let who = noted(&n.contact, &timeline::role_token(&n.role, lang), lang);
        let what = format!(
            "{who}{sep}{}{sep}{} {}: {state}",
            timeline::channel_token(&n.channel, lang),
            w.tier,
            n.tier + 1
        );
        fact(w.notifications, &what);
    }
    for a in &r.acknowledgements {
        let what = format!(
            "{} · {}",
            local(l, &a.at),
            noted(&a.by, &timeline::ack_how(a.role, a.via, lang), lang)
        );
        fact(w.acknowledgements, &what);
    }
    for i in &r.counsel_instructions {
        let what = format!("{} · {} · {}", local(l, &i.at), i.by, i.text);
        fact(w.instructions, &what);
    }
    match (&r.outcome, &r.decided) {
        (Some(o), Some(d)) => {
            let outcome = match r.decision_basis.as_deref().and_then(|b| w.basis(b)) {
                Some(b) => noted(&l.outcome_label(o, lang), b, lang),
                None => l.outcome_label(o, lang),
            };
            let what = format!(
                "{outcome} · {} {} · {}",
                w.decided_by,
                d.by,
                local(l, &d.at)
            );
            fact(w.outcome, &what);
        }
        _ => fact(w.outcome, w.not_recorded),
    }
    if let Some(reason) = &r.override_reason {
        fact(w.override_reason, reason);
    }
    if let Some(said) = &r.officials_reason {
        fact(w.officials_reason, said);
    }
    for n in &r.notes {
        let what = format!("{} · {} · {}", local(l, &n.at), n.by, n.text);
        fact(w.notes, &what);
    }
    if r.purged {
        println!("  {}", w.purged_note);
    }
    println!("  {}", w.timeline);
    for t in &r.timeline {
        println!(
            "    #{:<6} {}  {}",
            t.seq,
            local(l, &t.at),
            timeline::line(&l.profile, &t.line, lang)
        );
    }
}
