//! What the screens show: the [`View`] built from the session and live
//! reads of the store (who was paged and acknowledged, open encounters,
//! today's counts, channel and device states).

use super::*;
use crate::devices::health::PartState;
use crate::domain::guidance::{unanswered, verdict, Unanswered};
use crate::store::query::EncounterRow;

impl Session {
    /// What the screens show now; reads live data (who acknowledged, open
    /// encounters) from `desk`.
    pub fn view<D: KioskDesk>(&self, desk: &D) -> View {
        let loaded = desk.loaded();
        let lang = self.lang;
        let profile = &loaded.profile;
        let mut v = View {
            screen: self.screen,
            lang,
            large_text: self.large_text,
            // The notice, rotating its languages to a lobby, is read when
            // someone asks (Listen); with speech "automatic" every screen
            // after it is read as it comes.
            speaking: self.speaking && (self.screen != Screen::Idle || self.listens > 0),
            listens: self.listens,
            high_contrast: self.high_contrast,
            idle_warning: self.idle_warning,
            rotation_paused: self.rotation_paused,
            printer_ready: self.printer_ready,
            printing: self.printing,
            drill: self.drill,
            accents: {
                let last = self
                    .active
                    .and_then(|f| self.fields.get(&f))
                    .and_then(|t| t.chars().last());
                accents::previews(last)
            },
            problem: self.problem.as_ref().map(|p| p.0),
            detail: self
                .problem
                .as_ref()
                .map(|p| p.1.clone())
                .unwrap_or_default(),
            active_field: self.active,
            fields: Field::ALL
                .iter()
                .map(|f| (*f, self.fields.get(f).cloned().unwrap_or_default()))
                .collect(),
            purposes: loaded
                .config
                .visitors
                .purposes
                .iter()
                .map(|p| loaded.purpose_label(p, lang))
                .collect(),
            purpose: self.purpose,
            visitor_ref: self.visitor_ref.clone(),
            encounter_ref: self.encounter.clone().unwrap_or_default(),
            officers: self
                .officers
                .iter()
                .map(|(n, b)| {
                    if b.is_empty() {
                        n.clone()
                    } else {
                        format!("{n} · {b}")
                    }
                })
                .collect(),
            exigent: self.exigent,
            exigent_said: String::new(),
            documents: profile
                .documents
                .iter()
                .map(|d| {
                    (
                        d.label.get(lang).to_string(),
                        d.description.get(lang).to_string(),
                    )
                })
                .collect(),
            document: self.document,
            pages: self.pages,
            preview: self.preview_shown().and_then(|c| preview_pixels(&c.page)),
            paged: Vec::new(),
            policy_title: profile.notice.title.get(lang).to_string(),
            policy_text: profile.access.non_public.text.get(lang).to_string(),
            resources: Vec::new(),
            staff_name: self.staff.clone().unwrap_or_default(),
            pin_length: self.pin.chars().count(),
            open: Vec::new(),
            visitors_today: 0,
            encounters_today: 0,
            status: Vec::new(),
            checklist: Vec::new(),
            verdict: None,
            card: (Vec::new(), Vec::new()),
            confirm_close: self.confirm_close,
            unanswered: None,
            counsel_number: loaded
                .config
                .counsel_number()
                .unwrap_or_default()
                .to_string(),
            outcomes: profile
                .outcomes
                .iter()
                .map(|o| o.label.get(lang).to_string())
                .collect(),
            outcome_kinds: profile
                .outcomes
                .iter()
                .map(|o| {
                    if o.officials_reason {
                        "officials-reason"
                    } else if o.requires_counsel_ack {
                        "counsel"
                    } else {
                        "as-happened"
                    }
                })
                .collect(),
            outcome: self.outcome,
            decided: String::new(),
            decided_basis: String::new(),
            instructions: Vec::new(),
            counsel_names: counsel_names(loaded),
            relay_from: self
                .relay_from
                .or_else(|| (counsel_names(loaded).len() == 1).then_some(0)),
            notes: Vec::new(),
            thumbs: Vec::new(),
            shown_page: None,
            evidence_kind: self.evidence_kind,
            evidence_kept: self.evidence_kept,
            can_capture: self.source.available(),
        };
        match self.screen {
            // The notice shows the resources under it, for residents
            // walking past.
            Screen::Resources | Screen::Idle => v.resources = self.resources.cards(profile, lang),
            Screen::OfficialNotice | Screen::OfficialWaiting => {
                if let Some(id) = &self.encounter {
                    v.paged = paged(desk, id, false);
                }
            }
            Screen::StaffHome => staff_home(desk, &self.parts, &mut v),
            Screen::StaffEncounter
            | Screen::StaffDecide
            | Screen::StaffNotes
            | Screen::StaffCapture => {
                if let Some(id) = &self.staff_encounter {
                    if let Some(rec) = staff_encounter(desk, id, &mut v) {
                        self.present_pages(desk, &rec.pages, rec.purged, &mut v);
                    }
                }
            }
            _ => {}
        }
        v
    }
}

/// The counsel contacts' names, in config order.
pub(super) fn counsel_names(loaded: &Loaded) -> Vec<String> {
    loaded
        .config
        .contacts
        .iter()
        .filter(|c| c.role == crate::config::Role::Counsel)
        .map(|c| c.name.clone())
        .collect()
}

/// The local time of a stored timestamp, `HH:MM`.
fn local_time(loaded: &Loaded, at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&loaded.timezone())
                .format("%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Who was paged about encounter `id` and who acknowledged: each person
/// for staff mode (`everyone`); for the waiting screen, which the
/// officials read, one line per role with no names ("City counsel:
/// acknowledged at 10:04"), leaving out the rapid-response network.
fn paged<D: KioskDesk>(desk: &D, id: &str, everyone: bool) -> Vec<Paged> {
    let people = paged_people(desk, id, everyone);
    if everyone {
        return people;
    }
    let mut roles: Vec<Paged> = Vec::new();
    for p in people {
        match roles.iter_mut().find(|r| r.role == p.role) {
            Some(r) => {
                // The first to be notified, and the first to answer.
                if r.notified_at.is_empty() {
                    r.notified_at = p.notified_at;
                }
                if r.acknowledged_at.is_empty() {
                    r.acknowledged_at = p.acknowledged_at;
                }
            }
            None => roles.push(Paged {
                name: String::new(),
                ..p
            }),
        }
    }
    roles
}

fn paged_people<D: KioskDesk>(desk: &D, id: &str, everyone: bool) -> Vec<Paged> {
    let loaded = desk.loaded();
    let Ok(rec) = desk.encounter(id) else {
        return Vec::new();
    };
    let mut out: Vec<Paged> = Vec::new();
    for n in &rec.notifications {
        if !everyone && n.role == "rapid-response" {
            continue;
        }
        let sent = n.sent_at.as_deref().map(|t| local_time(loaded, t));
        match out.iter_mut().find(|p| p.name == n.contact) {
            Some(p) => {
                if p.notified_at.is_empty() {
                    p.notified_at = sent.unwrap_or_default();
                }
            }
            None => out.push(Paged {
                name: n.contact.clone(),
                role: n.role.clone(),
                notified_at: sent.unwrap_or_default(),
                acknowledged_at: String::new(),
            }),
        }
    }
    for a in &rec.acknowledgements {
        let role = loaded.role_of(&a.by);
        if !everyone && role == Some(crate::config::Role::RapidResponse) {
            continue;
        }
        let at = local_time(loaded, &a.at);
        match out.iter_mut().find(|p| p.name == a.by) {
            Some(p) => {
                if p.acknowledged_at.is_empty() {
                    p.acknowledged_at = at;
                }
            }
            None => out.push(Paged {
                name: a.by.clone(),
                role: role.map(|r| r.token()).unwrap_or("staff").into(),
                notified_at: String::new(),
                acknowledged_at: at,
            }),
        }
    }
    out
}

/// Whether counsel has not answered the open encounter `row` and cannot be
/// relied on to (see [`unanswered`]).
fn unanswered_row<D: KioskDesk>(desk: &D, row: &EncounterRow) -> Option<Unanswered> {
    let config = &desk.loaded().config;
    let opened = chrono::DateTime::parse_from_rfc3339(&row.opened_at)
        .ok()?
        .to_utc();
    unanswered(
        opened,
        desk.now(),
        config.first_deadline(),
        row.counsel_acknowledged_at.is_some(),
        row.paged,
    )
}

/// The broken parts first, so a glance at staff home finds them.
fn staff_home<D: KioskDesk>(desk: &D, parts: &[PartState], v: &mut View) {
    let loaded = desk.loaded();
    match desk.open_encounters() {
        Ok(rows) => {
            v.open = rows
                .into_iter()
                .map(|r| OpenLine {
                    unanswered: unanswered_row(desk, &r),
                    opened_at: local_time(loaded, &r.opened_at),
                    id: r.id,
                    pages: r.pages as u32,
                    acknowledged: r.acknowledgements > 0,
                    counsel_acknowledged: r.counsel_acknowledged_at.is_some(),
                    drill: r.drill,
                })
                .collect();
            // Nobody paged at all is worse than a deadline passed.
            v.unanswered = v
                .open
                .iter()
                .filter_map(|o| o.unanswered)
                .min_by_key(|u| *u != Unanswered::NobodyPaged);
        }
        Err(e) => v.detail = format!("cannot read open encounters: {e}"),
    }
    if let Ok((visitors, encounters)) = desk.today() {
        v.visitors_today = visitors;
        v.encounters_today = encounters;
    }
    let trouble = desk.channel_trouble().unwrap_or_default();
    let broken = |names: &[&str]| {
        parts
            .iter()
            .find(|p| !p.working && names.contains(&p.part.as_str()))
    };
    for channel in crate::config::SENDABLE {
        let what = channel.token();
        let ready = loaded
            .config
            .contacts
            .iter()
            .any(|c| loaded.config.channel_ready(c, channel));
        // Text messages go by the modem, else the gateway: broken only
        // when every way of sending them is.
        let parts_of: &[&str] = match channel {
            crate::config::Channel::Sms => &["modem", "sms-gateway"],
            crate::config::Channel::Email => &["email"],
            crate::config::Channel::Webhook => &["webhook"],
        };
        let sms_works = parts
            .iter()
            .any(|p| p.working && parts_of.contains(&p.part.as_str()));
        let line = match (broken(parts_of), trouble.iter().find(|t| t.0 == what)) {
            _ if !ready => status(what, "off", 0, String::new(), String::new()),
            (Some(p), _) if !sms_works || parts_of.len() == 1 => {
                status(what, "broken", 0, p.detail.clone(), p.fix.clone())
            }
            (_, Some((_, n, err))) => status(
                what,
                "trouble",
                *n,
                err.clone().unwrap_or_default(),
                String::new(),
            ),
            _ => status(what, "ready", 0, String::new(), String::new()),
        };
        v.status.push(line);
    }
    v.status.push(capture_line(loaded, parts));
    for p in parts {
        if ["webhook", "email"].contains(&p.part.as_str()) || p.part == "capture" {
            continue;
        }
        let state = if p.working { "ready" } else { "broken" };
        v.status
            .push(status(&p.part, state, 0, p.detail.clone(), p.fix.clone()));
    }
    v.status
        .sort_by_key(|l| !matches!(l.state, "broken" | "trouble" | "missing"));
}

fn status(what: &str, state: &'static str, count: u32, detail: String, fix: String) -> StatusLine {
    StatusLine {
        what: what.to_string(),
        state,
        count,
        detail,
        fix,
    }
}

fn capture_line(loaded: &Loaded, parts: &[PartState]) -> StatusLine {
    if let Some(p) = parts.iter().find(|p| p.part == "capture" && !p.working) {
        return status("capture", "broken", 0, p.detail.clone(), p.fix.clone());
    }
    match loaded.config.kiosk.capture {
        CaptureSource::None => status(
            "capture",
            "broken",
            0,
            "no capture source is set up".into(),
            "Staff attach pages with `threshold encounter page`; set [kiosk] capture.".into(),
        ),
        CaptureSource::Demo => status("capture", "ready", 0, "demo pages".into(), String::new()),
        CaptureSource::Camera => {
            let camera = loaded.config.kiosk.camera.clone().unwrap_or_default();
            let state = if camera.exists() { "ready" } else { "missing" };
            status(
                "capture",
                state,
                0,
                camera.display().to_string(),
                String::new(),
            )
        }
        CaptureSource::Folder => {
            let folder = loaded.capture_folder().unwrap_or_default();
            let state = if folder.is_dir() { "ready" } else { "missing" };
            status(
                "capture",
                state,
                0,
                folder.display().to_string(),
                String::new(),
            )
        }
    }
}

/// The encounter's screens; returns its record for the pages.
fn staff_encounter<D: KioskDesk>(
    desk: &D,
    id: &str,
    v: &mut View,
) -> Option<crate::store::query::EncounterRecord> {
    let loaded = desk.loaded();
    let lang = v.lang;
    v.encounter_ref = id.to_string();
    v.paged = paged(desk, id, true);
    if let Ok(rows) = desk.open_encounters() {
        v.unanswered = rows
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| unanswered_row(desk, r));
    }
    let Ok(rec) = desk.encounter(id) else {
        v.detail = format!("cannot read encounter {id}");
        return None;
    };
    v.drill = rec.drill;
    // Pages of the document; photos of badges and the like are evidence.
    v.pages = rec
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::DocumentPage)
        .count() as u32;
    v.officers = rec
        .officers
        .iter()
        .map(|o| format!("{} · {} · {}", o.name, o.badge, o.agency))
        .collect();
    v.exigent = Some(rec.exigent);
    if rec.exigent {
        v.exigent_said = [&rec.purpose, &rec.sought]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" · ");
    }
    v.document = rec.document_kind.as_deref().and_then(|k| {
        loaded
            .profile
            .documents
            .iter()
            .position(|d| d.kind.token() == k)
    });
    let kind = rec
        .document_kind
        .as_deref()
        .and_then(|k| k.parse::<crate::domain::document::DocumentKind>().ok());
    let answer = |item: &str| {
        rec.checklist
            .iter()
            .rev()
            .find(|a| a.item == item)
            .map(|a| a.answer.clone())
    };
    let questions = loaded.profile.checklist_for(kind);
    v.checklist = questions
        .iter()
        .map(|c| ChecklistLine {
            id: c.id.clone(),
            question: c.question.get(lang).to_string(),
            help: c.help.get(lang).to_string(),
            answer: answer(&c.id).unwrap_or_default(),
        })
        .collect();
    let verdict = verdict(questions.iter().map(|c| c.id.as_str()), |q| {
        answer(q).and_then(|a| a.parse().ok())
    });
    v.verdict = kind
        .and_then(|k| loaded.profile.document(k))
        .map(|d| (verdict, d.verdict.text(verdict).get(lang).to_string()));
    v.card = (
        loaded
            .profile
            .card
            .say
            .iter()
            .map(|t| t.get(lang).to_string())
            .collect(),
        loaded
            .profile
            .card
            .avoid
            .iter()
            .map(|t| t.get(lang).to_string())
            .collect(),
    );
    v.instructions = rec
        .counsel_instructions
        .iter()
        .map(|a| format!("{} {}: {}", local_time(loaded, &a.at), a.by, a.text))
        .collect();
    v.notes = rec
        .notes
        .iter()
        .map(|a| format!("{} {}: {}", local_time(loaded, &a.at), a.by, a.text))
        .collect();
    if let (Some(outcome), Some(d)) = (&rec.outcome, &rec.decided) {
        let label = loaded
            .profile
            .outcomes
            .iter()
            .find(|o| o.outcome.token() == outcome)
            .map(|o| o.label.get(lang).to_string())
            .unwrap_or_else(|| outcome.clone());
        v.decided = format!("{label} — {} {}", local_time(loaded, &d.at), d.by);
        v.decided_basis = rec.decision_basis.clone().unwrap_or_default();
    }
    Some(rec)
}

/// The page scaled to fit the preview box, as pixels for the UI.
fn preview_pixels(page: &crate::app::PageImage) -> Option<super::Pixels> {
    super::evidence::decode(&page.bytes, (600, 780))
}
