//! Receipts for the kiosk's printer: the visitor pass, the official's
//! receipt and the resources slip, drawn on a 1-bit sheet as wide as the
//! paper (384 dots on 58 mm paper, 576 on 80 mm).

use super::text::{self, draw, line_height, wrap};
use super::{word, Bitmap, Face, TextStyle, Word};
use crate::domain::language::Language;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Line, PrimitiveStyle};

/// Paper widths in dots (203 dpi thermal heads).
pub const WIDTH_58MM: u32 = 384;
pub const WIDTH_80MM: u32 = 576;

/// One resource on the slip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlipResource {
    pub name: String,
    pub description: String,
    pub phone: Option<String>,
    /// What the QR code holds (a web address or `tel:`).
    pub qr: Option<String>,
}

/// What to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    VisitorPass {
        facility: String,
        purpose: String,
        name: Option<String>,
        /// Local date and time, e.g. `2026-11-27 10:02`.
        at: String,
        reference: String,
        /// The record's head when printed (`SEQ:HASH`): a copy off the box.
        record: Option<String>,
        lang: Language,
    },
    /// What the official leaves with: what was recorded of their visit,
    /// in English and, when they chose another, in their language too.
    OfficialReceipt(Box<OfficialReceipt>),
    ResourcesSlip {
        facility: String,
        resources: Vec<SlipResource>,
        lang: Language,
    },
}

/// Words in English and, when the reader chose another language, in theirs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Both {
    pub english: String,
    /// None when the reader chose English, or the words are the same.
    pub chosen: Option<String>,
}

impl Both {
    /// `english`, and `chosen` when it says something else.
    pub fn new(english: &str, chosen: &str) -> Both {
        Both {
            english: english.to_string(),
            chosen: (chosen != english).then(|| chosen.to_string()),
        }
    }
}

/// The official's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialReceipt {
    pub facility: String,
    pub reference: String,
    pub at: String,
    /// Each officer as given: name and badge or card number.
    pub officers: Vec<String>,
    pub agency: String,
    /// The kind of document they chose, as the profile names it.
    pub document: Both,
    /// Pages of the document photographed.
    pub pages: u32,
    /// The person, records or area they said they seek, in their words.
    pub seeking: Option<String>,
    /// The profile's receipt sentence.
    pub sentence: Both,
    /// The record's head when printed (`SEQ:HASH`).
    pub record: Option<String>,
    pub lang: Language,
}

const MARGIN: f32 = 8.0;

/// Lays out lines top to bottom on a tall sheet.
struct Sheet {
    bitmap: Bitmap,
    y: f32,
}

impl Sheet {
    fn new(width: u32) -> Sheet {
        Sheet {
            bitmap: Bitmap::new(width, 6000),
            y: MARGIN,
        }
    }

    fn room(&self) -> f32 {
        self.bitmap.width() as f32 - 2.0 * MARGIN
    }

    fn text(&mut self, style: TextStyle, s: &str) {
        for line in wrap(style, s, self.room()) {
            draw(&mut self.bitmap, style, &line, MARGIN, self.y);
            self.y += line_height(style) as f32;
        }
    }

    fn centered(&mut self, style: TextStyle, s: &str) {
        for line in wrap(style, s, self.room()) {
            let w = text::width(style, &line);
            let x = ((self.bitmap.width() as f32 - w) / 2.0).max(MARGIN);
            draw(&mut self.bitmap, style, &line, x, self.y);
            self.y += line_height(style) as f32;
        }
    }

    /// A small label with its value under it.
    fn field(&mut self, label: &str, value: &str) {
        self.text(SMALL, label);
        self.text(BODY_BOLD, value);
        self.y += 4.0;
    }

    /// A field labelled in English and in `lang` ("Agency / Agencia").
    fn field_in(&mut self, w: Word, lang: Language, value: &str) {
        let label = both_words(w, lang);
        self.field(&label, value);
    }

    fn rule(&mut self) {
        self.y += 6.0;
        let y = self.y as i32;
        let w = self.bitmap.width() as i32;
        Line::new(
            Point::new(MARGIN as i32, y),
            Point::new(w - MARGIN as i32, y),
        )
        .into_styled(PrimitiveStyle::with_stroke(BinaryColor::On, 2))
        .draw(&mut self.bitmap)
        .expect("drawing into a bitmap cannot fail");
        self.y += 10.0;
    }

    fn qr(&mut self, data: &str) {
        let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else {
            return;
        };
        let n = code.width();
        let colors = code.to_colors();
        let scale = ((self.room() * 0.5) as usize / (n + 8)).clamp(2, 6);
        let side = (n + 8) * scale;
        let x0 = (self.bitmap.width() as usize - side) / 2;
        let y0 = self.y as usize;
        for my in 0..n {
            for mx in 0..n {
                if colors[my * n + mx] == qrcode::Color::Dark {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            self.bitmap.set(
                                (x0 + (mx + 4) * scale + dx) as u32,
                                (y0 + (my + 4) * scale + dy) as u32,
                                true,
                            );
                        }
                    }
                }
            }
        }
        self.y += side as f32;
    }

    fn finish(mut self) -> Bitmap {
        let used = (self.y + MARGIN * 3.0).ceil() as u32;
        self.bitmap.truncate(used);
        self.bitmap
    }
}

const TITLE: TextStyle = TextStyle {
    face: Face::Bold,
    size: 34.0,
};
const BODY: TextStyle = TextStyle {
    face: Face::Regular,
    size: 24.0,
};
const BODY_BOLD: TextStyle = TextStyle {
    face: Face::Bold,
    size: 26.0,
};
const SMALL: TextStyle = TextStyle {
    face: Face::Regular,
    size: 20.0,
};

/// `w` in English, then in `lang` when that is another language.
fn both_words(w: Word, lang: Language) -> String {
    let en = word(w, Language::English);
    let chosen = word(w, lang);
    if chosen == en {
        en.to_string()
    } else {
        format!("{en} / {chosen}")
    }
}

/// Draw `receipt` for paper `width` dots wide.
pub fn render(receipt: &Receipt, width: u32) -> Bitmap {
    let mut s = Sheet::new(width);
    match receipt {
        Receipt::VisitorPass {
            facility,
            purpose,
            name,
            at,
            reference,
            record,
            lang,
        } => {
            s.centered(SMALL, facility);
            s.rule();
            s.centered(TITLE, word(Word::VisitorPass, *lang));
            s.y += 8.0;
            if let Some(name) = name {
                s.centered(TITLE, name);
                s.y += 8.0;
            }
            s.field(word(Word::Purpose, *lang), purpose);
            s.field(word(Word::Time, *lang), at);
            s.field(word(Word::Reference, *lang), reference);
            if let Some(record) = record {
                s.field(word(Word::Record, *lang), record);
            }
        }
        Receipt::OfficialReceipt(r) => {
            let lang = r.lang;
            s.centered(SMALL, &r.facility);
            s.rule();
            s.centered(TITLE, word(Word::OfficialReceipt, Language::English));
            if lang != Language::English {
                s.centered(BODY_BOLD, word(Word::OfficialReceipt, lang));
            }
            s.y += 8.0;
            s.field_in(Word::Reference, lang, &r.reference);
            s.field_in(Word::Time, lang, &r.at);
            if !r.agency.is_empty() {
                s.field_in(Word::Agency, lang, &r.agency);
            }
            if !r.officers.is_empty() {
                s.text(SMALL, &both_words(Word::Officers, lang));
                for officer in &r.officers {
                    s.text(BODY_BOLD, officer);
                }
                s.y += 4.0;
            }
            s.text(SMALL, &both_words(Word::Document, lang));
            s.text(BODY_BOLD, &r.document.english);
            if let Some(chosen) = &r.document.chosen {
                s.text(BODY, chosen);
            }
            s.y += 4.0;
            s.field_in(Word::PagesPhotographed, lang, &r.pages.to_string());
            if let Some(seeking) = &r.seeking {
                s.field_in(Word::Seeking, lang, seeking);
            }
            if let Some(record) = &r.record {
                s.field_in(Word::Record, lang, record);
            }
            s.rule();
            s.text(BODY, &r.sentence.english);
            if let Some(chosen) = &r.sentence.chosen {
                s.y += 8.0;
                s.text(BODY, chosen);
            }
        }
        Receipt::ResourcesSlip {
            facility,
            resources,
            lang,
        } => {
            s.centered(SMALL, facility);
            s.rule();
            s.centered(TITLE, word(Word::KnowYourRights, *lang));
            s.text(SMALL, word(Word::ScanHint, *lang));
            for r in resources {
                s.rule();
                s.text(BODY_BOLD, &r.name);
                s.text(SMALL, &r.description);
                if let Some(phone) = &r.phone {
                    s.text(BODY_BOLD, phone);
                }
                if let Some(qr) = &r.qr {
                    s.y += 6.0;
                    s.qr(qr);
                }
            }
        }
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_fit_their_paper_and_end_where_their_content_ends() {
        let pass = Receipt::VisitorPass {
            facility: "Dr. Roberto Cruz Alum Rock Branch Library".into(),
            purpose: "Một chương trình hoặc lớp học".into(),
            name: Some("Mai".into()),
            at: "2026-11-27 10:02".into(),
            reference: "V-1KQ7M2BXYZ".into(),
            record: Some("48213:9f86d081884c7d65".into()),
            lang: Language::Vietnamese,
        };
        for width in [WIDTH_58MM, WIDTH_80MM] {
            let b = render(&pass, width);
            assert_eq!(b.width(), width);
            assert!(b.height() > 200 && b.height() < 1000, "{}", b.height());
            // Nothing drawn in the right margin.
            for y in 0..b.height() {
                for x in width - 4..width {
                    assert!(!b.get(x, y), "ink at {x},{y}");
                }
            }
        }
    }
}
