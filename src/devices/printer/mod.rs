//! The receipt printer: ESC/POS over a serial port. Status is asked before
//! each job so paper-out and offline are said instead of printing into the
//! void.

pub mod escpos;

use crate::render::Bitmap;
use escpos::{parse_status, status_request, Status, StatusKind};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Why a receipt was not printed. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    #[error("the printer is out of paper; load a new roll")]
    PaperOut,
    #[error("the printer's cover is open; close it")]
    CoverOpen,
    #[error("the printer is offline (cover, paper or an error); check its light and paper")]
    Offline,
    #[error("the printer did not answer a status request within {0:?}; is it on and connected?")]
    NotAnswering(Duration),
    #[error(transparent)]
    Garbled(#[from] escpos::BadStatus),
    #[error("printer I/O: {0}; it is reopened on the next job")]
    Io(#[from] std::io::Error),
}

/// A receipt printer.
pub trait ReceiptPrinter: Send {
    /// Print one receipt, checking the printer first.
    fn print(&mut self, receipt: &Bitmap) -> Result<(), PrinterError>;
    /// Ask the printer how it is.
    fn status(&mut self) -> Result<Status, PrinterError>;
}

/// ESC/POS over any byte stream with read timeouts (a serial port).
pub struct EscPosPrinter<P: Read + Write + Send> {
    port: P,
    answer_within: Duration,
}

impl<P: Read + Write + Send> EscPosPrinter<P> {
    pub fn new(port: P, answer_within: Duration) -> Self {
        EscPosPrinter {
            port,
            answer_within,
        }
    }

    fn ask(&mut self, kind: StatusKind, status: &mut Status) -> Result<(), PrinterError> {
        self.port.write_all(&status_request(kind))?;
        self.port.flush()?;
        let deadline = Instant::now() + self.answer_within;
        let mut byte = [0u8; 1];
        loop {
            match self.port.read(&mut byte) {
                Ok(1) => {
                    // Stray bytes (an automatic status from an earlier job)
                    // do not have the fixed bits; skip them.
                    match parse_status(kind, byte[0], status) {
                        Ok(()) => return Ok(()),
                        Err(e) if Instant::now() >= deadline => return Err(e.into()),
                        Err(_) => continue,
                    }
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
            if Instant::now() >= deadline {
                return Err(PrinterError::NotAnswering(self.answer_within));
            }
        }
    }
}

impl<P: Read + Write + Send> ReceiptPrinter for EscPosPrinter<P> {
    fn status(&mut self) -> Result<Status, PrinterError> {
        let mut s = Status::default();
        self.ask(StatusKind::Printer, &mut s)?;
        if s.offline {
            self.ask(StatusKind::Offline, &mut s)?;
        }
        self.ask(StatusKind::Paper, &mut s)?;
        Ok(s)
    }

    fn print(&mut self, receipt: &Bitmap) -> Result<(), PrinterError> {
        let s = self.status()?;
        if s.paper_out {
            return Err(PrinterError::PaperOut);
        }
        if s.cover_open {
            return Err(PrinterError::CoverOpen);
        }
        if s.offline {
            return Err(PrinterError::Offline);
        }
        // write_all carries on after partial writes.
        self.port.write_all(&escpos::job(receipt))?;
        self.port.flush()?;
        Ok(())
    }
}

/// Open the printer at `path`.
pub fn open(
    path: &std::path::Path,
    baud: u32,
) -> Result<EscPosPrinter<serialport::TTYPort>, serialport::Error> {
    let port = serialport::new(path.to_string_lossy(), baud)
        .timeout(Duration::from_millis(50))
        .open_native()?;
    Ok(EscPosPrinter::new(port, Duration::from_secs(2)))
}
