//! Chain heads copied off the box. Every page sent to counsel, every report
//! and every receipt carries the journal's seq and the start of its hash
//! (`1234:9f86d081884c7d65`); `threshold log verify --against 1234:9f86…`
//! then shows whether today's record still extends that head. Someone with
//! the kiosk's files can rewrite the journal and recompute every hash, but
//! not the copies already in counsel's inbox.

use std::fmt;
use std::str::FromStr;

/// Hex digits of the hash a page or receipt carries: 64 bits, far more
/// than anyone can match by rewriting the record to order.
pub const SHORT: usize = 16;

/// A journal entry's seq and (the start of) its SHA-256, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl Anchor {
    /// The anchor a page or receipt prints for entry `seq` with `hash`.
    pub fn short(seq: i64, hash: &[u8]) -> Anchor {
        let mut hex = hex::encode(hash);
        hex.truncate(SHORT);
        Anchor { seq, hash: hex }
    }

    /// Whether the full `hash` of entry `seq` is the one this anchor names.
    pub fn matches(&self, hash: &[u8]) -> bool {
        hex::encode(hash).starts_with(&self.hash)
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl FromStr for Anchor {
    type Err = String;

    fn from_str(s: &str) -> Result<Anchor, String> {
        let bad = || {
            format!("`{s}` is not SEQ:HASH; give the record head as a page or receipt prints it, e.g. 1234:9f86d081884c7d65 (at least {SHORT} hex digits)")
        };
        let (seq, hash) = s.trim().split_once(':').ok_or_else(bad)?;
        let seq: i64 = seq.parse().map_err(|_| bad())?;
        let hash = hash.to_ascii_lowercase();
        let ok = seq > 0
            && (SHORT..=64).contains(&hash.len())
            && hash.chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Err(bad());
        }
        Ok(Anchor { seq, hash })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_print_parse_and_match() {
        let hash = [0x9f, 0x86, 0xd0, 0x81, 0x88, 0x4c, 0x7d, 0x65, 0x9a, 0x2f];
        let a = Anchor::short(1234, &hash);
        assert_eq!(a.to_string(), "1234:9f86d081884c7d65");
        assert_eq!("1234:9F86D081884C7D65".parse::<Anchor>(), Ok(a.clone()));
        assert!(a.matches(&hash));
        assert!(!a.matches(&[0u8; 32]));
        for bad in [
            "1234",
            "x:9f86d081884c7d65",
            "0:9f86d081884c7d65",
            "12:9f86",
            "12:zz86d081884c7d65",
        ] {
            assert!(bad.parse::<Anchor>().is_err(), "{bad}");
        }
    }
}
