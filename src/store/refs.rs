//! Finding the vault and page references in a journal body.
//!
//! Bodies are written only by `serde_json` in compact form, where a vault
//! reference is exactly `{"vault":<id>,"commit":"<hex>"}` and a page reference
//! starts `{"page":"<id>","sha256":"<hex>"`. Inside a JSON string every `"`
//! is escaped, so these patterns cannot occur in text a person typed. A scan
//! is several times faster than building a JSON tree, which matters when
//! `log verify` walks a million entries. A body whose hash does not verify is
//! reported as altered before its references are trusted.

/// The references one body holds, borrowed from it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Refs<'a> {
    /// (vault id, commitment as hex)
    pub vault: Vec<(i64, &'a str)>,
    /// (page id, SHA-256 of the image as hex)
    pub pages: Vec<(&'a str, &'a str)>,
}

const VAULT: &str = "{\"vault\":";
const COMMIT: &str = ",\"commit\":\"";
const PAGE: &str = "{\"page\":\"";
const SHA: &str = "\",\"sha256\":\"";

/// Scan `body` for references.
pub fn scan(body: &str) -> Refs<'_> {
    let mut refs = Refs::default();
    let mut rest = body;
    while let Some(i) = rest.find(VAULT) {
        rest = &rest[i + VAULT.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(id) = rest[..digits].parse::<i64>() else {
            continue;
        };
        let Some(after) = rest[digits..].strip_prefix(COMMIT) else {
            continue;
        };
        let Some(end) = after.find('"') else { continue };
        refs.vault.push((id, &after[..end]));
        rest = &after[end..];
    }
    let mut rest = body;
    while let Some(i) = rest.find(PAGE) {
        rest = &rest[i + PAGE.len()..];
        let Some(end) = rest.find('"') else { break };
        let id = &rest[..end];
        let Some(after) = rest[end..].strip_prefix(SHA) else {
            continue;
        };
        let Some(hash_end) = after.find('"') else {
            continue;
        };
        refs.pages.push((id, &after[..hash_end]));
        rest = &after[hash_end..];
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::events::*;

    #[test]
    fn finds_what_serde_writes() {
        let v = |id: i64| VaultRef {
            vault: id,
            commit: format!("{id:064x}"),
        };
        let body = serde_json::to_string(&Decided {
            outcome: crate::domain::encounter::Outcome::Left,
            basis: crate::domain::encounter::DecisionBasis::NotRequired,
            by: v(7),
            override_reason: None,
            counsel_instruction: Some(v(12)),
            officials_reason: None,
        })
        .unwrap();
        let page = serde_json::to_string(&PageCaptured {
            number: 1,
            page: PageRef {
                page: "ab12".into(),
                sha256: "ff".repeat(32),
                bytes: 10,
                media: "image/png".into(),
            },
            kind: Default::default(),
            by: None,
        })
        .unwrap();
        let r = scan(&body);
        let (c7, c12) = (format!("{:064x}", 7), format!("{:064x}", 12));
        assert_eq!(r.vault, vec![(7, c7.as_str()), (12, c12.as_str())]);
        let ff = "ff".repeat(32);
        assert_eq!(scan(&page).pages, vec![("ab12", ff.as_str())]);
    }

    #[test]
    fn typed_text_cannot_forge_a_reference() {
        // What a person types ends up escaped inside a string.
        let body = serde_json::to_string(&serde_json::json!({
            "note": "{\"vault\":5,\"commit\":\"00\"} {\"page\":\"x\",\"sha256\":\"00\"}"
        }))
        .unwrap();
        assert_eq!(scan(&body), Refs::default());
        assert_eq!(scan("{\"vault\":x"), Refs::default());
        assert_eq!(scan("{\"vault\":12,\"commit\":\"abc"), Refs::default());
    }
}
