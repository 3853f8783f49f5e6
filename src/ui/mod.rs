//! The kiosk's Slint UI: [`apply`] copies the controller's [`View`] into the
//! screen adapters, [`connect`] turns every tap into an [`Action`], and
//! [`run_window`] runs the window with the controller on a tokio worker
//! that sends views back through `upgrade_in_event_loop`.

pub mod demo;
pub mod fit;
pub mod headless;
pub mod keys;
pub mod speech;
mod window;

pub use window::{drive, run_window, KioskDevices};

slint::include_modules!();

use crate::app::kiosk::{self, Action, Field, KioskDesk, Problem, Session, StartChoice, View};
use crate::config::Loaded;
use crate::devices::health::Health;
use crate::devices::hub::Hub;
use crate::domain::encounter::ChecklistAnswer;
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How many taps may wait for the controller; more are dropped (a frozen
/// store must not freeze the screen).
const ACTION_QUEUE: usize = 64;
/// How often the controller checks the idle timeout and refreshes live
/// data (who acknowledged, open encounters).
const TICK: Duration = Duration::from_millis(500);

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(items)))
}

fn texts(items: &[String]) -> Vec<SharedString> {
    items.iter().map(SharedString::from).collect()
}

/// Set a list only when it changed: a list set anew makes its items anew,
/// and the keypad's focus on one of them would be lost.
fn renew<T: Clone + PartialEq + 'static>(
    old: ModelRc<T>,
    items: Vec<T>,
    set: impl FnOnce(ModelRc<T>),
) {
    use slint::Model;
    let same = old.row_count() == items.len() && old.iter().zip(&items).all(|(a, b)| a == *b);
    if !same {
        set(model(items));
    }
}

fn screen(s: kiosk::Screen) -> Screen {
    use kiosk::Screen as S;
    match s {
        S::Idle => Screen::Idle,
        S::Start => Screen::Start,
        S::VisitorPurpose => Screen::VisitorPurpose,
        S::VisitorDetails => Screen::VisitorDetails,
        S::VisitorDone => Screen::VisitorDone,
        S::OfficialNotice => Screen::OfficialNotice,
        S::OfficialOfficers => Screen::OfficialOfficers,
        S::OfficialVisit => Screen::OfficialVisit,
        S::OfficialDocument => Screen::OfficialDocument,
        S::OfficialCapture => Screen::OfficialCapture,
        S::OfficialReview => Screen::OfficialReview,
        S::OfficialWaiting => Screen::OfficialWaiting,
        S::Resources => Screen::Resources,
        S::StaffPin => Screen::StaffPin,
        S::StaffHome => Screen::StaffHome,
        S::StaffEncounter => Screen::StaffEncounter,
        S::StaffDecide => Screen::StaffDecide,
        S::StaffNotes => Screen::StaffNotes,
        S::StaffCapture => Screen::StaffCapture,
    }
}

fn page_thumb(t: &kiosk::Thumb) -> PageThumb {
    PageThumb {
        number: t.number as i32,
        kind: t.kind.token().into(),
        image: t
            .pixels
            .as_ref()
            .map(|p| Image::from_rgba8(p.clone()))
            .unwrap_or_default(),
        readable: t.pixels.is_some(),
    }
}

fn problem(p: Option<Problem>) -> (ProblemKind, i32) {
    match p {
        None => (ProblemKind::None, 0),
        Some(Problem::NameRule) => (ProblemKind::NameRule, 0),
        Some(Problem::LooksLikeId) => (ProblemKind::LooksLikeId, 0),
        Some(Problem::TooLong) => (ProblemKind::TooLong, 0),
        Some(Problem::PickPurpose) => (ProblemKind::PickPurpose, 0),
        Some(Problem::NeedAgency) => (ProblemKind::NeedAgency, 0),
        Some(Problem::NeedOfficer) => (ProblemKind::NeedOfficer, 0),
        Some(Problem::PickExigent) => (ProblemKind::PickExigent, 0),
        Some(Problem::PickDocument) => (ProblemKind::PickDocument, 0),
        Some(Problem::NeedPage) => (ProblemKind::NeedPage, 0),
        Some(Problem::KeepOrRetake) => (ProblemKind::KeepOrRetake, 0),
        Some(Problem::CaptureFailed) => (ProblemKind::CaptureFailed, 0),
        Some(Problem::NoCapture) => (ProblemKind::NoCapture, 0),
        Some(Problem::NotRecorded) => (ProblemKind::NotRecorded, 0),
        Some(Problem::WrongPin { left }) => (ProblemKind::WrongPin, left as i32),
        Some(Problem::Locked { minutes }) => (ProblemKind::Locked, minutes as i32),
        Some(Problem::Refused) => (ProblemKind::Refused, 0),
        Some(Problem::NotPrinted) => (ProblemKind::NotPrinted, 0),
        Some(Problem::PickCounsel) => (ProblemKind::PickCounsel, 0),
    }
}

/// Show `view` as [`apply`] does; then the keypad's focus starts from the
/// top of a new screen, and what changed is read aloud when speech is on.
pub fn show(ui: &Kiosk, loaded: &Loaded, view: &View) {
    let k = ui.global::<KioskAdapter>();
    let moved = k.get_screen() != screen(view.screen)
        || (k.get_idle_warning() >= 0) != view.idle_warning.is_some();
    let focused = keys::focus_label(ui);
    apply(ui, loaded, view);
    let kept = keys::settle(ui);
    if moved && view.idle_warning.is_none() {
        ui.invoke_take_keys();
    } else if !kept && view.idle_warning.is_none() {
        // The control with the focus was made anew: back onto it.
        match focused {
            Some(label) => keys::refocus(ui, &label),
            None => ui.invoke_take_keys(),
        }
    }
    keys::with_reader(|r| r.follow(ui.window(), view));
}

/// Show `view`: every adapter, the language and the font.
pub fn apply(ui: &Kiosk, loaded: &Loaded, view: &View) {
    let lang = view.lang;
    // English is the source language of the @tr strings.
    if let Err(e) = slint::select_bundled_translation(lang.code()) {
        tracing::error!(lang = lang.code(), error = ?e, "no bundled translation; showing English");
    }
    let theme = ui.global::<Theme>();
    theme.set_large_text(view.large_text);
    theme.set_high_contrast(view.high_contrast);
    theme.set_font(
        if lang == crate::domain::language::Language::ChineseSimplified {
            "Noto Sans SC"
        } else {
            "Noto Sans"
        }
        .into(),
    );

    let k = ui.global::<KioskAdapter>();
    k.set_screen(screen(view.screen));
    k.set_language_code(lang.code().into());
    k.set_large_text(view.large_text);
    k.set_high_contrast(view.high_contrast);
    k.set_idle_warning(view.idle_warning.map_or(-1, |n| n as i32));
    k.set_speaking(view.speaking);
    k.set_drill(view.drill);
    k.set_printer_ready(view.printer_ready);
    k.set_printing(view.printing);
    let (kind, number) = problem(view.problem);
    k.set_problem(kind);
    k.set_problem_number(number);
    k.set_detail(view.detail.as_str().into());

    let form = ui.global::<FormAdapter>();
    renew(
        form.get_values(),
        Field::ALL
            .iter()
            .map(|f| SharedString::from(view.field(*f)))
            .collect(),
        |m| form.set_values(m),
    );
    form.set_active(
        view.active_field
            .and_then(|f| Field::ALL.iter().position(|x| *x == f))
            .map_or(-1, |i| i as i32),
    );
    let kb = ui.global::<KeyboardAdapter>();
    kb.set_visible(view.active_field.is_some());
    let samples = ['á', 'à', 'ả', 'ã', 'ạ', 'â', 'ă', 'ơ', 'ü'];
    renew(
        kb.get_accents(),
        view.accents
            .iter()
            .zip(samples)
            .map(|(a, s)| SharedString::from(a.unwrap_or(s).to_string()))
            .collect(),
        |m| kb.set_accents(m),
    );
    renew(
        kb.get_accents_enabled(),
        view.accents.iter().map(Option::is_some).collect(),
        |m| kb.set_accents_enabled(m),
    );

    let idle = ui.global::<IdleAdapter>();
    let profile = &loaded.profile;
    idle.set_facility_name(loaded.config.facility.name.as_str().into());
    idle.set_notice_title(profile.notice.title.get(lang).into());
    idle.set_notice_body(profile.notice.body.get(lang).into());
    let languages = &loaded.config.facility.languages;
    renew(
        idle.get_languages(),
        languages.iter().map(|l| l.endonym().into()).collect(),
        |m| idle.set_languages(m),
    );
    renew(
        idle.get_language_codes(),
        languages.iter().map(|l| l.code().into()).collect(),
        |m| idle.set_language_codes(m),
    );
    idle.set_current_language(languages.iter().position(|l| *l == lang).unwrap_or(0) as i32);
    idle.set_rotation_paused(view.rotation_paused);

    let v = ui.global::<VisitorAdapter>();
    renew(v.get_purposes(), texts(&view.purposes), |m| {
        v.set_purposes(m)
    });
    v.set_purpose(view.purpose.map_or(-1, |i| i as i32));
    v.set_reference(view.visitor_ref.as_str().into());
    v.set_name(view.field(Field::VisitorName).into());

    let o = ui.global::<OfficialAdapter>();
    o.set_reference(view.encounter_ref.as_str().into());
    o.set_policy_title(view.policy_title.as_str().into());
    o.set_policy_text(view.policy_text.as_str().into());
    o.set_agency(view.field(Field::Agency).into());
    o.set_purpose(view.field(Field::Purpose).into());
    o.set_sought(view.field(Field::Sought).into());
    renew(o.get_officers(), texts(&view.officers), |m| {
        o.set_officers(m)
    });
    o.set_exigent(view.exigent.map_or(-1, i32::from));
    let docs: Vec<DocEntry> = view
        .documents
        .iter()
        .enumerate()
        .map(|(i, (label, description))| DocEntry {
            index: i as i32,
            label: label.as_str().into(),
            description: description.as_str().into(),
        })
        .collect();
    let half = balanced_split(
        &view
            .documents
            .iter()
            .map(|(label, description)| {
                CARD_WEIGHT + 2 * label.chars().count() + description.chars().count()
            })
            .collect::<Vec<_>>(),
    );
    renew(o.get_documents_left(), docs[..half].to_vec(), |m| {
        o.set_documents_left(m)
    });
    renew(o.get_documents_right(), docs[half..].to_vec(), |m| {
        o.set_documents_right(m)
    });
    renew(o.get_documents(), docs, |m| o.set_documents(m));
    o.set_document(view.document.map_or(-1, |i| i as i32));
    o.set_pages(view.pages as i32);
    o.set_has_preview(view.preview.is_some());
    if let Some(p) = &view.preview {
        o.set_preview(Image::from_rgba8(p.clone()));
    }
    renew(
        o.get_paged(),
        view.paged
            .iter()
            .map(|p| PagedRow {
                name: p.name.as_str().into(),
                role: p.role.as_str().into(),
                notified: p.notified_at.as_str().into(),
                acknowledged: p.acknowledged_at.as_str().into(),
            })
            .collect(),
        |m| o.set_paged(m),
    );

    let cards: Vec<ResourceCard> = view
        .resources
        .iter()
        .map(|r| ResourceCard {
            name: r.name.as_str().into(),
            description: r.description.as_str().into(),
            phone: r.phone.as_str().into(),
            url: r.url.as_str().into(),
            has_qr: r.qr.is_some(),
            qr: r.qr.clone().map(Image::from_rgba8).unwrap_or_default(),
        })
        .collect();
    let half = cards.len().div_ceil(2);
    let res = ui.global::<ResourcesAdapter>();
    renew(res.get_cards_left(), cards[..half].to_vec(), |m| {
        res.set_cards_left(m)
    });
    renew(res.get_cards_right(), cards[half..].to_vec(), |m| {
        res.set_cards_right(m)
    });
    renew(res.get_cards(), cards, |m| res.set_cards(m));

    let s = ui.global::<StaffAdapter>();
    s.set_name(view.staff_name.as_str().into());
    s.set_pin_dots("●".repeat(view.pin_length).into());
    renew(
        s.get_open(),
        view.open
            .iter()
            .map(|e| OpenRow {
                id: e.id.as_str().into(),
                opened: e.opened_at.as_str().into(),
                pages: e.pages as i32,
                acknowledged: e.acknowledged,
                counsel: e.counsel_acknowledged,
                drill: e.drill,
            })
            .collect(),
        |m| s.set_open(m),
    );
    s.set_visitors_today(view.visitors_today as i32);
    s.set_encounters_today(view.encounters_today as i32);
    renew(
        s.get_status(),
        view.status
            .iter()
            .map(|l| StatusRow {
                what: l.what.as_str().into(),
                state: l.state.into(),
                count: l.count as i32,
                detail: l.detail.as_str().into(),
                fix: l.fix.as_str().into(),
            })
            .collect(),
        |m| s.set_status(m),
    );
    s.set_reference(view.encounter_ref.as_str().into());
    renew(s.get_officers(), texts(&view.officers), |m| {
        s.set_officers(m)
    });
    renew(
        s.get_checklist(),
        view.checklist
            .iter()
            .map(|c| ChecklistRow {
                id: c.id.as_str().into(),
                question: c.question.as_str().into(),
                help: c.help.as_str().into(),
                answer: c.answer.as_str().into(),
            })
            .collect(),
        |m| s.set_checklist(m),
    );
    let doc = view.document.and_then(|i| view.documents.get(i));
    s.set_document_label(doc.map_or("", |d| d.0.as_str()).into());
    s.set_document_description(doc.map_or("", |d| d.1.as_str()).into());
    s.set_pages(view.pages as i32);
    renew(
        s.get_thumbs(),
        view.thumbs.iter().map(page_thumb).collect(),
        |m| s.set_thumbs(m),
    );
    s.set_page_shown(view.shown_page.is_some());
    if let Some((number, kind, pixels)) = &view.shown_page {
        s.set_shown(page_thumb(&kiosk::Thumb {
            number: *number,
            kind: *kind,
            pixels: pixels.clone(),
        }));
    }
    s.set_evidence_kind(view.evidence_kind.token().into());
    s.set_evidence_kept(view.evidence_kept as i32);
    s.set_can_capture(view.can_capture);
    s.set_exigent(view.exigent == Some(true));
    s.set_exigent_said(view.exigent_said.as_str().into());
    s.set_verdict(view.verdict.as_ref().map_or("", |v| v.1.as_str()).into());
    s.set_verdict_state(view.verdict.as_ref().map_or("", |v| v.0.token()).into());
    renew(s.get_say(), texts(&view.card.0), |m| s.set_say(m));
    renew(s.get_avoid(), texts(&view.card.1), |m| s.set_avoid(m));
    s.set_confirm_close(view.confirm_close);
    renew(s.get_counsel_names(), texts(&view.counsel_names), |m| {
        s.set_counsel_names(m)
    });
    s.set_relay_from(view.relay_from.map_or(-1, |i| i as i32));
    s.set_unanswered(view.unanswered.map_or("", |u| u.token()).into());
    s.set_counsel_number(view.counsel_number.as_str().into());
    renew(s.get_outcomes(), texts(&view.outcomes), |m| {
        s.set_outcomes(m)
    });
    renew(
        s.get_outcome_kinds(),
        view.outcome_kinds
            .iter()
            .map(|k| SharedString::from(*k))
            .collect(),
        |m| s.set_outcome_kinds(m),
    );
    s.set_decided_basis(view.decided_basis.as_str().into());
    let half = balanced_split(
        &view
            .outcomes
            .iter()
            .map(|o| CARD_WEIGHT + 2 * o.chars().count())
            .collect::<Vec<_>>(),
    ) as i32;
    let all = view.outcomes.len() as i32;
    renew(s.get_outcomes_left(), (0..half).collect(), |m| {
        s.set_outcomes_left(m)
    });
    renew(s.get_outcomes_right(), (half..all).collect(), |m| {
        s.set_outcomes_right(m)
    });
    s.set_outcome(view.outcome.map_or(-1, |i| i as i32));
    s.set_decided(view.decided.as_str().into());
    renew(s.get_instructions(), texts(&view.instructions), |m| {
        s.set_instructions(m)
    });
    renew(s.get_notes(), texts(&view.notes), |m| s.set_notes(m));
}

/// Send every callback of every adapter to `send` as an [`Action`].
pub fn connect(ui: &Kiosk, send: Rc<dyn Fn(Action)>) {
    let on = |a: Action| {
        let send = send.clone();
        move || send(a.clone())
    };
    let idle = ui.global::<IdleAdapter>();
    idle.on_begin(on(Action::Begin));
    idle.on_toggle_rotation(on(Action::ToggleRotation));
    idle.on_choose_language({
        let send = send.clone();
        move |i| send(Action::ChooseLanguage(i.max(0) as usize))
    });
    ui.global::<StartAdapter>().on_choose({
        let send = send.clone();
        move |i| {
            send(Action::Start(match i {
                0 => StartChoice::Visitor,
                1 => StartChoice::Official,
                _ => StartChoice::Resources,
            }))
        }
    });
    let k = ui.global::<KioskAdapter>();
    k.on_back(on(Action::Back));
    k.on_home(on(Action::Home));
    k.on_toggle_large_text(on(Action::ToggleLargeText));
    k.on_toggle_high_contrast(on(Action::ToggleHighContrast));
    k.on_open_staff(on(Action::OpenStaff));
    k.on_print(on(Action::Print));
    k.on_still_here(on(Action::StillHere));
    k.on_listen(on(Action::Listen));
    ui.global::<FormAdapter>().on_focus({
        let send = send.clone();
        move |i| {
            if let Some(f) = Field::ALL.get(i.max(0) as usize) {
                send(Action::Focus(*f));
            }
        }
    });
    let kb = ui.global::<KeyboardAdapter>();
    kb.on_key({
        let send = send.clone();
        move |k| send(Action::Key(k.to_string()))
    });
    kb.on_backspace(on(Action::Backspace));
    kb.on_accent({
        let send = send.clone();
        move |i| send(Action::Accent(i.max(0) as usize))
    });
    kb.on_done(on(Action::Blur));
    let v = ui.global::<VisitorAdapter>();
    v.on_pick_purpose({
        let send = send.clone();
        move |i| send(Action::PickPurpose(i.max(0) as usize))
    });
    v.on_confirm(on(Action::VisitorConfirm));
    let o = ui.global::<OfficialAdapter>();
    o.on_next(on(Action::OfficialNext));
    o.on_add_officer(on(Action::AddOfficer));
    o.on_remove_officer({
        let send = send.clone();
        move |i| send(Action::RemoveOfficer(i.max(0) as usize))
    });
    o.on_set_exigent({
        let send = send.clone();
        move |b| send(Action::SetExigent(b))
    });
    o.on_pick_document({
        let send = send.clone();
        move |i| send(Action::PickDocument(i.max(0) as usize))
    });
    o.on_capture(on(Action::Capture));
    o.on_keep(on(Action::KeepPage));
    o.on_retake(on(Action::Retake));
    o.on_submit(on(Action::Submit));
    let s = ui.global::<StaffAdapter>();
    s.on_pin_digit({
        let send = send.clone();
        move |d| send(Action::PinDigit(d.clamp(0, 9) as u8))
    });
    s.on_pin_back(on(Action::PinBack));
    s.on_pin_enter(on(Action::PinEnter));
    s.on_officials_at_desk(on(Action::OfficialsAtDesk));
    s.on_toggle_drill(on(Action::ToggleDrill));
    s.on_practice_official(on(Action::PracticeOfficial));
    s.on_open_encounter({
        let send = send.clone();
        move |id| send(Action::StaffOpen(id.to_string()))
    });
    s.on_acknowledge(on(Action::StaffAcknowledge));
    s.on_answer({
        let send = send.clone();
        move |item, answer| {
            let answer = match answer.as_str() {
                "yes" => ChecklistAnswer::Yes,
                "no" => ChecklistAnswer::No,
                _ => ChecklistAnswer::Unclear,
            };
            send(Action::StaffChecklist(item.to_string(), answer))
        }
    });
    s.on_decide_screen(on(Action::StaffDecideScreen));
    s.on_notes_screen(on(Action::StaffNotesScreen));
    s.on_pick_outcome({
        let send = send.clone();
        move |i| send(Action::PickOutcome(i.max(0) as usize))
    });
    s.on_decide(on(Action::StaffDecide));
    s.on_save_instruction(on(Action::StaffSaveInstruction));
    s.on_add_note(on(Action::StaffAddNote));
    s.on_close(on(Action::StaffClose));
    s.on_pick_relay_from({
        let send = send.clone();
        move |i| send(Action::PickRelayFrom(i.max(0) as usize))
    });
    s.on_close_confirmed(on(Action::StaffCloseConfirmed));
    s.on_keep_open(on(Action::StaffKeepOpen));
    s.on_lock(on(Action::StaffLock));
    s.on_photo({
        let send = send.clone();
        move |kind| {
            if let Ok(kind) = kind.parse() {
                send(Action::StaffPhoto(kind))
            }
        }
    });
    s.on_show_page({
        let send = send.clone();
        move |n| send(Action::ShowPage(u32::try_from(n).ok()))
    });
    s.on_hide_page(on(Action::ShowPage(None)));
}

/// A card's own height (title line, padding, spacing) counted in
/// characters of description text.
const CARD_WEIGHT: usize = 120;

/// Where to split cards of these weights into a left and a right column so
/// the taller column is as short as it can be (text length stands in for
/// height: both columns are the same width).
fn balanced_split(weights: &[usize]) -> usize {
    let total: usize = weights.iter().sum();
    let mut left = 0;
    let mut best = (usize::MAX, weights.len().div_ceil(2));
    for (i, w) in weights.iter().enumerate() {
        let taller = left.max(total - left);
        if taller < best.0 {
            best = (taller, i);
        }
        left += w;
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::balanced_split;

    #[test]
    fn columns_split_where_the_taller_one_is_shortest() {
        assert_eq!(balanced_split(&[1, 1, 1, 1]), 2);
        assert_eq!(balanced_split(&[5, 5, 5, 1, 1, 1, 1]), 2);
        assert_eq!(balanced_split(&[1, 1, 1, 9]), 3);
        assert_eq!(balanced_split(&[]), 0);
    }
}
