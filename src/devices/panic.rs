//! The panic button: a microcontroller on a serial line reports presses as
//! lines. Protocol (9600 baud, LF-terminated ASCII lines):
//!
//! - `HELLO <firmware>` when it starts,
//! - `PRESS <n>` for each press, `n` counting up from 1 since power-on (a
//!   repeated `n` is the same press sent again and is ignored),
//! - `ALIVE` every 5 s, so a cut cable is noticed.

/// What the button said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PanicLine {
    Hello(String),
    Press(Option<u32>),
    Alive,
}

/// Read one line; `None` for anything else (logged by the caller).
pub fn parse(line: &str) -> Option<PanicLine> {
    let mut parts = line.trim().splitn(2, ' ');
    match (parts.next()?, parts.next()) {
        ("PRESS", None) => Some(PanicLine::Press(None)),
        ("PRESS", Some(n)) => n.trim().parse().ok().map(|n| PanicLine::Press(Some(n))),
        ("ALIVE", None) => Some(PanicLine::Alive),
        ("HELLO", Some(fw)) => Some(PanicLine::Hello(fw.chars().take(40).collect())),
        _ => None,
    }
}

/// Presses not yet seen: filters repeats of the same numbered press.
#[derive(Debug, Default)]
pub struct Presses {
    last: Option<u32>,
}

impl Presses {
    /// Whether this press is new.
    pub fn is_new(&mut self, n: Option<u32>) -> bool {
        match n {
            None => true,
            Some(n) if self.last == Some(n) => false,
            Some(n) => {
                self.last = Some(n);
                true
            }
        }
    }

    /// The button restarted: its count starts again.
    pub fn restarted(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_and_repeats_are_ignored() {
        assert_eq!(parse("PRESS 3"), Some(PanicLine::Press(Some(3))));
        assert_eq!(parse("PRESS"), Some(PanicLine::Press(None)));
        assert_eq!(parse("ALIVE"), Some(PanicLine::Alive));
        assert_eq!(
            parse("HELLO pb-1.2"),
            Some(PanicLine::Hello("pb-1.2".into()))
        );
        for junk in ["", "PRESS x", "PRESSED", "ALIVE now", "press 1", "HELLO"] {
            assert_eq!(parse(junk), None, "{junk:?}");
        }
        let mut p = Presses::default();
        assert!(p.is_new(Some(1)));
        assert!(!p.is_new(Some(1)));
        assert!(p.is_new(Some(2)));
        p.restarted();
        assert!(p.is_new(Some(1)));
        assert!(p.is_new(None) && p.is_new(None));
    }

    #[test]
    fn random_lines_never_panic() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..5000 {
            let line: String = (0..(seed % 40) as usize)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let alphabet = b" PRESSALIVEHELO0123456789x\t";
                    char::from(alphabet[(seed % alphabet.len() as u64) as usize])
                })
                .collect();
            if let Some(PanicLine::Hello(fw)) = parse(&line) {
                assert!(fw.chars().count() <= 40);
            }
        }
    }
}
