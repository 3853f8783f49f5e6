//! The command line speaks the operator's language: with a Vietnamese or
//! Chinese locale, what it prints for people comes from the catalogue;
//! only names, what people wrote, the configuration's own values,
//! identifiers and commands to type stay as they are. `--json` stays the
//! same whatever the locale: scripts read it.

mod common;

use common::catalogue::{assert_no_english, kept_words, words};
use common::{cli_in, full_encounter, stderr, stdout, NAMES, RECORDED};
use std::collections::BTreeSet;
use threshold::domain::language::Language;

/// The words a Vietnamese operator may see in English: names and recorded
/// words, the demo configuration's values, what the Vietnamese catalogue
/// itself keeps, and the commands and flags to type.
fn allowed() -> BTreeSet<String> {
    let mut allowed = BTreeSet::new();
    for s in [
        &NAMES.join(" "),
        &RECORDED.join(" "),
        threshold::config::DEMO_CONFIG,
        threshold::config::DEMO_NAME,
        &threshold::config::Loaded::demo().profile.name,
        "threshold user add NAME role manager log verify against SEQ HASH hold list encounter",
    ] {
        allowed.extend(words(s));
    }
    allowed.extend(kept_words(Language::Vietnamese));
    allowed
}

#[test]
fn a_vietnamese_operator_reads_the_command_line_in_vietnamese() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = full_encounter(d, false);
    let vi = "vi_VN.UTF-8";
    let mut said = String::new();
    for args in [
        vec!["config", "check"],
        vec!["encounter", "show", &id],
        vec!["encounter", "list"],
        vec!["hold", "list"],
        vec!["purge", "--dry-run"],
        vec!["log", "verify"],
        vec!["user", "list"],
        vec![
            "encounter",
            "note",
            &id,
            "--text",
            "Keep them in the lobby",
            "--by",
            "Dana Whitfield",
        ],
    ] {
        let o = cli_in(vi, d, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        said.push_str(&stdout(&o));
        said.push_str(&stderr(&o));
    }
    // A mistake is explained in Vietnamese too.
    for args in [
        &["devices", "test", "toaster"][..],
        &["encounter", "show", "E-NOPE"],
        &["hold", "release", "H-NOPE", "--by", "Rosa"],
    ] {
        let o = cli_in(vi, d, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        said.push_str(&stderr(&o));
    }

    assert_no_english("the Vietnamese command line", &said, &allowed());
    for expected in [
        "cơ sở",
        "Rosa Delgado (luật sư thành phố",
        "Trần Bảo (Số hiệu: không cung cấp",
        "Dòng thời gian: ai làm gì, khi nào",
        "đã kiểm tra: nhật ký",
        "chưa có tài khoản",
        "thiết bị không rõ `toaster`",
        "không có cuộc tiếp xúc `E-NOPE`",
        "không có lệnh lưu giữ pháp lý `H-NOPE`",
        // The demo configuration's warnings, too.
        "không nhắn được cho Dana Whitfield",
        ": đã ghi ghi chú",
        "lỗi: ",
    ] {
        assert!(said.contains(expected), "lacks {expected:?}:\n{said}");
    }
}

#[test]
fn a_chinese_operator_reads_chinese_and_scripts_read_the_same_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = full_encounter(d, false);
    let o = cli_in("zh_CN.UTF-8", d, &["encounter", "show", &id]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = stdout(&o);
    for expected in ["法律顾问", "执法人员", "法律保全", "时间线"] {
        assert!(shown.contains(expected), "lacks {expected}:\n{shown}");
    }
    // Labels line up in one column however wide their characters: the
    // value starts at column 17 whether the label is 时区 or 保留期限.
    let o = cli_in("zh_CN.UTF-8", d, &["config", "check"]);
    let check = stdout(&o);
    let columns = |s: &str| -> usize {
        s.chars()
            .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
            .sum()
    };
    for (label, value) in [("时区", "America/"), ("保留期限", "访客 ")] {
        let line = check
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line:\n{check}"));
        let at = line.find(value).unwrap_or_else(|| panic!("{line}"));
        assert_eq!(columns(&line[..at]), 17, "{line:?}");
    }
    // --json is the same in every locale.
    let json = |locale: &str| stdout(&cli_in(locale, d, &["--json", "hold", "list"]));
    assert_eq!(json("zh_CN.UTF-8"), json("C.UTF-8"));
    assert_eq!(
        stdout(&cli_in("vi_VN.UTF-8", d, &["--json", "encounter", "list"])),
        stdout(&cli_in("C", d, &["--json", "encounter", "list"]))
    );
    // An unknown locale reads English.
    let o = cli_in("fr_FR.UTF-8", d, &["hold", "list"]);
    assert!(stdout(&o).contains("Case 24-118"), "{}", stdout(&o));
    let o = cli_in("fr_FR.UTF-8", d, &["user", "list"]);
    assert!(stdout(&o).starts_with("no accounts"), "{}", stdout(&o));
}
