//! The official's flow: the encounter opened at the first screen, officers,
//! the visit, the document, page capture, the review and the details
//! recorded.

use super::*;

impl Session {
    /// The official flow starts: open the encounter and page at once,
    /// before anything is typed.
    pub(super) fn open_official<D: KioskDesk>(&mut self, desk: &mut D) {
        self.go(Screen::OfficialNotice);
        if self.encounter.is_some() {
            return;
        }
        match desk.open_encounter(Via::Kiosk, self.drill, Some(self.lang)) {
            Ok(id) => {
                tracing::info!(encounter = %id, "official at the kiosk: encounter opened and paged");
                self.encounter = Some(id);
            }
            Err(e) => self.fail(Problem::NotRecorded, e),
        }
    }

    pub(super) fn take_officer(&mut self) -> bool {
        let Some(name) = self.text(Field::OfficerName) else {
            return false;
        };
        let badge = self.text(Field::OfficerBadge).unwrap_or_default();
        if self.officers.len() < crate::domain::encounter::MAX_OFFICERS {
            self.officers.push((name, badge));
        }
        self.fields.remove(&Field::OfficerName);
        self.fields.remove(&Field::OfficerBadge);
        self.active = Some(Field::OfficerName);
        true
    }

    pub(super) fn document_kind(&self, loaded: &Loaded) -> Option<DocumentKind> {
        self.document
            .and_then(|i| loaded.profile.documents.get(i))
            .map(|d| d.kind)
    }

    pub(super) fn official_next<D: KioskDesk>(&mut self, desk: &mut D) {
        let loaded = desk.loaded();
        match self.screen {
            Screen::OfficialNotice => {
                if self.encounter.is_none() {
                    // Opening failed on the way in; try again now.
                    self.open_official(desk);
                    if self.encounter.is_none() {
                        return;
                    }
                }
                self.go(Screen::OfficialOfficers);
            }
            Screen::OfficialOfficers => {
                self.take_officer();
                if self.text(Field::Agency).is_none() {
                    self.active = Some(Field::Agency);
                    self.fail(Problem::NeedAgency, "");
                } else if self.officers.is_empty() {
                    self.active = Some(Field::OfficerName);
                    self.fail(Problem::NeedOfficer, "");
                } else {
                    self.go(Screen::OfficialVisit);
                }
            }
            Screen::OfficialVisit => match self.exigent {
                Some(_) => self.go(Screen::OfficialDocument),
                None => self.fail(Problem::PickExigent, ""),
            },
            Screen::OfficialDocument => match self.document_kind(loaded) {
                None => self.fail(Problem::PickDocument, ""),
                Some(DocumentKind::None) => self.go(Screen::OfficialReview),
                Some(_) => {
                    self.go(Screen::OfficialCapture);
                    if !self.source.available() {
                        // Said before anyone tries: staff attach the pages.
                        self.fail(Problem::NoCapture, "");
                    }
                }
            },
            Screen::OfficialCapture => {
                if self.preview.is_some() {
                    self.fail(Problem::KeepOrRetake, "");
                } else if self.pages == 0 && self.source.available() {
                    self.fail(Problem::NeedPage, "");
                } else {
                    self.go(Screen::OfficialReview);
                }
            }
            _ => {}
        }
    }

    /// Where the page or photo on screen waits to be kept: the official's
    /// flow and staff's evidence screen each have their own.
    pub(super) fn preview_shown(&self) -> Option<&Captured> {
        if self.screen == Screen::StaffCapture {
            self.staff_preview.as_ref()
        } else {
            self.preview.as_ref()
        }
    }

    /// [`Session::preview_shown`]'s slot, to fill or empty.
    pub(super) fn preview_slot(&mut self) -> &mut Option<Captured> {
        if self.screen == Screen::StaffCapture {
            &mut self.staff_preview
        } else {
            &mut self.preview
        }
    }

    pub(super) fn capture(&mut self) {
        let staff = self.screen == Screen::StaffCapture && self.staff.is_some();
        if !(self.screen == Screen::OfficialCapture || staff) || self.preview_slot().is_some() {
            return;
        }
        if !self.source.available() {
            return self.fail(Problem::NoCapture, "");
        }
        match self.source.capture() {
            Ok(c) => *self.preview_slot() = Some(c),
            Err(e) => self.fail(Problem::CaptureFailed, e),
        }
    }

    pub(super) fn keep_page<D: KioskDesk>(&mut self, desk: &mut D) {
        let (Some(id), Some(c)) = (self.encounter.clone(), self.preview.take()) else {
            return;
        };
        match desk.attach_page(&id, &c.page, PageKind::DocumentPage, None) {
            Ok(n) => {
                self.pages = n;
                self.source.release(&c);
            }
            Err(e) => {
                // Keep the preview so the page can be kept again.
                self.preview = Some(c);
                self.fail(Problem::NotRecorded, e);
            }
        }
    }

    pub(super) fn submit<D: KioskDesk>(&mut self, desk: &mut D) {
        let loaded = desk.loaded();
        let (Some(id), Some(kind)) = (self.encounter.clone(), self.document_kind(loaded)) else {
            return self.fail(Problem::PickDocument, "");
        };
        if self.screen != Screen::OfficialReview {
            return;
        }
        let agency = self.text(Field::Agency).unwrap_or_default();
        let details = EncounterDetails {
            officers: self
                .officers
                .iter()
                .map(|(name, badge)| Officer {
                    name: name.clone(),
                    badge: badge.clone(),
                    agency: agency.clone(),
                })
                .collect(),
            supervisor: None,
            purpose: self.text(Field::Purpose),
            sought: self.text(Field::Sought),
            area: None,
            exigent: self.exigent.unwrap_or(false),
            document_kind: kind,
            document: Default::default(),
        };
        match desk.record_details(&id, details, KIOSK) {
            Ok(()) => {
                self.details_recorded = true;
                self.go(Screen::OfficialWaiting);
            }
            Err(e) => self.fail(Problem::NotRecorded, e),
        }
    }

    /// What an official had typed, for the note kept when they leave
    /// mid-flow.
    pub(super) fn typed_summary(&self, loaded: &Loaded) -> String {
        let mut parts = Vec::new();
        let text = |f| {
            self.fields
                .get(&f)
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        if let Some(a) = text(Field::Agency) {
            parts.push(format!("agency: {a}"));
        }
        let mut officers = self.officers.clone();
        if let Some(n) = text(Field::OfficerName) {
            officers.push((n.into(), text(Field::OfficerBadge).unwrap_or("").into()));
        }
        for (name, badge) in &officers {
            parts.push(format!("officer: {name} (badge {badge})"));
        }
        for (f, label) in [(Field::Purpose, "purpose"), (Field::Sought, "sought")] {
            if let Some(t) = text(f) {
                parts.push(format!("{label}: {t}"));
            }
        }
        if let Some(e) = self.exigent {
            parts.push(format!(
                "exigent circumstances claimed: {}",
                if e { "yes" } else { "no" }
            ));
        }
        if let Some(d) = self.document.and_then(|i| loaded.profile.documents.get(i)) {
            parts.push(format!("document: {}", d.kind.token()));
        }
        parts.join("; ")
    }
}
