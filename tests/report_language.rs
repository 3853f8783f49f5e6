//! A report in Vietnamese is Vietnamese: every label, status and timeline
//! line comes from the catalogue in the reader's language; only names and
//! what people wrote are as recorded. Read from the PDF with `pdftotext`.

mod common;

use common::catalogue::{assert_no_english, kept_words, words};
use common::{cli, full_encounter, pdf_text, stderr, NAMES, RECORDED};
use std::collections::BTreeSet;
use std::path::Path;
use threshold::domain::language::Language;

fn run(d: &Path, args: &[&str]) {
    let o = cli(d, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

#[test]
fn a_vietnamese_report_has_no_english_but_names_and_recorded_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = full_encounter(d, true);
    let out = d.join("vi.pdf");
    run(
        d,
        &[
            "encounter",
            "report",
            &id,
            "--out",
            out.to_str().unwrap(),
            "--lang",
            "vi",
        ],
    );
    let Some(text) = pdf_text(&out) else {
        return; // pdftotext is not installed: the README's command installs it.
    };
    // What may be English: names, recorded words, the words the
    // Vietnamese catalogue itself keeps (SHA-256, PDF, Ed25519) and the
    // command the report tells the reader to run.
    let mut allowed = BTreeSet::new();
    for name in NAMES
        .iter()
        .chain(&["Roberto Cruz Alum Rock Branch Library (demo)"])
        .chain(&RECORDED)
    {
        allowed.extend(words(name));
    }
    allowed.extend(kept_words(Language::Vietnamese));
    allowed.extend(words("threshold log verify --against SEQ:HASH"));
    // The signed statement is for machines, byte for byte as signed.
    let statement = [
        "threshold-report/",
        "facility ",
        "encounter ",
        "last-entry ",
        "head ",
        "created ",
    ];
    let text: String = text
        .lines()
        .filter(|l| !statement.iter().any(|s| l.starts_with(s)))
        .collect::<Vec<_>>()
        .join("\n");
    assert_no_english("the Vietnamese report", &text, &allowed);
    // The parts are there, in Vietnamese.
    assert!(
        text.contains("Rosa Delgado (luật sư thành phố) đã xác nhận, từ dòng lệnh"),
        "{text}"
    );
    assert!(
        text.contains("Dana Whitfield đã chụp trang 2: phù hiệu hoặc danh thiếp"),
        "{text}"
    );
}
