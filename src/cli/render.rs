//! Human-readable and JSON output for the CLI.

use crate::app::records::Extends;
use crate::app::records::{EncounterRecord, EncounterRow, PurgeSummary, Report};
use crate::config::Loaded;
use crate::domain::anchor::Anchor;
use crate::domain::language::Language;
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
    println!("{}: OK", l.origin);
    println!("  facility   {} ({}, {})", f.name, f.id, f.kind.token());
    println!("  timezone   {}", f.timezone);
    let langs: Vec<&str> = f.languages.iter().map(|l| l.code()).collect();
    println!("  languages  {}", langs.join(" "));
    println!("  entrances  {}", f.entrances.join(", "));
    for a in &f.areas {
        println!("  area       {} ({})", a.name, a.kind.token());
    }
    println!(
        "  policy     {}{}",
        l.profile.name,
        if l.profile.example {
            "  [EXAMPLE PROFILE]"
        } else {
            ""
        }
    );
    for ct in &c.contacts {
        let ways: Vec<&str> = [
            ("email", &ct.email),
            ("phone", &ct.phone),
            ("webhook", &ct.webhook),
        ]
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| *k)
        .collect();
        println!(
            "  contact    {} ({}; {})",
            ct.name,
            ct.role.token(),
            ways.join(", ")
        );
    }
    for (i, t) in c.escalation.tiers.iter().enumerate() {
        let roles: Vec<&str> = t.notify.iter().map(|r| r.token()).collect();
        println!(
            "  tier {}     {} (acknowledge within {} s)",
            i + 1,
            roles.join(", "),
            t.ack_within_s
        );
    }
    println!(
        "  retention  visitors {} days, encounters {} years",
        c.retention.visitor_days, c.retention.encounter_years
    );
    println!("  purposes   {}", c.visitors.purposes.join(", "));
    for w in &l.warnings {
        println!("warning: {w}");
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
    println!("entries         {}", r.entries);
    println!("purged entries  {}", r.purged_entries);
    println!("chain head      seq {} sha256 {}", r.head_seq, r.head_hash);
    println!(
        "record head     {} (as pages and receipts print it)",
        Anchor::short(r.head_seq, &hex::decode(&r.head_hash).unwrap_or_default())
    );
    for f in &r.leftover_files {
        println!(
            "note: page file of a purged page is still on disk (the next purge removes it): {f}"
        );
    }
    if !r.unjournaled_credentials.is_empty() {
        println!(
            "note: the password hashes of {} predate journaled hashes; set each password again (`threshold user passwd NAME`) for log verify to cover them",
            r.unjournaled_credentials.join(", ")
        );
    }
    for (e, a) in against {
        match e {
            Extends::Yes => println!("extends {a}: yes, entry {} still has that hash", a.seq),
            Extends::Rewritten { found } => println!(
                "NOT EXTENDED: entry {} has hash {found}, not {} as copied off the box: the record was rewritten since",
                a.seq, a.hash
            ),
            Extends::Shorter { head_seq } => println!(
                "NOT EXTENDED: the journal ends at entry {head_seq}, before {}: entries were cut off since",
                a.seq
            ),
        }
    }
    if r.intact() {
        println!("verified: the journal, vault, pages, projections and password hashes are intact");
        return;
    }
    let first = &r.findings[0];
    match first.seq {
        Some(seq) => println!(
            "ALTERED: first bad entry seq {seq} ({}): {}",
            first.kind, first.problem
        ),
        None => println!("ALTERED: {}: {}", first.kind, first.problem),
    }
    for f in &r.findings[1..] {
        match f.seq {
            Some(seq) => println!("  also seq {seq} ({}): {}", f.kind, f.problem),
            None => println!("  also {}: {}", f.kind, f.problem),
        }
    }
}

pub fn purge_summary(s: &PurgeSummary, as_json: bool) {
    if as_json {
        println!("{}", serde_json::to_string(s).expect("summary serialises"));
        return;
    }
    let verb = if s.dry_run { "would purge" } else { "purged" };
    println!(
        "{verb}: {} visitor check-in(s) before {}, {} closed encounter(s) before {}; {} vault row(s), {} page file(s)",
        s.checkins, s.visitor_cutoff, s.encounters, s.encounter_cutoff, s.vault_rows, s.page_files
    );
    if s.held > 0 {
        println!(
            "kept: {} closed encounter(s) past retention are on legal hold (threshold hold list)",
            s.held
        );
    }
}

pub fn encounter_list(l: &Loaded, rows: &[EncounterRow], as_json: bool) {
    if as_json {
        println!("{}", serde_json::to_string(rows).expect("rows serialise"));
        return;
    }
    if rows.is_empty() {
        println!("no encounters");
        return;
    }
    println!(
        "{:<11} {:<24} {:<24} {:>4} {:>5} {:<8} {:<24} status",
        "id", "opened", "document", "offc", "pages", "counsel", "outcome"
    );
    for r in rows {
        println!(
            "{:<11} {:<24} {:<24} {:>4} {:>5} {:<8} {:<24} {}{}",
            r.id,
            local(l, &r.opened_at),
            r.document_kind.as_deref().unwrap_or("(not recorded)"),
            r.officers,
            r.pages,
            if r.counsel_acknowledged_at.is_some() {
                "ack'd"
            } else {
                "waiting"
            },
            r.outcome.as_deref().unwrap_or("-"),
            if r.closed_at.is_some() {
                "closed"
            } else {
                "OPEN"
            },
            if r.drill { " DRILL" } else { "" }
        );
    }
}

pub fn encounter_record(l: &Loaded, r: &EncounterRecord, as_json: bool) {
    if as_json {
        println!("{}", serde_json::to_string(r).expect("record serialises"));
        return;
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!(
        "Encounter {}{}",
        r.id,
        if r.drill { "  [DRILL]" } else { "" }
    );
    println!("  facility      {} / entrance {}", r.facility, r.entrance);
    println!("  arrived       {}", local(l, &r.opened_at));
    println!(
        "  departed      {}",
        r.closed_at.as_deref().map_or("-".into(), |t| local(l, t))
    );
    for o in &r.officers {
        let badge = if o.badge.is_empty() {
            "(no badge given)"
        } else {
            &o.badge
        };
        println!("  officer       {}, badge {}, {}", o.name, badge, o.agency);
    }
    println!("  supervisor    {}", opt(&r.supervisor));
    println!("  purpose       {}", opt(&r.purpose));
    println!("  sought        {}", opt(&r.sought));
    if let Some(area) = &r.area {
        let kind = match r.area_public {
            Some(true) => "public",
            Some(false) => "non-public",
            None => "?",
        };
        println!("  area          {area} ({kind})");
    }
    println!(
        "  exigent       {}",
        if r.exigent { "declared" } else { "no" }
    );
    let kind_label = r
        .document_kind
        .as_deref()
        .and_then(|k| k.parse().ok())
        .and_then(|k| l.profile.document(k))
        .map(|d| d.label.en.clone());
    println!(
        "  document      {}",
        kind_label.unwrap_or_else(|| opt(&r.document_kind))
    );
    println!("  court / judge {} / {}", opt(&r.court), opt(&r.judge));
    println!(
        "  dates         issued {}, valid until {}",
        opt(&r.issued),
        opt(&r.expires)
    );
    println!("  address       {}", opt(&r.address));
    println!("  areas named   {}", opt(&r.areas_named));
    for p in &r.pages {
        println!(
            "  page {:<8} {} bytes {} sha256 {}",
            p.number, p.bytes, p.media, p.sha256
        );
    }
    let kind = r.document_kind.as_deref().and_then(|k| k.parse().ok());
    let latest = |item: &str| r.checklist.iter().rev().find(|a| a.item == item);
    let questions = l.profile.checklist_for(kind);
    for item in &questions {
        let answer = latest(&item.id).map_or("(not answered)".to_string(), |a| {
            format!("{} (by {})", a.answer, a.by)
        });
        println!(
            "  checklist     [{}] {}: {answer}",
            item.id, item.question.en
        );
    }
    if let Some(entry) = kind.and_then(|k| l.profile.document(k)) {
        let verdict =
            crate::domain::guidance::verdict(questions.iter().map(|q| q.id.as_str()), |q| {
                latest(q).and_then(|a| a.answer.parse().ok())
            });
        println!(
            "  what to do    ({}) {}",
            verdict.token(),
            entry.verdict.text(verdict).en
        );
    }
    for h in &r.holds {
        let state = match &h.released {
            Some(rel) => format!("released by {} at {}", rel.by, local(l, &rel.at)),
            None => "in force".into(),
        };
        println!(
            "  legal hold    {} {state}: {} (placed by {} at {})",
            h.id,
            h.reason,
            h.placed_by,
            local(l, &h.placed_at)
        );
    }
    for n in &r.notifications {
        let state = match (&n.sent_at, &n.last_error) {
            (Some(at), _) => format!("delivered {}", local(l, at)),
            (None, Some(err)) => format!("NOT delivered after {} attempt(s): {err}", n.attempts),
            (None, None) => "queued".into(),
        };
        println!(
            "  paged         {} ({}) via {}, tier {}: {state}",
            n.contact,
            n.role,
            n.channel,
            n.tier + 1
        );
    }
    for a in &r.acknowledgements {
        println!(
            "  acknowledged  {} by {} ({}, from {})",
            local(l, &a.at),
            a.by,
            crate::app::timeline::ack_role(a.role, a.via, Language::English),
            crate::app::timeline::via(a.via, Language::English),
        );
    }
    for i in &r.counsel_instructions {
        println!(
            "  instruction   {} by {}: {}",
            local(l, &i.at),
            i.by,
            i.text
        );
    }
    match &r.decided {
        Some(d) => println!(
            "  outcome       {} by {} at {} ({})",
            d.text,
            d.by,
            local(l, &d.at),
            r.decision_basis.as_deref().unwrap_or("-")
        ),
        None => println!("  outcome       (not recorded)"),
    }
    if let Some(reason) = &r.override_reason {
        println!("  override      {reason}");
    }
    if let Some(said) = &r.officials_reason {
        println!("  officers said {said}");
    }
    for n in &r.notes {
        println!(
            "  note          {} by {}: {}",
            local(l, &n.at),
            n.by,
            n.text
        );
    }
    if r.purged {
        println!("  retention     personal data and page images have been purged");
    }
    println!("  timeline:");
    for t in &r.timeline {
        println!(
            "    #{:<6} {}  {}",
            t.seq,
            local(l, &t.at),
            crate::app::timeline::line(l, &t.line, Language::English)
        );
    }
}
