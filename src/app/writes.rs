//! The journal entries the desk's use cases write inside their write
//! transactions (an encounter opened, its details, a page), and the
//! checks on who is recording.

use super::{AppError, PageImage, MAX_BY_CHARS};
use crate::domain::encounter::{EncounterDetails, PageKind, Via};
use crate::store::events::*;
use crate::store::{StoreError, Writer};

/// Free text added to an encounter after it opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Note,
    CounselInstruction,
}

impl TextKind {
    pub(super) fn field(self) -> &'static str {
        match self {
            TextKind::Note => "note",
            TextKind::CounselInstruction => "counsel instruction",
        }
    }
}

pub(super) fn non_empty<'a>(
    field: &'static str,
    what: &'static str,
    s: &'a str,
) -> Result<&'a str, AppError> {
    let s = s.trim();
    if s.is_empty() {
        Err(AppError::Empty { field, what })
    } else {
        Ok(s)
    }
}

pub(super) fn check_by(by: &str) -> Result<&str, AppError> {
    let by = non_empty(
        "--by",
        crate::msg_id!("the name of the person recording this"),
        by,
    )?;
    if by.chars().count() > MAX_BY_CHARS || by.chars().any(char::is_control) {
        return Err(AppError::Empty {
            field: "--by",
            what: crate::msg_id!("a name of at most 100 characters without control characters"),
        });
    }
    Ok(by)
}

pub(super) fn open_in(
    w: &mut Writer<'_>,
    entrance: &str,
    via: Via,
    drill: bool,
    language: Option<crate::domain::language::Language>,
) -> Result<String, AppError> {
    let id = w.fresh_id("E", "encounters", 8)?;
    let body = EncounterOpened {
        entrance: entrance.to_string(),
        via,
        drill,
        language,
    };
    w.append(EventKind::EncounterOpened, &id, &body)?;
    Ok(id)
}

pub(super) fn details_in(
    w: &mut Writer<'_>,
    id: &str,
    d: &EncounterDetails,
    by: Option<&str>,
) -> Result<(), AppError> {
    let officers = d
        .officers
        .iter()
        .map(|o| {
            Ok(OfficerRefs {
                name: w.seal(&o.name)?,
                badge: w.seal(&o.badge)?,
                agency: w.seal(&o.agency)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let body = DetailsRecorded {
        officers,
        supervisor: w.seal_opt(d.supervisor.as_deref())?,
        purpose: w.seal_opt(d.purpose.as_deref())?,
        sought: w.seal_opt(d.sought.as_deref())?,
        area: d.area.as_ref().map(|(n, _)| n.clone()),
        area_public: d.area.as_ref().map(|(_, p)| *p),
        exigent: d.exigent,
        document_kind: d.document_kind,
        court: w.seal_opt(d.document.court.as_deref())?,
        judge: w.seal_opt(d.document.judge.as_deref())?,
        issued: d.document.issued,
        expires: d.document.expires,
        address: w.seal_opt(d.document.address.as_deref())?,
        areas_named: w.seal_opt(d.document.areas_named.as_deref())?,
        by: w.seal_opt(by)?,
    };
    w.append(EventKind::DetailsRecorded, id, &body)?;
    Ok(())
}

pub(super) fn page_in(
    w: &mut Writer<'_>,
    id: &str,
    number: u32,
    page: &PageImage,
    kind: PageKind,
    by: Option<&str>,
) -> Result<(), AppError> {
    let page = w.put_page(&page.bytes, page.media)?;
    let by = w.seal_opt(by)?;
    let body = PageCaptured {
        number,
        page,
        kind,
        by,
    };
    w.append(EventKind::PageCaptured, id, &body)?;
    Ok(())
}

/// Write a note or counsel's instruction on open encounter `id` (checked
/// already for length and emptiness).
pub(super) fn text_in(
    w: &mut crate::store::Writer<'_>,
    id: &str,
    kind: TextKind,
    text: &str,
    by: &str,
    from: Option<&str>,
    via: Option<Via>,
) -> Result<(), AppError> {
    super::check_open(&super::state_in(w, id)?)?;
    let body = TextAdded {
        text: w.seal(text)?,
        by: w.seal(by)?,
        from: from.map(|f| w.seal(f)).transpose()?,
        via,
    };
    let event = match kind {
        TextKind::Note => EventKind::NoteAdded,
        TextKind::CounselInstruction => EventKind::InstructionRecorded,
    };
    w.append(event, id, &body)?;
    Ok(())
}

/// Write an answer to checklist question `item` (known to the profile) on
/// open encounter `id`.
pub(super) fn checklist_in(
    w: &mut Writer<'_>,
    id: &str,
    item: &str,
    answer: crate::domain::encounter::ChecklistAnswer,
    by: &str,
    via: Option<Via>,
) -> Result<(), AppError> {
    super::check_open(&super::state_in(w, id)?)?;
    let body = ChecklistAnswered {
        item: item.to_string(),
        answer,
        by: w.seal(by)?,
        via,
    };
    w.append(EventKind::ChecklistAnswered, id, &body)?;
    Ok(())
}
