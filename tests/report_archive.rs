//! The report is an archival, tagged PDF in every language, checked by
//! tools that are not ours: qpdf (syntax, streams, the catalogue and
//! trailer), poppler's pdffonts (every font embedded with a Unicode map),
//! pdfinfo (tagged, XMP metadata naming PDF/A-2u, the structure tree) and
//! pdftotext (the text in every language, and the structure's reading
//! order matching the pages'). veraPDF cannot be installed here; these are
//! the checks the README's test command can install.

mod common;

use common::{checkin_official, cli, png, stderr};
use std::path::Path;
use std::process::Command;
use threshold::domain::language::Language;

/// `program args...`'s standard output, or `None` when it is not
/// installed (the README's test command installs poppler-utils and qpdf).
fn tool(program: &str, args: &[&str]) -> Option<(bool, String)> {
    let out = Command::new(program).args(args).output().ok()?;
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

/// The texts of the structure tree's elements, in tree order.
fn structure_texts(struct_text: &str) -> Vec<String> {
    struct_text
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            (l.starts_with('"') && l.ends_with('"') && l.len() > 2)
                .then(|| l[1..l.len() - 1].to_string())
        })
        .collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn report(d: &Path, id: &str, lang: Language) -> std::path::PathBuf {
    let out = d.join(format!("report-{}.pdf", lang.code()));
    let o = cli(
        d,
        &[
            "encounter",
            "report",
            id,
            "--out",
            out.to_str().unwrap(),
            "--lang",
            lang.code(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

#[test]
fn every_language_s_report_is_pdfa_2u_tagged_and_reads_in_order() {
    if tool("qpdf", &["--version"]).is_none() || tool("pdfinfo", &["-v"]).is_none() {
        eprintln!(
            "qpdf or poppler-utils is not installed; the README's test command installs them"
        );
        assert!(
            std::env::var("CI").is_err(),
            "CI must have qpdf and poppler-utils"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let page = d.join("p1.png");
    std::fs::write(&page, png(3)).unwrap();
    let id = checkin_official(
        d,
        &[
            "--officer",
            "Trần Bảo;;DHS 国土安全部",
            "--document-kind",
            "judicial-search-warrant",
            "--page",
            page.to_str().unwrap(),
        ],
    );
    for lang in Language::ALL {
        let pdf = report(d, &id, lang);
        let path = pdf.to_str().unwrap();
        // qpdf: well formed, and the catalogue has what PDF/A and Tagged
        // PDF need.
        let (ok, check) = tool("qpdf", &["--check", path]).unwrap();
        assert!(
            ok && check.contains("No syntax or stream encoding errors"),
            "{lang}: {check}"
        );
        let (_, trailer) = tool("qpdf", &["--show-object=trailer", path]).unwrap();
        assert!(
            trailer.contains("/ID [ <"),
            "{lang}: a file identifier: {trailer}"
        );
        let root = trailer
            .split("/Root ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap();
        let (_, catalog) = tool("qpdf", &[&format!("--show-object={root}"), path]).unwrap();
        for part in [
            "/S /GTS_PDFA1",
            "/DestOutputProfile",
            "/MarkInfo << /Marked true >>",
            "/StructTreeRoot",
            "/Metadata",
            "/DisplayDocTitle true",
            &format!("/Lang ({})", lang.code()),
        ] {
            assert!(catalog.contains(part), "{lang}: {part} missing: {catalog}");
        }
        // pdffonts: every font embedded, with a Unicode map.
        let (_, fonts) = tool("pdffonts", &[path]).unwrap();
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{lang}: {fonts}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{lang}: {row}");
        }
        // pdfinfo: tagged, with metadata that says PDF/A-2u.
        let (_, info) = tool("pdfinfo", &[path]).unwrap();
        assert!(info.contains("Tagged:          yes"), "{lang}: {info}");
        assert!(info.contains("Metadata Stream: yes"), "{lang}: {info}");
        let (_, meta) = tool("pdfinfo", &["-meta", path]).unwrap();
        assert!(
            meta.contains("<pdfaid:part>2</pdfaid:part>"),
            "{lang}: {meta}"
        );
        assert!(
            meta.contains("<pdfaid:conformance>U</pdfaid:conformance>"),
            "{lang}"
        );
        // The structure: a document whose first element is the title, with
        // headings, and the page image as a figure.
        let (_, tree) = tool("pdfinfo", &["-struct-text", path]).unwrap();
        let mut lines = tree.lines().map(str::trim);
        assert_eq!(lines.next(), Some("Document"), "{lang}: {tree}");
        assert_eq!(lines.next(), Some("H1 (block)"), "{lang}: {tree}");
        assert!(
            tree.contains("H2 (block)") && tree.contains("Figure"),
            "{lang}: {tree}"
        );
        // Reading order: the elements' texts come in the order the pages
        // show them, and the page text is all in the structure but the
        // footers (artifacts).
        let (_, raw) = tool("pdftotext", &["-raw", path, "-"]).unwrap();
        let page_text = squeeze(&raw);
        let mut at = 0;
        let texts = structure_texts(&tree);
        assert!(texts.len() > 20, "{lang}: {tree}");
        for t in &texts {
            let t = squeeze(t);
            match page_text[at..].find(&t) {
                Some(i) => at += i + t.len(),
                None => panic!("{lang}: “{t}” is out of reading order or not on the page"),
            }
        }
        // Every language's own words are extracted as text.
        let title = threshold::app::words::words(lang).report_title;
        assert!(raw.contains(title), "{lang}: {title} not extracted: {raw}");
        assert!(
            raw.contains("Trần Bảo") && raw.contains("国土安全部"),
            "{lang}"
        );
    }
}
