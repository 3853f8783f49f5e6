//! The door sign: a serial display module beside the door. Threshold's
//! protocol (115200 baud by default):
//!
//! - host → sign: `SIGN <width> <height>\n`, then `width / 8 * height`
//!   bytes of 1-bit rows (most significant bit first, 1 = ink), then
//!   `END <crc>\n`, where `<crc>` is the CRC-32 (IEEE) of those bytes as 8
//!   lower-case hex digits;
//! - sign → host: `OK\n` once shown, or `ERR <reason>\n`;
//! - host → sign: `PING\n`; sign → host: `PONG <width> <height>\n`.

use crate::render::Bitmap;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// The bytes that show `bitmap`.
pub fn frame(bitmap: &Bitmap) -> Vec<u8> {
    let mut out = format!("SIGN {} {}\n", bitmap.width(), bitmap.height()).into_bytes();
    out.extend_from_slice(bitmap.bits());
    out.extend_from_slice(format!("END {:08x}\n", crc32fast::hash(bitmap.bits())).as_bytes());
    out
}

/// Why the sign did not show a picture.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the door sign said: {0}")]
    Refused(String),
    #[error("the door sign did not answer within {0:?}; is it powered and connected?")]
    NotAnswering(Duration),
    #[error("door sign I/O: {0}; it is reopened")]
    Io(#[from] std::io::Error),
}

/// A door sign.
pub trait DoorSign: Send {
    fn show(&mut self, bitmap: &Bitmap) -> Result<(), SignError>;
    /// Its size in dots.
    fn ping(&mut self) -> Result<(u32, u32), SignError>;
}

/// The protocol over a serial port.
pub struct SerialSign<P: Read + Write + Send> {
    port: P,
    answer_within: Duration,
    pending: Vec<u8>,
}

impl<P: Read + Write + Send> SerialSign<P> {
    pub fn new(port: P, answer_within: Duration) -> Self {
        SerialSign {
            port,
            answer_within,
            pending: Vec::new(),
        }
    }

    fn line(&mut self) -> Result<String, SignError> {
        let deadline = Instant::now() + self.answer_within;
        let mut buf = [0u8; 64];
        loop {
            if let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=i).collect();
                return Ok(String::from_utf8_lossy(&line).trim().to_string());
            }
            if self.pending.len() > 256 {
                self.pending.clear();
            }
            match self.port.read(&mut buf) {
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => return Err(e.into()),
            }
            if Instant::now() >= deadline {
                return Err(SignError::NotAnswering(self.answer_within));
            }
        }
    }
}

impl<P: Read + Write + Send> DoorSign for SerialSign<P> {
    fn show(&mut self, bitmap: &Bitmap) -> Result<(), SignError> {
        self.pending.clear();
        self.port.write_all(&frame(bitmap))?;
        self.port.flush()?;
        match self.line()? {
            l if l == "OK" => Ok(()),
            l => Err(SignError::Refused(l.chars().take(80).collect())),
        }
    }

    fn ping(&mut self) -> Result<(u32, u32), SignError> {
        self.pending.clear();
        self.port.write_all(b"PING\n")?;
        self.port.flush()?;
        let line = self.line()?;
        let mut parts = line.split(' ');
        match (
            parts.next(),
            parts.next().and_then(|w| w.parse().ok()),
            parts.next().and_then(|h| h.parse().ok()),
        ) {
            (Some("PONG"), Some(w), Some(h)) => Ok((w, h)),
            _ => Err(SignError::Refused(line.chars().take(80).collect())),
        }
    }
}

/// Open the sign at `path`.
pub fn open(
    path: &std::path::Path,
    baud: u32,
) -> Result<SerialSign<serialport::TTYPort>, serialport::Error> {
    let port = serialport::new(path.to_string_lossy(), baud)
        .timeout(Duration::from_millis(50))
        .open_native()?;
    Ok(SerialSign::new(port, Duration::from_secs(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_is_byte_exact() {
        let mut b = Bitmap::new(16, 2);
        b.set(0, 0, true);
        b.set(15, 1, true);
        let f = frame(&b);
        let crc = crc32fast::hash(&[0x80, 0, 0, 0x01]);
        let mut want = b"SIGN 16 2\n".to_vec();
        want.extend_from_slice(&[0x80, 0, 0, 0x01]);
        want.extend_from_slice(format!("END {crc:08x}\n").as_bytes());
        assert_eq!(f, want);
    }
}
