//! Line framing for the devices that talk in lines (the scanner, the panic
//! button): bytes in, complete lines out. Control bytes, text that is not
//! UTF-8 and over-long lines are refused with a reason, and memory stays
//! bounded whatever arrives.

use crate::config::LineEnd;

/// Why a line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineRefused {
    #[error("a line longer than {0} bytes (the rest up to the next line end was dropped)")]
    TooLong(usize),
    #[error("control byte {0:#04x} in a line")]
    Control(u8),
    #[error("a line that is not UTF-8 text")]
    NotText,
    /// A C1 control character (U+0080 to U+009F; U+009B starts a terminal
    /// escape sequence), which no barcode or button sends.
    #[error("control character U+{0:04X} in a line")]
    ControlCharacter(u32),
}

/// Collects bytes into lines ending with `end`.
#[derive(Debug)]
pub struct LineFramer {
    end: LineEnd,
    max: usize,
    buf: Vec<u8>,
    /// Dropping bytes until the next line end (the line was too long).
    overflow: bool,
    /// The last byte ended a line: a following LF (of a CRLF the scanner
    /// was not set up for) is not a line of its own.
    just_ended: bool,
}

impl LineFramer {
    pub fn new(end: LineEnd, max: usize) -> LineFramer {
        LineFramer {
            end,
            max,
            buf: Vec::with_capacity(max),
            overflow: false,
            just_ended: false,
        }
    }

    /// Feed bytes; returns each complete line (or why it was refused).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<String, LineRefused>> {
        let mut out = Vec::new();
        for &b in bytes {
            let ends = match self.end {
                LineEnd::Cr => b == b'\r',
                LineEnd::Lf | LineEnd::Crlf => b == b'\n',
            };
            if !ends && b == b'\n' && self.just_ended {
                self.just_ended = false;
                continue;
            }
            self.just_ended = ends;
            if ends {
                if self.overflow {
                    self.overflow = false;
                    self.buf.clear();
                    out.push(Err(LineRefused::TooLong(self.max)));
                    continue;
                }
                let mut line = std::mem::take(&mut self.buf);
                if self.end == LineEnd::Crlf && line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.is_empty() {
                    continue;
                }
                out.push(check(line));
                continue;
            }
            if self.overflow {
                continue;
            }
            if self.buf.len() >= self.max {
                self.overflow = true;
                self.buf.clear();
                continue;
            }
            self.buf.push(b);
        }
        out
    }
}

fn check(line: Vec<u8>) -> Result<String, LineRefused> {
    if let Some(&c) = line.iter().find(|b| b.is_ascii_control() && **b != b'\r') {
        return Err(LineRefused::Control(c));
    }
    if line.contains(&b'\r') {
        return Err(LineRefused::Control(b'\r'));
    }
    let text = String::from_utf8(line).map_err(|_| LineRefused::NotText)?;
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(LineRefused::ControlCharacter(c as u32));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_control_characters_are_refused() {
        // Found by the scanner_lines fuzz target: U+0088 inside a line.
        let mut f = LineFramer::new(LineEnd::Lf, 128);
        assert_eq!(
            f.push("B\u{88}P\nok\n\u{9b}31m\n".as_bytes()),
            [
                Err(LineRefused::ControlCharacter(0x88)),
                Ok("ok".into()),
                Err(LineRefused::ControlCharacter(0x9b))
            ]
        );
    }

    #[test]
    fn lines_end_as_configured_and_bad_ones_are_refused() {
        let mut f = LineFramer::new(LineEnd::Cr, 16);
        // A CRLF scanner on a CR setting: the LF is not a line.
        assert_eq!(
            f.push(b"BADGE-1\r\nAPPT:42\r"),
            [Ok("BADGE-1".into()), Ok("APPT:42".into())]
        );
        // Split across reads.
        assert!(f.push(b"BAD").is_empty());
        assert_eq!(f.push(b"GE-2\r"), [Ok("BADGE-2".into())]);
        assert_eq!(f.push(b"A\x07B\r"), [Err(LineRefused::Control(7))]);
        assert_eq!(
            f.push(b"0123456789abcdefXYZ\rok\r"),
            [Err(LineRefused::TooLong(16)), Ok("ok".into())]
        );
        assert_eq!(f.push(b"\xff\xfe\r"), [Err(LineRefused::NotText)]);
        let mut crlf = LineFramer::new(LineEnd::Crlf, 16);
        assert_eq!(
            crlf.push(b"X1\r\nX2\r\n"),
            [Ok("X1".into()), Ok("X2".into())]
        );
        let mut lf = LineFramer::new(LineEnd::Lf, 16);
        assert_eq!(
            lf.push(b"PRESS 3\n\nALIVE\n"),
            [Ok("PRESS 3".into()), Ok("ALIVE".into())]
        );
    }

    #[test]
    fn random_bytes_never_panic_and_memory_stays_bounded() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for end in [LineEnd::Cr, LineEnd::Lf, LineEnd::Crlf] {
            let mut f = LineFramer::new(end, 64);
            for _ in 0..2000 {
                let chunk: Vec<u8> = (0..(seed % 97) as usize)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed as u8
                    })
                    .collect();
                for line in f.push(&chunk).into_iter().flatten() {
                    assert!(line.len() <= 64);
                }
                assert!(f.buf.len() <= 64);
            }
        }
    }
}
