//! Evidence beyond the document, from staff mode: staff photograph the
//! officers' badges or cards (or anything else worth keeping) with the
//! kiosk's camera or scanner; each photo is a page of the encounter with
//! its kind, encrypted and hashed like the document's pages. The encounter
//! screen shows every page as a thumbnail; a tap shows it large.

use super::*;
use slint::{Rgba8Pixel, SharedPixelBuffer};
use std::collections::HashMap;
use std::sync::Mutex;

/// Thumbnails fit in this box (pixels).
const THUMB: (u32, u32) = (150, 200);
/// A page shown large fits in this box.
const LARGE: (u32, u32) = (1000, 1300);

/// Pixels for the UI.
pub type Pixels = SharedPixelBuffer<Rgba8Pixel>;

/// One page of the encounter, small.
#[derive(Debug, Clone)]
pub struct Thumb {
    pub number: u32,
    pub kind: PageKind,
    /// None when the image cannot be read (shown as such, never hidden).
    pub pixels: Option<Pixels>,
}

/// Decoded pages, kept while staff mode is open (cleared when it locks,
/// with the rest of the session): decrypting and decoding a scan on every
/// refresh would stall the screen.
#[derive(Default)]
pub struct PageCache {
    small: Mutex<HashMap<String, Option<Pixels>>>,
    large: Mutex<Option<(String, Option<Pixels>)>>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PageCache")
    }
}

/// `bytes` decoded and scaled to fit `w` x `h`, as pixels for the UI.
pub(super) fn decode(bytes: &[u8], (w, h): (u32, u32)) -> Option<Pixels> {
    let img = image::load_from_memory(bytes).ok()?;
    let img = img
        .resize(w, h, image::imageops::FilterType::Triangle)
        .to_rgba8();
    Some(SharedPixelBuffer::clone_from_slice(
        img.as_raw(),
        img.width(),
        img.height(),
    ))
}

impl PageCache {
    fn read<D: KioskDesk>(desk: &D, page: &str, size: (u32, u32)) -> Option<Pixels> {
        match desk.page_image(page) {
            Ok(bytes) => decode(&bytes, size),
            Err(e) => {
                tracing::warn!(page, error = %e, "cannot read a page for staff mode");
                None
            }
        }
    }

    /// The thumbnail of `page`.
    pub fn small<D: KioskDesk>(&self, desk: &D, page: &str) -> Option<Pixels> {
        let mut cache = self.small.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(page.to_string())
            .or_insert_with(|| Self::read(desk, page, THUMB))
            .clone()
    }

    /// `page` shown large (one at a time is kept).
    pub fn large<D: KioskDesk>(&self, desk: &D, page: &str) -> Option<Pixels> {
        let mut cache = self.large.lock().unwrap_or_else(|e| e.into_inner());
        match &*cache {
            Some((id, pixels)) if id == page => pixels.clone(),
            _ => {
                let pixels = Self::read(desk, page, LARGE);
                *cache = Some((page.to_string(), pixels.clone()));
                pixels
            }
        }
    }
}

impl Session {
    /// Staff want to photograph a badge, a card or something else.
    pub(super) fn staff_photo(&mut self, kind: PageKind) {
        if self.staff_encounter.is_none() {
            return;
        }
        self.evidence_kind = kind;
        self.shown_page = None;
        // Without a camera or scanner the screen says how to attach the
        // photo later.
        self.go(Screen::StaffCapture);
    }

    /// Staff tapped a thumbnail (or closed the page shown large).
    pub(super) fn show_page(&mut self, number: Option<u32>) {
        if self.staff_encounter.is_some() {
            self.shown_page = number;
        }
    }

    /// Keep the photo on screen as a page of the staff member's encounter.
    pub(super) fn keep_evidence<D: KioskDesk>(&mut self, desk: &mut D) {
        let (Some(id), Some(by)) = (self.staff_encounter.clone(), self.staff.clone()) else {
            return;
        };
        let Some(c) = self.staff_preview.take() else {
            return;
        };
        match desk.attach_page(&id, &c.page, self.evidence_kind, Some(&by)) {
            Ok(_) => {
                self.evidence_kept += 1;
                self.source.release(&c);
            }
            Err(e) => {
                self.staff_preview = Some(c);
                self.fail(Problem::NotRecorded, e);
            }
        }
    }

    /// The encounter's pages as thumbnails, and the one shown large.
    pub(super) fn present_pages<D: KioskDesk>(
        &self,
        desk: &D,
        pages: &[crate::store::query::PageView],
        purged: bool,
        v: &mut View,
    ) {
        if purged {
            return;
        }
        v.thumbs = pages
            .iter()
            .map(|p| Thumb {
                number: p.number,
                kind: p.kind,
                pixels: self.pages_cache.small(desk, &p.id),
            })
            .collect();
        if let Some(p) = self
            .shown_page
            .and_then(|n| pages.iter().find(|p| p.number == n))
        {
            v.shown_page = Some((p.number, p.kind, self.pages_cache.large(desk, &p.id)));
        }
    }
}
