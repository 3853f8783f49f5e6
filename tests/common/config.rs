//! The example configuration, edited one key at a time, for the
//! configuration-error tests.

use threshold::config::Loaded;

pub const EXAMPLE: &str = include_str!("../../deploy/threshold.example.toml");

/// Replace `from` in the example with `to`, load it, and check the error
/// names `key`, the line where `marker` stands, and says `says`.
pub fn expect_error(from: &str, to: &str, key: &str, marker: &str, says: &str) {
    assert!(
        EXAMPLE.contains(from),
        "the example no longer contains {from:?}"
    );
    let text = EXAMPLE.replacen(from, to, 1);
    let err = Loaded::from_text("site.toml", &text, std::path::Path::new("."))
        .err()
        .unwrap_or_else(|| panic!("replacing {from:?} with {to:?} was accepted"))
        .to_string();
    let line = text
        .lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("marker {marker:?} not found"))
        + 1;
    assert!(
        err.starts_with(&format!("site.toml:{line}:")),
        "expected line {line} for {key}: {err}"
    );
    assert!(
        err.contains(&format!("`{key}`")),
        "expected key {key}: {err}"
    );
    assert!(err.contains(says), "expected {says:?}: {err}");
}
