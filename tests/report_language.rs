//! A report in Vietnamese is Vietnamese: every label, status and timeline
//! line comes from the catalogue in the reader's language; only names and
//! what people wrote are as recorded. Read from the PDF with `pdftotext`.

mod common;

use common::catalogue::{assert_no_english, words};
use common::{checkin_official, cli, pdf_text, png, stderr};
use std::collections::BTreeSet;
use std::path::Path;
use threshold::domain::catalogue::{parse_po, SOURCES};
use threshold::domain::language::Language;

fn run(d: &Path, args: &[&str]) {
    let o = cli(d, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

#[test]
fn a_vietnamese_report_has_no_english_but_names_and_recorded_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let page = d.join("p1.png");
    std::fs::write(&page, png(1)).unwrap();
    // An encounter with everything a report prints: two officers (one
    // without a badge), pages, an evidence photo, an acknowledgement, an
    // answered and unanswered checklist, an instruction, a note, an
    // outcome, a legal hold and closing.
    let id = checkin_official(
        d,
        &[
            "--officer",
            "Trần Bảo;;DHS",
            "--officer",
            "Lê Vy;4471;DHS",
            "--document-kind",
            "administrative-warrant",
            "--page",
            page.to_str().unwrap(),
        ],
    );
    run(
        d,
        &[
            "encounter",
            "page",
            &id,
            "--page",
            page.to_str().unwrap(),
            "--kind",
            "badge",
            "--by",
            "Dana Whitfield",
        ],
    );
    run(d, &["encounter", "ack", &id, "--by", "Rosa Delgado"]);
    run(
        d,
        &[
            "encounter",
            "checklist",
            &id,
            "--item",
            "signed-by-judge",
            "--answer",
            "no",
            "--by",
            "Dana Whitfield",
        ],
    );
    let recorded = [
        "Keep them in the lobby",
        "Waited calmly near the door",
        "Case 24-118",
    ];
    run(
        d,
        &[
            "encounter",
            "instruct",
            &id,
            "--text",
            recorded[0],
            "--by",
            "Rosa Delgado",
        ],
    );
    run(
        d,
        &[
            "encounter",
            "note",
            &id,
            "--text",
            recorded[1],
            "--by",
            "Dana Whitfield",
        ],
    );
    run(
        d,
        &[
            "encounter",
            "decide",
            &id,
            "--outcome",
            "waited-in-public-area",
            "--by",
            "Dana Whitfield",
        ],
    );
    run(
        d,
        &[
            "hold",
            "place",
            "--encounter",
            &id,
            "--reason",
            recorded[2],
            "--by",
            "Rosa Delgado",
        ],
    );
    run(d, &["encounter", "close", &id, "--by", "Dana Whitfield"]);
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
    for name in [
        "Dana Whitfield",
        "Rosa Delgado",
        "Trần Bảo",
        "Lê Vy",
        "DHS",
        "Roberto Cruz Alum Rock Branch Library (demo)",
    ]
    .iter()
    .chain(&recorded)
    {
        allowed.extend(words(name));
    }
    let (_, vi) = SOURCES
        .iter()
        .find(|(l, _)| *l == Language::Vietnamese)
        .unwrap();
    for e in parse_po(vi).unwrap() {
        // A command to type is not a sentence: its words are allowed below
        // one by one, for the one command the report prints.
        for s in e.msgstr.iter().filter(|s| !s.contains("threshold ")) {
            allowed.extend(words(s));
        }
    }
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
