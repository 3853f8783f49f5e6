//! AT commands for GSM modems (3GPP TS 27.005 text mode), built and parsed
//! byte for byte: no I/O here.

/// Ends a message body after the `> ` prompt.
pub const CTRL_Z: u8 = 0x1A;

/// Characters that the GSM 7-bit default alphabet has without escapes (a
/// conservative subset: ASCII letters, digits and common punctuation).
fn gsm_basic(c: char) -> bool {
    c.is_ascii_alphanumeric() || " !\"#$%&'()*+,-./:;<=>?@_\n\r".contains(c)
}

/// Whether `text` can go as one plain GSM text message.
pub fn fits_gsm(text: &str) -> bool {
    text.chars().all(gsm_basic) && text.chars().count() <= 160
}

/// UTF-16BE as upper-case hex, as modems take UCS2 in text mode.
pub fn ucs2_hex(s: &str) -> String {
    s.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

/// Decode UCS2 hex; `None` when it is not.
pub fn ucs2_decode(hex: &str) -> Option<String> {
    if hex.len() % 4 != 0 || hex.is_empty() {
        return None;
    }
    let units: Option<Vec<u16>> = (0..hex.len())
        .step_by(4)
        .map(|i| u16::from_str_radix(hex.get(i..i + 4)?, 16).ok())
        .collect();
    String::from_utf16(&units?).ok()
}

/// UTF-16 code units per part of a concatenated UCS2 message (70 less the
/// 6-byte user-data header).
pub const UCS2_PART: usize = 67;

/// One message to submit: the `AT+CMGS` command and the body that follows
/// the prompt, each exactly as written to the port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The `AT+CSCS` and `AT+CSMP` commands to set first.
    pub setup: Vec<Vec<u8>>,
    pub parts: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Plan the submission of `text` to `to`: plain GSM when it fits, UCS2
/// otherwise, split into concatenated parts (with user-data headers under
/// `reference`) beyond one message.
pub fn submission(to: &str, text: &str, reference: u8) -> Submission {
    if fits_gsm(text) {
        let mut body = text.as_bytes().to_vec();
        body.push(CTRL_Z);
        return Submission {
            setup: vec![command("AT+CSCS=\"GSM\""), command("AT+CSMP=17,167,0,0")],
            parts: vec![(command(&format!("AT+CMGS=\"{to}\"")), body)],
        };
    }
    let to_hex = ucs2_hex(to);
    let units: Vec<u16> = text.encode_utf16().collect();
    let cmgs = command(&format!("AT+CMGS=\"{to_hex}\""));
    if units.len() <= 70 {
        let mut body = ucs2_hex(text).into_bytes();
        body.push(CTRL_Z);
        return Submission {
            setup: vec![command("AT+CSCS=\"UCS2\""), command("AT+CSMP=17,167,0,8")],
            parts: vec![(cmgs, body)],
        };
    }
    // Split on characters, never inside a surrogate pair.
    let mut chunks: Vec<String> = vec![String::new()];
    for c in text.chars() {
        let last = chunks.last_mut().expect("never empty");
        if last.encode_utf16().count() + c.len_utf16() > UCS2_PART {
            chunks.push(String::new());
        }
        chunks.last_mut().expect("never empty").push(c);
    }
    let total = chunks.len().min(255) as u8;
    let parts = chunks
        .iter()
        .take(255)
        .enumerate()
        .map(|(i, chunk)| {
            let mut body = format!(
                "050003{reference:02X}{total:02X}{:02X}{}",
                i + 1,
                ucs2_hex(chunk)
            )
            .into_bytes();
            body.push(CTRL_Z);
            (cmgs.clone(), body)
        })
        .collect();
    Submission {
        // First octet 81 = 17 with the user-data-header indicator set.
        setup: vec![command("AT+CSCS=\"UCS2\""), command("AT+CSMP=81,167,0,8")],
        parts,
    }
}

/// `body` as a command line.
pub fn command(body: &str) -> Vec<u8> {
    format!("{body}\r").into_bytes()
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Final {
    Ok,
    Error,
    Cme(u16),
    Cms(u16),
}

/// The final result code on `line`, if it is one.
pub fn final_result(line: &str) -> Option<Final> {
    let code = |prefix: &str| {
        line.strip_prefix(prefix)
            .and_then(|c| c.trim().parse::<u16>().ok())
    };
    match line {
        "OK" => Some(Final::Ok),
        "ERROR" => Some(Final::Error),
        _ => code("+CME ERROR:")
            .map(Final::Cme)
            .or_else(|| code("+CMS ERROR:").map(Final::Cms)),
    }
}

/// Unsolicited result codes a modem may print at any time.
pub fn is_unsolicited(line: &str) -> bool {
    [
        "+CMTI:",
        "+CMT:",
        "+CDSI:",
        "+CDS:",
        "+CREG:",
        "+CGREG:",
        "+CEREG:",
        "RING",
        "+CLIP:",
        "NO CARRIER",
        "+CUSD:",
        "^",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

/// What `+CMS ERROR: code` means, for the journal and the installer.
pub fn cms_meaning(code: u16) -> &'static str {
    match code {
        38 => "network out of order",
        41 => "temporary network failure",
        42 => "network congestion",
        47 => "resources unavailable",
        300 => "modem failure",
        302 => "operation not allowed",
        304 | 305 => "invalid parameter",
        310 => "no SIM card",
        311 => "SIM PIN required",
        313 => "SIM failure",
        322 => "SIM memory full",
        330 => "message centre (SMSC) address unknown",
        331 => "no network service",
        332 => "network timeout",
        _ => "error",
    }
}

/// Whether trying again later may succeed after `+CMS ERROR: code`.
pub fn cms_transient(code: u16) -> bool {
    matches!(code, 38 | 41 | 42 | 47 | 300 | 331 | 332 | 500)
}

/// A message stored on the SIM, from `AT+CMGL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub index: u32,
    pub from: String,
    pub text: String,
}

/// Parse the lines of an `AT+CMGL` response (text mode): a header
/// `+CMGL: index,"stat","from",...` then the text. UCS2 hex text is decoded.
pub fn parse_cmgl(lines: &[String]) -> Vec<Stored> {
    let mut out: Vec<Stored> = Vec::new();
    for line in lines {
        if let Some(rest) = line.strip_prefix("+CMGL:") {
            let fields: Vec<&str> = rest
                .split(',')
                .map(|f| f.trim().trim_matches('"'))
                .collect();
            let Some(index) = fields.first().and_then(|i| i.parse().ok()) else {
                continue;
            };
            let from = fields
                .get(2)
                .map(|f| {
                    ucs2_decode(f)
                        .filter(|d| d.starts_with('+') || d.chars().all(|c| c.is_ascii_digit()))
                        .unwrap_or_else(|| f.to_string())
                })
                .unwrap_or_default();
            out.push(Stored {
                index,
                from,
                text: String::new(),
            });
        } else if let Some(last) = out.last_mut() {
            if !last.text.is_empty() {
                last.text.push('\n');
            }
            last.text.push_str(line);
        }
    }
    for s in &mut out {
        if let Some(decoded) = ucs2_decode(&s.text).filter(|d| !d.chars().any(char::is_control)) {
            s.text = decoded;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_gsm_message_bytes() {
        let s = submission("+14085550120", "ACK 123456", 7);
        assert_eq!(
            s.setup,
            vec![
                b"AT+CSCS=\"GSM\"\r".to_vec(),
                b"AT+CSMP=17,167,0,0\r".to_vec()
            ]
        );
        assert_eq!(s.parts.len(), 1);
        assert_eq!(s.parts[0].0, b"AT+CMGS=\"+14085550120\"\r".to_vec());
        assert_eq!(s.parts[0].1, b"ACK 123456\x1a".to_vec());
    }

    #[test]
    fn ucs2_message_bytes() {
        let s = submission("+1", "Xin chào", 7);
        assert_eq!(s.setup[1], b"AT+CSMP=17,167,0,8\r".to_vec());
        assert_eq!(s.parts[0].0, b"AT+CMGS=\"002B0031\"\r".to_vec());
        assert_eq!(
            s.parts[0].1,
            b"00580069006E00200063006800E0006F\x1a".to_vec()
        );
        assert_eq!(
            ucs2_decode("00580069006E00200063006800E0006F").unwrap(),
            "Xin chào"
        );
    }

    #[test]
    fn long_messages_are_concatenated_without_splitting_characters() {
        let text: String = "有执法人员在前台。".repeat(10); // 90 characters
        let s = submission("+1", &text, 0x2A);
        assert_eq!(s.setup[1], b"AT+CSMP=81,167,0,8\r".to_vec());
        assert_eq!(s.parts.len(), 2);
        let bodies: Vec<String> = s
            .parts
            .iter()
            .map(|(_, b)| String::from_utf8(b[..b.len() - 1].to_vec()).unwrap())
            .collect();
        assert!(bodies[0].starts_with("0500032A0201"));
        assert!(bodies[1].starts_with("0500032A0202"));
        let joined: String = bodies
            .iter()
            .map(|b| ucs2_decode(&b[12..]).unwrap())
            .collect();
        assert_eq!(joined, text);
        // Characters outside the BMP stay whole.
        let emoji = "😀".repeat(40);
        let s = submission("+1", &emoji, 1);
        let back: String = s
            .parts
            .iter()
            .map(|(_, b)| ucs2_decode(std::str::from_utf8(&b[12..b.len() - 1]).unwrap()).unwrap())
            .collect();
        assert_eq!(back, emoji);
    }

    #[test]
    fn results_and_unsolicited_codes() {
        assert_eq!(final_result("OK"), Some(Final::Ok));
        assert_eq!(final_result("+CMS ERROR: 330"), Some(Final::Cms(330)));
        assert_eq!(final_result("+CME ERROR: 16"), Some(Final::Cme(16)));
        assert_eq!(final_result("+CMGS: 12"), None);
        assert!(is_unsolicited("+CMTI: \"SM\",3"));
        assert!(!is_unsolicited("+CSQ: 18,99"));
        assert_eq!(cms_meaning(330), "message centre (SMSC) address unknown");
    }

    #[test]
    fn listing_parses_plain_and_ucs2() {
        let lines: Vec<String> = [
            "+CMGL: 1,\"REC UNREAD\",\"+14085550120\",,\"26/11/27,10:00:00-32\"",
            "ACK 123456",
            "+CMGL: 4,\"REC READ\",\"002B0031003400300038\",,\"26/11/27,10:01:00-32\"",
            "00410043004B0020003100320033",
        ]
        .map(String::from)
        .to_vec();
        let got = parse_cmgl(&lines);
        assert_eq!(
            got[0],
            Stored {
                index: 1,
                from: "+14085550120".into(),
                text: "ACK 123456".into()
            }
        );
        assert_eq!(
            got[1],
            Stored {
                index: 4,
                from: "+1408".into(),
                text: "ACK 123".into()
            }
        );
    }
}
