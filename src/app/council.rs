//! The report a city answers its council with: the statistics of a
//! period as an archival, tagged PDF in the reader's language. Counts and
//! times only: no name, no document's contents, no words anyone said can
//! reach it, because the statistics hold none ([`crate::domain::stats`]).

use crate::app::city_words::CityWords;
use crate::app::words::words;
use crate::domain::catalogue::fill;
use crate::domain::language::Language;
use crate::domain::policy::PolicyProfile;
use crate::domain::stats::{Durations, Stats};
use crate::render::pdf::{Document, Paper, PdfError};
use crate::render::text::Face;
use std::collections::BTreeMap;

/// What the council report is about.
pub struct CouncilReport<'a> {
    /// The city's name (`[web] name`).
    pub city: &'a str,
    /// `YYYY-MM` to `YYYY-MM`.
    pub from: &'a str,
    pub to: &'a str,
    /// The facilities covered, or none for every facility.
    pub facilities: Option<&'a [String]>,
    /// Who asked for it, and when (local time).
    pub who: &'a str,
    pub made: &'a str,
    pub lang: Language,
    pub profile: &'a PolicyProfile,
}

/// A duration in minutes and seconds, in `lang`.
pub fn duration(secs: Option<i64>, lang: Language) -> String {
    match secs {
        None => "—".into(),
        Some(s) => fill(
            CityWords::get(lang).duration,
            &[("minutes", &(s / 60)), ("seconds", &(s % 60))],
        ),
    }
}

/// A purpose token in `lang` (a built-in purpose's words, else the token).
pub fn purpose_label(token: &str, lang: Language) -> String {
    crate::domain::checkin::builtin_purpose_label(token, lang)
        .map_or_else(|| token.to_string(), str::to_string)
}

/// Visitors summed by purpose.
pub fn visitors_by_purpose(s: &Stats) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for ((_, _, p), n) in &s.visitors {
        *out.entry(p.clone()).or_default() += n;
    }
    out
}

fn times(doc: &mut Document, title: &str, d: &Durations, lang: Language) {
    let cw = CityWords::get(lang);
    doc.heading(title);
    doc.fact(cw.median, &duration(d.median_s, lang));
    doc.fact(cw.p90, &duration(d.p90_s, lang));
    doc.fact(cw.answered, &d.answered.to_string());
    doc.fact(cw.unanswered, &d.unanswered.to_string());
}

/// The council report of `s` as PDF.
pub fn council_pdf(s: &Stats, r: &CouncilReport<'_>) -> Result<Vec<u8>, PdfError> {
    let (w, cw, lang) = (words(r.lang), CityWords::get(r.lang), r.lang);
    let period = format!("{} – {}", r.from, r.to);
    let mut doc = Document::new(&format!("{} · {period}", r.city), Paper::Letter);
    doc.title(cw.council_title, lang.code(), r.made);
    doc.text(Face::Regular, 10.0, 0.0, r.city);
    doc.fact(cw.period, &period);
    doc.fact(
        cw.facilities_covered,
        &r.facilities
            .map_or_else(|| cw.every_facility.to_string(), |f| f.join(", ")),
    );
    doc.fact(w.generated, &format!("{} · {}", r.made, r.who));
    doc.rule();
    doc.text(Face::Regular, 10.0, 0.0, cw.stats_note);
    doc.fact(cw.encounters_total, &s.total().to_string());
    doc.fact(cw.drills_total, &s.drills.values().sum::<u64>().to_string());
    if s.total() == 0 && s.drills.is_empty() && s.visitors.is_empty() {
        doc.text(Face::Bold, 11.0, 0.0, cw.nothing_in_period);
    }
    doc.heading(cw.by_month);
    for (m, n) in s.by(|c| &c.month) {
        doc.fact(&m, &n.to_string());
    }
    doc.heading(cw.by_facility);
    for (f, n) in s.by(|c| &c.facility) {
        doc.fact(&f, &n.to_string());
    }
    doc.heading(cw.by_document);
    for (d, n) in s.by(|c| &c.document) {
        let label = if d == "-" {
            w.not_recorded.to_string()
        } else {
            r.profile.document_label(Some(&d), lang)
        };
        doc.fact(&label, &n.to_string());
    }
    doc.heading(cw.by_outcome);
    for (o, n) in s.by(|c| &c.outcome) {
        let label = if o == "-" {
            cw.no_outcome.to_string()
        } else {
            r.profile.outcome_label(&o, lang)
        };
        doc.fact(&label, &n.to_string());
    }
    times(&mut doc, cw.time_to_first, &s.first_ack, lang);
    times(&mut doc, cw.time_to_counsel, &s.counsel_ack, lang);
    doc.heading(cw.drills_total);
    for ((m, f), n) in &s.drills {
        doc.fact(&format!("{m} · {f}"), &n.to_string());
    }
    doc.heading(cw.visitors_by_purpose);
    for (p, n) in visitors_by_purpose(s) {
        doc.fact(&purpose_label(&p, lang), &n.to_string());
    }
    doc.heading(cw.how_counted);
    doc.text(Face::Regular, 10.0, 0.0, cw.how_counted_text);
    doc.finish()
}
