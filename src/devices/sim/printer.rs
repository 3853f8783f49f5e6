//! A receipt printer on a pty: it parses what the driver sends (`ESC @`,
//! `GS v 0` raster bands, `ESC d`, `GS V`, `DLE EOT`), answers status
//! requests from its paper and cover state, and keeps each cut receipt as a
//! bitmap (written as a PNG when given a folder).

use super::Pty;
use crate::render::Bitmap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The simulated printer's state, shared with whoever drives it.
#[derive(Debug, Default)]
pub struct PrinterState {
    pub paper_out: bool,
    pub cover_open: bool,
    /// Do not answer status requests (a printer switched off).
    pub silent: bool,
    /// Receipts printed and cut.
    pub printed: Vec<Bitmap>,
    /// Bytes that were not a known command.
    pub unknown: usize,
}

/// A running printer simulator.
pub struct PrinterSim {
    pub path: PathBuf,
    pub state: Arc<Mutex<PrinterState>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PrinterSim {
    /// Start it; with `out`, each receipt is also written there as a PNG.
    pub fn start(out: Option<PathBuf>) -> std::io::Result<PrinterSim> {
        let pty = Pty::new()?;
        let path = pty.path.clone();
        let state = Arc::new(Mutex::new(PrinterState::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || run(pty, state, stop, out))
        };
        Ok(PrinterSim {
            path,
            state,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for PrinterSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn status_byte(kind: u8, s: &PrinterState) -> u8 {
    let mut b = 0b0001_0010;
    match kind {
        1 if s.paper_out || s.cover_open => b |= 0x08,
        2 => {
            if s.cover_open {
                b |= 0x04;
            }
            if s.paper_out {
                b |= 0x20;
            }
        }
        4 if s.paper_out => b |= 0x6C,
        _ => {}
    }
    b
}

fn run(mut pty: Pty, state: Arc<Mutex<PrinterState>>, stop: Arc<AtomicBool>, out: Option<PathBuf>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut rows: Vec<u8> = Vec::new();
    let mut stride = 0usize;
    let mut chunk = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        match pty.master.read(&mut chunk) {
            Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => {}
        }
        // Take every complete command at the front of the buffer.
        loop {
            let used = match buf.as_slice() {
                [0x1B, 0x40, ..] => {
                    rows.clear();
                    2
                }
                [0x1B, 0x64, _, ..] => 3,
                [0x1D, 0x56, 0x42, _, ..] | [0x1D, 0x56, 0x41, _, ..] => {
                    if stride > 0 && !rows.is_empty() {
                        let height = (rows.len() / stride) as u32;
                        let mut b = Bitmap::new(stride as u32 * 8, height);
                        for y in 0..height {
                            for x in 0..stride as u32 * 8 {
                                let byte = rows[y as usize * stride + (x / 8) as usize];
                                b.set(x, y, byte & (0x80 >> (x % 8)) != 0);
                            }
                        }
                        let mut s = state.lock().unwrap();
                        if let Some(dir) = &out {
                            let file = dir.join(format!("receipt-{}.png", s.printed.len() + 1));
                            if let Err(e) = std::fs::write(&file, b.to_png()) {
                                tracing::error!(file = %file.display(), error = %e, "simulated printer cannot write its receipt");
                            } else {
                                tracing::info!(file = %file.display(), "simulated printer: receipt printed");
                            }
                        }
                        s.printed.push(b);
                    }
                    rows.clear();
                    4
                }
                [0x10, 0x04, kind, ..] => {
                    let s = state.lock().unwrap();
                    if !s.silent {
                        let _ = pty.master.write_all(&[status_byte(*kind, &s)]);
                        let _ = pty.master.flush();
                    }
                    3
                }
                [0x1D, 0x76, 0x30, _, xl, xh, yl, yh, ..] => {
                    let w = *xl as usize | (*xh as usize) << 8;
                    let h = *yl as usize | (*yh as usize) << 8;
                    if buf.len() < 8 + w * h {
                        break;
                    }
                    stride = w;
                    rows.extend_from_slice(&buf[8..8 + w * h]);
                    8 + w * h
                }
                // A command's first bytes with the rest still to come.
                [0x1B]
                | [0x1D]
                | [0x10]
                | [0x1D, 0x56]
                | [0x1D, 0x56, _]
                | [0x10, 0x04]
                | [0x1B, 0x64] => break,
                [0x1D, 0x76, ..] if buf.len() < 8 => break,
                [] => break,
                [_, ..] => {
                    state.lock().unwrap().unknown += 1;
                    1
                }
            };
            buf.drain(..used);
        }
    }
}
