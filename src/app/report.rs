//! An encounter's report for counsel's file, as PDF: the facts, officers,
//! checklist, instructions, notes, acknowledgements, who was paged, the
//! timeline, every document page, and the chain head signed with the
//! facility key so the copy can be checked against the record.

use crate::app::timeline;
use crate::app::words::words;
use crate::config::Loaded;
use crate::domain::catalogue::{labelled, noted};
use crate::domain::language::Language;
use crate::render::pdf::{Document, PdfError};
use crate::render::text::Face;
use crate::store::bundle::FacilityKey;
use crate::store::query::{self, ReadError};
use crate::store::{Reader, StoreError};

const BOLD: Face = Face::Bold;
const REGULAR: Face = Face::Regular;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}", crate::msg!("no encounter {id}", id = .0))]
    Unknown(String),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// The page's image is not where the report is made (the city hub's
    /// copy before the kiosk has sent it).
    #[error("page {0} is not here yet")]
    PageMissing(u32),
    #[error("{}", crate::msg!("page {number}: {source}", number = .number, source = .source))]
    Page {
        number: u32,
        source: crate::store::pages::PageError,
    },
}

/// What the report's signature covers.
pub fn statement(
    facility: &str,
    encounter: &str,
    last: (i64, &str),
    head: (i64, &str),
    created: &str,
) -> String {
    statement_as(
        "threshold-report/1",
        facility,
        encounter,
        last,
        head,
        created,
    )
}

/// [`statement`] in `format`: `threshold-hub-report/1` for a report made
/// from the city hub's copy and signed with its key.
pub fn statement_as(
    format: &str,
    facility: &str,
    encounter: &str,
    last: (i64, &str),
    head: (i64, &str),
    created: &str,
) -> String {
    format!(
        "{format}\nfacility {facility}\nencounter {encounter}\nlast-entry {} {}\nhead {} {}\ncreated {created}\n",
        last.0, last.1, head.0, head.1
    )
}

/// The signed statement at the end of a report, and how to check it.
pub struct Integrity {
    /// The record's head, `#seq hash`.
    pub head: String,
    /// What the key is ("Facility signing key (Ed25519)", or the hub's).
    pub key_label: String,
    pub key_hex: String,
    pub fingerprint: String,
    pub statement: String,
    pub signature: String,
    /// How a reader checks it, one paragraph each.
    pub checks: Vec<String>,
}

/// What a report is made from: the kiosk's own record, or the city hub's
/// copy of it.
pub struct Basis<'a> {
    pub record: query::EncounterRecord,
    pub facility_name: &'a str,
    pub facility_id: &'a str,
    pub profile: &'a crate::domain::policy::PolicyProfile,
    pub paper: crate::render::pdf::Paper,
    pub tz: chrono_tz::Tz,
    /// When it was made (RFC 3339, UTC), as its statement says.
    pub created: String,
    pub integrity: Integrity,
    /// A page's image.
    pub image: &'a mut dyn FnMut(&query::PageView) -> Result<Vec<u8>, ReportError>,
}

/// The PDF report of encounter `id`, made for `who`, labelled in `lang`.
pub fn encounter_pdf(
    loaded: &Loaded,
    store: &Reader<'_>,
    key: &FacilityKey,
    id: &str,
    lang: Language,
    who: &str,
) -> Result<Vec<u8>, ReportError> {
    let conn = store.conn();
    let r = query::encounter(conn, id)?.ok_or_else(|| ReportError::Unknown(id.to_string()))?;
    let w = words(lang);
    let created = crate::store::timestamp(chrono::Utc::now());
    let facility = &loaded.config.facility;
    // The chain head now, and this encounter's last entry, signed.
    let head = query::chain_head(conn).map_err(|e| store.err(e))?;
    let last_seq = r.timeline.last().map_or(0, |t| t.seq);
    let last_hash = query::entry_hash(conn, last_seq).map_err(|e| store.err(e))?;
    let (head_hex, last_hex) = (hex::encode(&head.1), hex::encode(&last_hash));
    let statement = statement(
        &facility.id,
        &r.id,
        (last_seq, &last_hex),
        (head.0, &head_hex),
        &created,
    );
    let integrity = Integrity {
        head: format!("#{} {head_hex}", head.0),
        key_label: w.facility_key.to_string(),
        key_hex: key.public_hex(),
        fingerprint: key.fingerprint(),
        signature: key.sign(&statement),
        statement,
        checks: vec![w.check_signature.to_string(), w.check_head.to_string()],
    };
    let mut image = |p: &query::PageView| {
        store
            .pages()
            .read(&p.id)
            .map_err(|source| ReportError::Page {
                number: p.number,
                source,
            })
    };
    render(
        Basis {
            record: r,
            facility_name: &facility.name,
            facility_id: &facility.id,
            profile: &loaded.profile,
            paper: loaded.config.report.paper,
            tz: loaded.timezone(),
            created,
            integrity,
            image: &mut image,
        },
        lang,
        who,
    )
}

/// A report from `b`, labelled in `lang`, made for `who`.
pub fn render(b: Basis<'_>, lang: Language, who: &str) -> Result<Vec<u8>, ReportError> {
    let r = b.record;
    let w = words(lang);
    let tz = b.tz;
    let local = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at)
            .map(|t| {
                t.with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M:%S %Z")
                    .to_string()
            })
            .unwrap_or_else(|_| at.to_string())
    };
    let created = b.created.clone();
    let profile = b.profile;
    // The hub knows a facility by its id alone.
    let facility_line = if b.facility_name == b.facility_id {
        b.facility_id.to_string()
    } else {
        format!("{} · {}", b.facility_name, b.facility_id)
    };
    let mut doc = Document::new(
        &format!("{} · {} {}", b.facility_name, w.encounter, r.id),
        b.paper,
    );
    doc.title(
        &format!("{} {}", w.report_title, r.id),
        lang.code(),
        &created,
    );
    if r.drill {
        doc.text(BOLD, 14.0, 0.0, w.drill);
    }
    doc.text(REGULAR, 10.0, 0.0, &facility_line);
    doc.text(
        REGULAR,
        10.0,
        0.0,
        &format!("{} · {who}", labelled(lang, w.generated, &local(&created))),
    );
    if r.purged {
        doc.text(REGULAR, 10.0, 0.0, w.purged_note);
    }
    doc.rule();
    doc.fact(
        w.opened,
        &format!(
            "{} · {} “{}” · {}",
            local(&r.opened_at),
            w.entrance,
            r.entrance,
            timeline::via_token(&r.via, lang)
        ),
    );
    doc.fact(
        w.closed,
        &match (&r.closed_at, &r.closed_by) {
            (Some(at), Some(by)) => format!("{} · {by}", local(at)),
            (Some(at), None) => local(at),
            _ => w.still_open.to_string(),
        },
    );
    if let Some(shown) = r.kiosk_language {
        doc.fact(w.kiosk_language, shown.endonym());
    }
    let document = match r.document_kind.as_deref() {
        Some(k) => profile.document_label(Some(k), lang),
        None => "—".into(),
    };
    doc.fact(w.document, &document);
    if let Some(area) = &r.area {
        doc.fact(w.area, area);
    }
    for (label, value) in w.document_facts(&r) {
        if let Some(v) = value {
            doc.fact(label, v);
        }
    }
    if r.exigent {
        doc.fact(w.exigent, w.yes);
    }
    // The basis in words; an outcome that never waited for counsel has none.
    let basis = r.decision_basis.as_deref().and_then(|b| w.basis(b));
    let outcome = match (&r.outcome, &r.decided) {
        (Some(o), Some(d)) => format!(
            "{} · {} {} · {}",
            match basis {
                Some(b) => noted(&profile.outcome_label(o, lang), b, lang),
                None => profile.outcome_label(o, lang),
            },
            w.decided_by,
            d.by,
            local(&d.at)
        ),
        (Some(o), None) => profile.outcome_label(o, lang),
        _ => "—".into(),
    };
    doc.fact(w.outcome, &outcome);
    if let Some(reason) = &r.override_reason {
        doc.fact(w.override_reason, reason);
    }
    if let Some(said) = &r.officials_reason {
        doc.fact(w.officials_reason, said);
    }
    for h in &r.holds {
        let state = match &h.released {
            Some(rel) => format!("{} · {} · {}", w.hold_released, rel.by, local(&rel.at)),
            None => w.hold_in_force.to_string(),
        };
        doc.fact(
            w.legal_hold,
            &format!(
                "{} · {} · {} · {} · {state}",
                h.id,
                h.reason,
                h.placed_by,
                local(&h.placed_at)
            ),
        );
    }

    doc.heading(w.officers);
    if r.officers.is_empty() {
        doc.text(REGULAR, 10.0, 0.0, w.none);
    }
    // A field the officer did not give says so, never a dangling separator.
    let given = |v: &str| {
        if v.trim().is_empty() {
            w.not_given.to_string()
        } else {
            v.to_string()
        }
    };
    for o in &r.officers {
        doc.fact(
            &o.name,
            &format!(
                "{} · {}",
                labelled(lang, w.badge, &given(&o.badge)),
                labelled(lang, w.agency, &given(&o.agency))
            ),
        );
    }
    // Every question the document's kind is asked, answered or not, and
    // any other answer recorded.
    doc.heading(w.checklist);
    let kind = r.document_kind.as_deref().and_then(|k| k.parse().ok());
    let mut items: Vec<String> = profile
        .checklist_for(kind)
        .iter()
        .map(|q| q.id.clone())
        .collect();
    for a in &r.checklist {
        if !items.contains(&a.item) {
            items.push(a.item.clone());
        }
    }
    if items.is_empty() {
        doc.text(REGULAR, 10.0, 0.0, w.none);
    }
    for item in &items {
        let q = profile
            .checklist_item(item)
            .map(|i| i.question.get(lang).to_string())
            .unwrap_or_else(|| item.clone());
        let answered = match r.checklist.iter().find(|a| a.item == *item) {
            Some(a) => {
                let word = w.answer(&a.answer).unwrap_or(&a.answer);
                format!("{word} · {} · {}", a.by, local(&a.at))
            }
            None => w.not_answered.to_string(),
        };
        doc.fact(&answered, &q);
    }
    for (title, acts) in [
        (w.instructions, &r.counsel_instructions),
        (w.notes, &r.notes),
    ] {
        doc.heading(title);
        if acts.is_empty() {
            doc.text(REGULAR, 10.0, 0.0, w.none);
        }
        for a in acts {
            doc.fact(&format!("{} · {}", a.by, local(&a.at)), &a.text);
        }
    }
    doc.heading(w.acknowledgements);
    if r.acknowledgements.is_empty() {
        doc.text(REGULAR, 10.0, 0.0, w.none);
    }
    for a in &r.acknowledgements {
        let how = timeline::ack_how(a.role, a.via, lang);
        doc.fact(&format!("{} · {}", a.by, local(&a.at)), &how);
    }
    // Each page from the alert record: tier, channel, queued, delivered
    // (or why not).
    doc.heading(w.notifications);
    if r.notifications.is_empty() {
        doc.text(REGULAR, 10.0, 0.0, w.nobody_was_paged);
    }
    for n in &r.notifications {
        let delivered = match (&n.sent_at, &n.last_error) {
            (Some(at), _) => format!("{} {}", w.delivered, local(at)),
            (None, Some(e)) => labelled(lang, w.not_delivered, e),
            (None, None) => w.not_delivered.to_string(),
        };
        doc.fact(
            &noted(&n.contact, &timeline::role_token(&n.role, lang), lang),
            &format!(
                "{} {} · {} · {} {} · {delivered}",
                w.tier,
                n.tier,
                timeline::channel_token(&n.channel, lang),
                w.queued,
                local(&n.queued_at)
            ),
        );
    }
    // What the door told everyone, in the report's language.
    // The report's language, and the kiosk's when the official read
    // another.
    doc.heading(w.policy_shown);
    let mut shown = vec![lang];
    if let Some(k) = r.kiosk_language.filter(|k| *k != lang) {
        shown.push(k);
    }
    for l in shown {
        doc.text(BOLD, 10.0, 0.0, profile.notice.title.get(l));
        doc.text(REGULAR, 10.0, 0.0, profile.notice.body.get(l));
        doc.text(REGULAR, 10.0, 0.0, profile.access.non_public.text.get(l));
    }
    doc.heading(w.timeline);
    for t in &r.timeline {
        doc.fact(
            &format!("#{} {}", t.seq, local(&t.at)),
            &timeline::line(profile, &t.line, lang),
        );
    }

    let i = &b.integrity;
    doc.heading(w.integrity);
    doc.fact(w.chain_head, &i.head);
    doc.fact(&i.key_label, &i.key_hex);
    doc.fact(w.fingerprint, &i.fingerprint);
    doc.text(REGULAR, 8.0, 0.0, i.statement.trim_end());
    doc.fact(w.signature, &i.signature);
    // The fingerprint large enough to read aloud over the phone.
    doc.text(
        BOLD,
        14.0,
        0.0,
        &labelled(lang, w.fingerprint, &i.fingerprint),
    );
    doc.heading(w.how_to_check);
    for check in &i.checks {
        doc.text(REGULAR, 10.0, 0.0, check);
    }

    // For the custodian who files it.
    doc.heading(w.certification);
    doc.text(REGULAR, 10.0, 0.0, w.certify_text);
    doc.fact(w.facility_label, &facility_line);
    for line in [w.custodian, w.signature_line, w.date_line] {
        doc.fact(line, "______________________________");
    }

    for p in &r.pages {
        doc.new_page();
        doc.text(
            BOLD,
            12.0,
            0.0,
            &format!(
                "{} {}{} · SHA-256 {}",
                w.page,
                p.number,
                page_kind(w, p),
                p.sha256
            ),
        );
        if r.purged {
            doc.text(REGULAR, 10.0, 0.0, w.purged);
            continue;
        }
        let bytes = match (b.image)(p) {
            Err(ReportError::PageMissing(_)) => {
                let cw = crate::app::city_words::CityWords::get(lang);
                doc.text(REGULAR, 10.0, 0.0, cw.page_not_here);
                continue;
            }
            other => other?,
        };
        let alt = format!("{} {}{}", w.page, p.number, page_kind(w, p));
        doc.image(&bytes, &alt)?;
    }
    Ok(doc.finish()?)
}

/// " · Badge or card · photographed by Dana" for evidence staff took;
/// nothing for a page of the document.
fn page_kind(w: &crate::app::words::Words, p: &crate::store::query::PageView) -> String {
    use crate::domain::encounter::PageKind;
    let kind = match p.kind {
        PageKind::DocumentPage => String::new(),
        PageKind::Badge => format!(" · {}", w.kind_badge),
        PageKind::Other => format!(" · {}", w.kind_other),
    };
    match &p.by {
        Some(by) => format!("{kind} · {} {by}", w.photographed_by),
        None => kind,
    }
}
