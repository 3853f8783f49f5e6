//! A document page as shipped to the hub: the image's bytes, with the
//! facility, the page id and the image's SHA-256 signed by the facility
//! key. The hub takes a page only when the facility's record it already
//! holds has the `encounter.page-captured` entry naming that id and that
//! hash, so the chain vouches for the image as it does for the entry.

use super::verify;

/// The page upload's name, in its signed statement.
pub const PAGE_FORMAT: &str = "threshold-page/1";
/// The largest image taken (the kiosk's own limit is smaller).
pub const MAX_PAGE_BYTES: usize = 24 * 1024 * 1024;

/// The headers a page upload carries beside the image.
pub const FACILITY_HEADER: &str = "x-threshold-facility";
pub const PAGE_HEADER: &str = "x-threshold-page";
pub const SIGNATURE_HEADER: &str = "x-threshold-signature";

/// What the facility's signature covers for page `page` whose image has
/// SHA-256 `sha256` (lower-case hex).
pub fn statement(facility: &str, page: &str, sha256: &str) -> String {
    format!("{PAGE_FORMAT}\nfacility {facility}\npage {page}\nsha256 {sha256}")
}

/// Whether the facility whose key is `public` signed page `page` with
/// image hash `sha256`.
pub fn signed_by(public: &[u8; 32], facility: &str, page: &str, sha256: &str, sig: &str) -> bool {
    verify(public, &statement(facility, page, sha256), sig)
}

/// A page id as the kiosk makes them (32 lower-case hex digits).
pub fn is_page_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The hub's answer to a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum PageAnswer {
    /// Kept, encrypted.
    Stored,
    /// The hub held it already.
    AlreadyStored,
    /// The facility's record, as the hub holds it, purged this page: not
    /// kept.
    Purged,
    /// The hub does not hold the entry that names this page yet: send it
    /// after the batch that carries it.
    NotYet { error: String },
    /// Not taken: not enrolled, not signed, or not the image the entry
    /// names.
    Refused { error: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ids_and_the_statement() {
        assert!(is_page_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_page_id("0123456789ABCDEF0123456789abcdef"));
        assert!(!is_page_id("../../etc/passwd"));
        assert_eq!(
            statement("f", "p", "h"),
            "threshold-page/1\nfacility f\npage p\nsha256 h"
        );
        let a: PageAnswer =
            serde_json::from_str(r#"{"result":"not-yet","error":"later"}"#).unwrap();
        assert_eq!(
            a,
            PageAnswer::NotYet {
                error: "later".into()
            }
        );
    }
}
