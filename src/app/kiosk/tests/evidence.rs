//! Evidence from staff mode: photos of badges and anything else are pages
//! of the encounter with their kind and who took them; every page shows as
//! a thumbnail and a tap shows it large.

use super::*;
use crate::domain::encounter::PageKind;

#[test]
fn staff_photograph_a_badge_and_it_is_a_page_of_the_encounter_with_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    // The official's flow keeps two pages of the document.
    official_to_review(&mut s, &mut d, t);
    s.handle(&mut d, Action::Submit, t);
    let id = s.encounter().unwrap().to_string();
    s.handle(&mut d, Action::StaffLock, t);

    // A locked kiosk takes no photos.
    s.handle(&mut d, Action::StaffPhoto(PageKind::Badge), t);
    assert_ne!(s.screen(), Screen::StaffCapture);

    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    let v = s.view(&d);
    assert_eq!(v.pages, 2);
    assert_eq!(v.thumbs.len(), 2);
    assert!(v.thumbs.iter().all(|p| p.kind == PageKind::DocumentPage));
    assert!(
        v.thumbs.iter().all(|p| p.pixels.is_some()),
        "thumbnails drawn"
    );
    assert!(v.can_capture);

    s.handle(&mut d, Action::StaffPhoto(PageKind::Badge), t);
    assert_eq!(s.screen(), Screen::StaffCapture);
    assert_eq!(s.view(&d).evidence_kind, PageKind::Badge);
    s.handle(&mut d, Action::Capture, t);
    assert!(s.view(&d).preview.is_some());
    s.handle(&mut d, Action::KeepPage, t);
    assert_eq!(s.view(&d).evidence_kept, 1);
    assert!(s.view(&d).preview.is_none());
    // Leaving with a photo not kept keeps nothing.
    s.handle(&mut d, Action::Capture, t);
    s.handle(&mut d, Action::Back, t);
    assert_eq!(s.screen(), Screen::StaffEncounter);

    let rec = d.encounter(&id).unwrap();
    let kinds: Vec<_> = rec.pages.iter().map(|p| (p.number, p.kind)).collect();
    assert_eq!(
        kinds,
        [
            (1, PageKind::DocumentPage),
            (2, PageKind::DocumentPage),
            (3, PageKind::Badge)
        ]
    );
    let staff = s.staff().unwrap().to_string();
    assert_eq!(rec.pages[2].by.as_deref(), Some(staff.as_str()));
    assert!(rec.pages[0].by.is_none());
    assert!(
        rec.timeline.iter().any(|e| matches!(
            &e.line,
            crate::store::query::Line::Page {
                kind: PageKind::Badge,
                by: Some(_),
                ..
            }
        )),
        "{:#?}",
        rec.timeline
    );
    // Stored like every page: encrypted at rest, the hash in the record.
    let image = d.page_image(&rec.pages[2].id).unwrap();
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&image)),
        rec.pages[2].sha256
    );
    let on_disk = d
        .record()
        .read(|r| std::fs::read(r.pages().path(&rec.pages[2].id)))
        .unwrap()
        .unwrap();
    assert_ne!(on_disk, image);

    // The encounter screen shows the badge among the thumbnails, still
    // counting two pages of the document; a tap shows it large.
    let v = s.view(&d);
    assert_eq!(v.pages, 2);
    assert_eq!(v.thumbs.len(), 3);
    assert_eq!(v.thumbs[2].kind, PageKind::Badge);
    s.handle(&mut d, Action::ShowPage(Some(3)), t);
    let (n, kind, pixels) = s.view(&d).shown_page.expect("page 3 shown");
    assert_eq!((n, kind), (3, PageKind::Badge));
    let pixels = pixels.expect("readable");
    assert!(pixels.height() > v.thumbs[2].pixels.as_ref().unwrap().height());
    s.handle(&mut d, Action::ShowPage(None), t);
    assert!(s.view(&d).shown_page.is_none());
    // Back closes a page shown large, and stays on the encounter.
    s.handle(&mut d, Action::ShowPage(Some(1)), t);
    s.handle(&mut d, Action::Back, t);
    assert!(s.view(&d).shown_page.is_none());
    assert_eq!(s.screen(), Screen::StaffEncounter);
    // A page that does not exist shows nothing.
    s.handle(&mut d, Action::ShowPage(Some(99)), t);
    assert!(s.view(&d).shown_page.is_none());
}

#[test]
fn a_photo_that_cannot_be_recorded_stays_on_screen_to_keep_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Flaky {
        desk: desk(dir.path()),
        broken: false,
    };
    let t = Instant::now();
    let mut s = session(&d, t);
    unlock(&mut s, &mut d, t);
    s.handle(&mut d, Action::OfficialsAtDesk, t);
    s.handle(&mut d, Action::StaffPhoto(PageKind::Other), t);
    s.handle(&mut d, Action::Capture, t);
    d.broken = true;
    s.handle(&mut d, Action::KeepPage, t);
    let v = s.view(&d);
    assert_eq!(v.problem, Some(Problem::NotRecorded));
    assert!(v.preview.is_some(), "the photo is not lost");
    d.broken = false;
    s.handle(&mut d, Action::KeepPage, t);
    assert_eq!(s.view(&d).evidence_kept, 1);
}

#[test]
fn an_officials_page_waiting_on_their_screen_is_not_staffs_photo() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = desk(dir.path());
    let t = Instant::now();
    let mut s = session(&d, t);
    official_to_review(&mut s, &mut d, t);
    s.handle(&mut d, Action::Back, t);
    assert_eq!(s.screen(), Screen::OfficialCapture);
    s.handle(&mut d, Action::Capture, t);
    assert!(s.view(&d).preview.is_some(), "a page waits to be kept");
    let id = s.encounter().unwrap().to_string();

    // Staff step in without the official's flow being reset.
    s.handle(&mut d, Action::OpenStaff, t);
    for c in [1, 2, 3, 4] {
        s.handle(&mut d, Action::PinDigit(c), t);
    }
    s.handle(&mut d, Action::PinEnter, t);
    s.handle(&mut d, Action::StaffOpen(id.clone()), t);
    s.handle(&mut d, Action::StaffPhoto(PageKind::Badge), t);
    assert!(s.view(&d).preview.is_none(), "staff start with no photo");
    s.handle(&mut d, Action::KeepPage, t);
    s.handle(&mut d, Action::Capture, t);
    s.handle(&mut d, Action::KeepPage, t);
    let rec = d.encounter(&id).unwrap();
    assert_eq!(rec.pages.len(), 3, "two document pages and one badge");
    assert_eq!(rec.pages[2].kind, PageKind::Badge);
}
