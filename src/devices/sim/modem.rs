//! A GSM modem simulator on a pseudo-terminal pair: it answers AT commands
//! the way a real modem does (echo, SIM PIN, text mode in GSM or UCS2,
//! `+CMS ERROR`, unsolicited result codes, stored messages), so the real
//! driver runs against it.

use crate::devices::modem::at::ucs2_decode;
use serialport::TTYPort;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A message the simulator was given to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    pub to: String,
    pub text: String,
    /// (reference, total, sequence) of a concatenated part.
    pub part: Option<(u8, u8, u8)>,
}

#[derive(Default, Clone)]
pub struct Options {
    pub echo: bool,
    pub pin: Option<String>,
    /// Never answer anything.
    pub silent: bool,
    /// Interleave unsolicited result codes with answers.
    pub noisy: bool,
}

#[derive(Default)]
struct State {
    sent: Vec<SentSms>,
    inbox: Vec<(u32, String, String)>,
    next_index: u32,
    fail_next: Vec<u16>,
    unlocked: bool,
    charset_ucs2: bool,
    udh: bool,
}

pub struct ModemSim {
    pub path: PathBuf,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ModemSim {
    /// Start it (tests: a pty pair is always available there).
    pub fn start(options: Options) -> ModemSim {
        Self::try_start(options).expect("a pty pair for the modem simulator")
    }

    /// Start it, or say why no pseudo-terminal could be made.
    pub fn try_start(options: Options) -> std::io::Result<ModemSim> {
        // The pty (with its slave end, so the master never sees a hang-up
        // while the driver reconnects) lives in the simulator's thread.
        let mut pty = super::Pty::new()?;
        let path = pty.path.clone();
        let state = Arc::new(Mutex::new(State {
            unlocked: options.pin.is_none(),
            next_index: 1,
            ..Default::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || run(&mut pty.master, &options, &st, &sp));
        Ok(ModemSim {
            path,
            state,
            stop,
            thread: Some(thread),
        })
    }

    pub fn sent(&self) -> Vec<SentSms> {
        self.state.lock().unwrap().sent.clone()
    }

    /// The messages as a phone shows them: concatenated parts joined, and a
    /// message whose parts have not all arrived yet not shown at all.
    pub fn messages(&self) -> Vec<SentSms> {
        let mut out: Vec<(SentSms, u8)> = Vec::new();
        for s in self.sent() {
            match (s.part, out.last_mut()) {
                (Some((r, _, seq)), Some((last, seen)))
                    if seq > 1 && last.to == s.to && last.part.map(|p| p.0) == Some(r) =>
                {
                    last.text.push_str(&s.text);
                    *seen += 1;
                }
                _ => out.push((s, 1)),
            }
        }
        out.into_iter()
            .filter(|(m, seen)| m.part.is_none_or(|(_, total, _)| *seen >= total))
            .map(|(m, _)| m)
            .collect()
    }

    /// The next sends fail with these `+CMS ERROR` codes, in order.
    pub fn fail_next(&self, codes: &[u16]) {
        self.state
            .lock()
            .unwrap()
            .fail_next
            .extend_from_slice(codes);
    }

    /// A text message arrives from `from`.
    pub fn receive(&self, from: &str, text: &str) {
        let mut s = self.state.lock().unwrap();
        let i = s.next_index;
        s.next_index += 1;
        s.inbox.push((i, from.to_string(), text.to_string()));
    }

    pub fn inbox_len(&self) -> usize {
        self.state.lock().unwrap().inbox.len()
    }
}

impl Drop for ModemSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(port: &mut TTYPort, o: &Options, state: &Mutex<State>, stop: &AtomicBool) {
    let mut buf: Vec<u8> = Vec::new();
    let mut body_for: Option<String> = None;
    let out = |port: &mut TTYPort, s: &str| {
        let _ = port.write_all(s.as_bytes());
        let _ = port.flush();
    };
    while !stop.load(Ordering::SeqCst) {
        let mut chunk = [0u8; 1024];
        match port.read(&mut chunk) {
            Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
        }
        if o.silent {
            buf.clear();
            continue;
        }
        loop {
            if let Some(to) = body_for.clone() {
                let Some(end) = buf.iter().position(|b| *b == 0x1A) else {
                    break;
                };
                let body: Vec<u8> = buf.drain(..=end).collect();
                let body = String::from_utf8_lossy(&body[..body.len() - 1]).into_owned();
                body_for = None;
                let mut s = state.lock().unwrap();
                if !s.fail_next.is_empty() {
                    let code = s.fail_next.remove(0);
                    out(port, &format!("\r\n+CMS ERROR: {code}\r\n"));
                    continue;
                }
                let (text, part) = if s.charset_ucs2 {
                    if s.udh {
                        let h = |i: usize| u8::from_str_radix(&body[i..i + 2], 16).unwrap();
                        (
                            ucs2_decode(&body[12..]).unwrap_or_default(),
                            Some((h(6), h(8), h(10))),
                        )
                    } else {
                        (ucs2_decode(&body).unwrap_or_default(), None)
                    }
                } else {
                    (body, None)
                };
                let to = if s.charset_ucs2 {
                    ucs2_decode(&to).unwrap_or(to)
                } else {
                    to
                };
                tracing::info!(to = %to, text = %text, "simulated modem: text message sent");
                s.sent.push(SentSms { to, text, part });
                let mr = s.sent.len();
                drop(s);
                if o.noisy {
                    out(port, "\r\n+CREG: 1\r\n");
                }
                out(port, &format!("\r\n+CMGS: {mr}\r\n\r\nOK\r\n"));
                continue;
            }
            let Some(end) = buf.iter().position(|b| *b == b'\r') else {
                break;
            };
            let line: Vec<u8> = buf.drain(..=end).collect();
            let cmd = String::from_utf8_lossy(&line[..line.len() - 1])
                .trim()
                .to_string();
            if cmd.is_empty() {
                continue;
            }
            if o.echo {
                out(port, &format!("{cmd}\r"));
            }
            if o.noisy {
                out(port, "\r\n+CMTI: \"SM\",9\r\n");
            }
            let mut s = state.lock().unwrap();
            let reply = match cmd.as_str() {
                "AT" | "ATE0" | "ATE1" | "AT+CMEE=1" | "AT+CMGF=1" => "OK".to_string(),
                "AT+CPIN?" if s.unlocked => "+CPIN: READY\r\n\r\nOK".into(),
                "AT+CPIN?" => "+CPIN: SIM PIN\r\n\r\nOK".into(),
                "AT+CSQ" => "+CSQ: 18,99\r\n\r\nOK".into(),
                "AT+CSCS=\"GSM\"" => {
                    s.charset_ucs2 = false;
                    "OK".into()
                }
                "AT+CSCS=\"UCS2\"" => {
                    s.charset_ucs2 = true;
                    "OK".into()
                }
                c if c.starts_with("AT+CSMP=") => {
                    s.udh = c.starts_with("AT+CSMP=81");
                    "OK".into()
                }
                c if c.starts_with("AT+CPIN=\"") => {
                    let given = c.trim_start_matches("AT+CPIN=\"").trim_end_matches('"');
                    if Some(given) == o.pin.as_deref() {
                        s.unlocked = true;
                        "OK".into()
                    } else {
                        "+CME ERROR: 16".into()
                    }
                }
                c if c.starts_with("AT+CMGS=\"") && !s.unlocked => {
                    let _ = c;
                    "+CMS ERROR: 311".into()
                }
                c if c.starts_with("AT+CMGS=\"") => {
                    body_for = Some(
                        c.trim_start_matches("AT+CMGS=\"")
                            .trim_end_matches('"')
                            .to_string(),
                    );
                    drop(s);
                    out(port, "\r\n> ");
                    continue;
                }
                "AT+CMGL=\"ALL\"" => {
                    let mut r = String::new();
                    for (i, from, text) in &s.inbox {
                        r.push_str(&format!("+CMGL: {i},\"REC UNREAD\",\"{from}\",,\"26/11/27,10:00:00-32\"\r\n{text}\r\n"));
                    }
                    r.push_str("\r\nOK");
                    r
                }
                c if c.starts_with("AT+CMGD=") => {
                    let i: u32 = c.trim_start_matches("AT+CMGD=").parse().unwrap_or(0);
                    s.inbox.retain(|(n, _, _)| *n != i);
                    "OK".into()
                }
                _ => "ERROR".into(),
            };
            drop(s);
            out(port, &format!("\r\n{reply}\r\n"));
        }
    }
}
