//! A GSM modem on a serial port, driven with AT commands: init and SIM PIN,
//! signal quality, text messages (GSM text or UCS2, concatenated when long),
//! and reading and deleting received messages. Robust to echo on or off, to
//! unsolicited result codes arriving in the middle of a command, to error
//! codes and to silence (timeouts).

pub mod at;

use at::{Final, Stored};
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// Why the modem did not do what was asked. Each names the command.
#[derive(Debug, thiserror::Error)]
pub enum ModemError {
    #[error("modem port: {0}")]
    Io(#[from] io::Error),
    #[error(
        "the modem did not answer `{command}` within {waited:?}; is it connected and powered?"
    )]
    Timeout { command: String, waited: Duration },
    #[error("the modem answered ERROR to `{command}`")]
    Error { command: String },
    #[error("the modem answered +CME ERROR: {code} to `{command}`")]
    Cme { command: String, code: u16 },
    #[error("the network refused the message: +CMS ERROR: {code} ({})", at::cms_meaning(*.code))]
    Cms { code: u16 },
    #[error("the SIM needs a PIN; set [alerts.sms] sim_pin_file")]
    PinNeeded,
    #[error("the SIM is locked ({0}); unlock it with its PUK in a phone")]
    SimLocked(String),
    #[error("the modem sent something that is not an AT response ({0} bytes without a line end)")]
    Garbled(usize),
}

impl ModemError {
    /// Whether trying again later may succeed.
    pub fn transient(&self) -> bool {
        match self {
            ModemError::Io(_) | ModemError::Timeout { .. } | ModemError::Garbled(_) => true,
            ModemError::Cms { code } => at::cms_transient(*code),
            _ => false,
        }
    }
}

/// How long a modem may take with a command that needs no network.
const LOCAL_ANSWER: Duration = Duration::from_secs(3);

/// The longest line a modem may send before it is treated as garbage.
const MAX_LINE: usize = 4096;

enum Line {
    Text(String),
    Prompt,
}

/// An AT modem on any byte stream (a serial port, or a pty in tests). The
/// stream's reads should time out after a short while (100 ms) so that
/// deadlines are kept.
pub struct AtModem<P: Read + Write> {
    port: P,
    buf: Vec<u8>,
    timeout: Duration,
    reference: u8,
    /// Unsolicited result codes seen while waiting for answers.
    pub unsolicited: Vec<String>,
}

impl<P: Read + Write> AtModem<P> {
    /// A modem on `port`, waiting up to `timeout` for each answer.
    pub fn new(port: P, timeout: Duration) -> Self {
        AtModem {
            port,
            buf: Vec::new(),
            timeout,
            reference: rand::random(),
            unsolicited: Vec::new(),
        }
    }

    /// Wake the modem, turn echo off, ask for numeric errors, unlock the SIM
    /// with `pin` when it asks, and select text mode.
    pub fn init(&mut self, pin: Option<&str>) -> Result<(), ModemError> {
        // A powered modem answers these at once; one that stays silent this
        // long is not there, whatever the network's timeout is.
        let answer = self.timeout.min(LOCAL_ANSWER);
        // A modem that was mid-command (or autobauding) may miss the first AT.
        if self.exec("AT", Duration::from_secs(1)).is_err() {
            self.exec("AT", answer)?;
        }
        self.exec("ATE0", answer)?;
        self.exec("AT+CMEE=1", answer)?;
        let state = self.exec("AT+CPIN?", answer)?;
        let state = state
            .iter()
            .find_map(|l| l.strip_prefix("+CPIN:"))
            .map(str::trim)
            .unwrap_or("READY");
        match state {
            "READY" => {}
            "SIM PIN" => {
                let pin = pin.ok_or(ModemError::PinNeeded)?;
                self.exec(&format!("AT+CPIN=\"{pin}\""), self.timeout)?;
            }
            other => return Err(ModemError::SimLocked(other.to_string())),
        }
        self.exec("AT+CMGF=1", answer)?;
        Ok(())
    }

    /// Signal quality 0-31, or `None` when the modem does not know.
    pub fn signal(&mut self) -> Result<Option<u8>, ModemError> {
        let lines = self.exec("AT+CSQ", self.timeout)?;
        Ok(lines
            .iter()
            .find_map(|l| l.strip_prefix("+CSQ:"))
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<u8>().ok())
            .filter(|v| *v != 99))
    }

    /// Send `text` to `to`; returns the message references the network gave.
    pub fn send_sms(&mut self, to: &str, text: &str) -> Result<Vec<u16>, ModemError> {
        self.reference = self.reference.wrapping_add(1);
        let plan = at::submission(to, text, self.reference);
        for cmd in &plan.setup {
            self.exec_bytes(cmd, self.timeout)?;
        }
        let mut refs = Vec::new();
        for (cmgs, body) in &plan.parts {
            let label = String::from_utf8_lossy(&cmgs[..cmgs.len() - 1]).into_owned();
            self.port.write_all(cmgs)?;
            self.port.flush()?;
            let deadline = Instant::now() + self.timeout;
            loop {
                match self.read_line(deadline, &label)? {
                    Line::Prompt => break,
                    Line::Text(t) if t == label => {}
                    Line::Text(t) => match at::final_result(&t) {
                        Some(Final::Cms(code)) => return Err(ModemError::Cms { code }),
                        Some(f) => return Err(self.failure(&label, f)),
                        None => self.unsolicited.push(t),
                    },
                }
            }
            self.port.write_all(body)?;
            self.port.flush()?;
            // The network can take a while to accept a message.
            let lines = self.finish(&label, Instant::now() + self.timeout * 2)?;
            refs.extend(
                lines
                    .iter()
                    .filter_map(|l| l.strip_prefix("+CMGS:"))
                    .filter_map(|r| r.trim().parse::<u16>().ok()),
            );
        }
        Ok(refs)
    }

    /// Every message stored on the SIM.
    pub fn read_all(&mut self) -> Result<Vec<Stored>, ModemError> {
        self.exec("AT+CSCS=\"GSM\"", self.timeout)?;
        let lines = self.exec("AT+CMGL=\"ALL\"", self.timeout)?;
        Ok(at::parse_cmgl(&lines))
    }

    /// Delete the stored message at `index`.
    pub fn delete(&mut self, index: u32) -> Result<(), ModemError> {
        self.exec(&format!("AT+CMGD={index}"), self.timeout)
            .map(|_| ())
    }

    fn failure(&self, command: &str, f: Final) -> ModemError {
        let command = command.to_string();
        match f {
            Final::Cme(code) => ModemError::Cme { command, code },
            Final::Cms(code) => ModemError::Cms { code },
            Final::Error | Final::Ok => ModemError::Error { command },
        }
    }

    /// Run `cmd` and return the lines before its final `OK`.
    pub fn exec(&mut self, cmd: &str, wait: Duration) -> Result<Vec<String>, ModemError> {
        self.exec_bytes(&at::command(cmd), wait)
    }

    fn exec_bytes(&mut self, cmd: &[u8], wait: Duration) -> Result<Vec<String>, ModemError> {
        let label = String::from_utf8_lossy(cmd).trim_end().to_string();
        self.port.write_all(cmd)?;
        self.port.flush()?;
        self.finish(&label, Instant::now() + wait)
    }

    /// Read lines until the final result code of `label`.
    fn finish(&mut self, label: &str, deadline: Instant) -> Result<Vec<String>, ModemError> {
        let mut lines = Vec::new();
        loop {
            match self.read_line(deadline, label)? {
                Line::Prompt => {}
                Line::Text(t) if t == label => {} // echo
                Line::Text(t) => match at::final_result(&t) {
                    Some(Final::Ok) => return Ok(lines),
                    Some(f) => return Err(self.failure(label, f)),
                    // In a listing, the line after a +CMGL header is a
                    // message's text, whatever it looks like.
                    None if at::is_unsolicited(&t)
                        && !lines
                            .last()
                            .is_some_and(|l: &String| l.starts_with("+CMGL:")) =>
                    {
                        self.unsolicited.push(t)
                    }
                    None => lines.push(t),
                },
            }
        }
    }

    fn read_line(&mut self, deadline: Instant, label: &str) -> Result<Line, ModemError> {
        loop {
            // Drop leading line ends.
            let start = self
                .buf
                .iter()
                .position(|b| *b != b'\r' && *b != b'\n')
                .unwrap_or(self.buf.len());
            self.buf.drain(..start);
            if self.buf.starts_with(b"> ") || self.buf == b">" {
                self.buf.drain(..self.buf.len().min(2));
                return Ok(Line::Prompt);
            }
            if let Some(end) = self.buf.iter().position(|b| *b == b'\r' || *b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..end).collect();
                return Ok(Line::Text(
                    String::from_utf8_lossy(&line).trim().to_string(),
                ));
            }
            if self.buf.len() > MAX_LINE {
                let n = self.buf.len();
                self.buf.clear();
                return Err(ModemError::Garbled(n));
            }
            if Instant::now() >= deadline {
                return Err(ModemError::Timeout {
                    command: label.to_string(),
                    waited: self.timeout,
                });
            }
            let mut chunk = [0u8; 512];
            match self.port.read(&mut chunk) {
                // A serial port with a read timeout says TimedOut when
                // nothing came; end-of-file means the port went away (the
                // modem was unplugged): no answer will come.
                Ok(0) => {
                    return Err(ModemError::Io(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the port closed (was the modem unplugged?)",
                    )))
                }
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut
                            | io::ErrorKind::WouldBlock
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(ModemError::Io(e)),
            }
        }
    }
}

/// Open the modem at `path` (`baud`), with short read timeouts.
pub fn open(
    path: &std::path::Path,
    baud: u32,
    timeout: Duration,
) -> Result<AtModem<serialport::TTYPort>, serialport::Error> {
    let port = serialport::new(path.to_string_lossy(), baud)
        .timeout(Duration::from_millis(100))
        .open_native()?;
    Ok(AtModem::new(port, timeout))
}
