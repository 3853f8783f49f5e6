//! The devices at run time: one thread per configured serial device, each
//! reopening its port after an unplug (within 5 s), none able to block a
//! check-in or an alert. Their states go to the service's [`Health`] board,
//! which staff mode, the admin web and `threshold devices list` read.

use super::health::{Health, PartKind, PartState};
use super::lines::LineFramer;
use super::panic::{parse, PanicLine, Presses};
use super::printer::{self, ReceiptPrinter};
use super::sign::{self, DoorSign};
use crate::config::{Devices, LineEnd};
use crate::render::sign::SignContent;
use crate::render::Bitmap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often a missing device is looked for, and a present one checked.
pub const RETRY: Duration = Duration::from_secs(2);
/// The panic button says ALIVE every 5 s; this long without a line means
/// the cable or the button is gone.
const PANIC_SILENCE: Duration = Duration::from_secs(15);

/// Something a device reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    /// A scanned code (a staff badge, an appointment code).
    Scan(String),
    /// The panic button was pressed.
    Panic,
}

/// Why a receipt could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum PrintRefused {
    #[error("no printer is configured ([devices.printer])")]
    NoPrinter,
    #[error("the printer is busy with earlier receipts; try again in a moment")]
    Busy,
}

/// The running device threads.
pub struct Hub {
    printer: Option<(SyncSender<Bitmap>, u32)>,
    sign: Option<SyncSender<SignContent>>,
    health: Health,
    names: Vec<&'static str>,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Hub {
    /// Start a thread for each configured device. Events go to `events`;
    /// states to `health`.
    pub fn start(
        devices: &Devices,
        events: tokio::sync::mpsc::Sender<DeviceEvent>,
        health: Health,
    ) -> Hub {
        let stop = Arc::new(AtomicBool::new(false));
        let board = Board(health.clone());
        let names = [
            ("printer", devices.printer.is_some()),
            ("sign", devices.sign.is_some()),
            ("scanner", devices.scanner.is_some()),
            ("panic", devices.panic.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, on)| on.then_some(n))
        .collect();
        let mut threads = Vec::new();
        let mut printer = None;
        if let Some(p) = &devices.printer {
            let (tx, rx) = sync_channel::<Bitmap>(4);
            printer = Some((tx, p.paper.dots()));
            let (port, baud, stop, board) = (p.port.clone(), p.baud, stop.clone(), board.clone());
            board.set("printer", &port, false, "starting");
            threads.push(std::thread::spawn(move || {
                let mut open: Option<Box<dyn ReceiptPrinter>> = None;
                while !stop.load(Ordering::Relaxed) {
                    if open.is_none() {
                        match printer::open(&port, baud) {
                            Ok(p) => {
                                open = Some(Box::new(p));
                                board.set("printer", &port, true, "connected");
                            }
                            Err(e) => {
                                board.set("printer", &port, false, &format!("cannot open: {e}"))
                            }
                        }
                    }
                    match rx.recv_timeout(RETRY) {
                        Ok(job) => match open.as_mut() {
                            Some(p) => match p.print(&job) {
                                Ok(()) => board.set("printer", &port, true, "printed a receipt"),
                                Err(e) => {
                                    tracing::warn!(error = %e, "receipt not printed");
                                    board.set("printer", &port, false, &e.to_string());
                                    open = None;
                                }
                            },
                            None => {
                                tracing::warn!("receipt not printed: the printer is not connected")
                            }
                        },
                        Err(RecvTimeoutError::Timeout) => {
                            if let Some(p) = open.as_mut() {
                                match p.status() {
                                    Ok(s) if s.paper_out => {
                                        board.set("printer", &port, false, "out of paper")
                                    }
                                    Ok(s) if s.cover_open => {
                                        board.set("printer", &port, false, "cover open")
                                    }
                                    Ok(s) if s.offline => {
                                        board.set("printer", &port, false, "offline")
                                    }
                                    Ok(s) if s.paper_near_end => {
                                        board.set("printer", &port, true, "paper nearly out")
                                    }
                                    Ok(_) => board.set("printer", &port, true, "ready"),
                                    Err(e) => {
                                        board.set("printer", &port, false, &e.to_string());
                                        open = None;
                                    }
                                }
                            }
                        }
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            }));
        }
        let mut sign_tx = None;
        if let Some(cfg) = &devices.sign {
            let (tx, rx) = sync_channel::<SignContent>(4);
            sign_tx = Some(tx);
            let (port, baud, w, h, stop, board) = (
                cfg.port.clone(),
                cfg.baud,
                cfg.width,
                cfg.height,
                stop.clone(),
                board.clone(),
            );
            board.set("sign", &port, false, "starting");
            threads.push(std::thread::spawn(move || {
                let mut open: Option<Box<dyn DoorSign>> = None;
                let mut content: Option<SignContent> = None;
                let mut shown = false;
                while !stop.load(Ordering::Relaxed) {
                    if open.is_none() {
                        match sign::open(&port, baud) {
                            Ok(s) => {
                                open = Some(Box::new(s));
                                shown = false;
                            }
                            Err(e) => board.set("sign", &port, false, &format!("cannot open: {e}")),
                        }
                    }
                    if let (Some(s), Some(c), false) = (open.as_mut(), &content, shown) {
                        match s.show(&crate::render::sign::render(c, w, h)) {
                            Ok(()) => {
                                shown = true;
                                let what = if c.officials_on_site {
                                    "showing: officials on site"
                                } else {
                                    "showing: open"
                                };
                                board.set("sign", &port, true, what);
                            }
                            Err(e) => {
                                board.set("sign", &port, false, &e.to_string());
                                open = None;
                            }
                        }
                    }
                    match rx.recv_timeout(RETRY) {
                        Ok(c) => {
                            shown = shown && content.as_ref() == Some(&c);
                            content = Some(c);
                        }
                        Err(RecvTimeoutError::Timeout) => {
                            if let Some(s) = open.as_mut() {
                                if let Err(e) = s.ping() {
                                    board.set("sign", &port, false, &e.to_string());
                                    open = None;
                                } else if content.is_none() {
                                    board.set("sign", &port, true, "connected");
                                }
                            }
                        }
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            }));
        }
        let line_devices = [
            devices
                .scanner
                .as_ref()
                .map(|s| ("scanner", s.port.clone(), s.baud, s.line_end, 128)),
            devices
                .panic
                .as_ref()
                .map(|p| ("panic", p.port.clone(), p.baud, LineEnd::Lf, 64)),
        ];
        for (name, port, baud, end, max) in line_devices.into_iter().flatten() {
            let (stop, board, events) = (stop.clone(), board.clone(), events.clone());
            board.set(name, &port, false, "starting");
            threads.push(std::thread::spawn(move || {
                line_device(
                    name,
                    &port,
                    baud,
                    LineFramer::new(end, max),
                    &stop,
                    &board,
                    &events,
                )
            }));
        }
        Hub {
            printer,
            sign: sign_tx,
            health,
            names,
            stop,
            threads,
        }
    }

    /// Queue a receipt; never waits for the printer.
    pub fn print(&self, receipt: Bitmap) -> Result<(), PrintRefused> {
        let (tx, _) = self.printer.as_ref().ok_or(PrintRefused::NoPrinter)?;
        tx.try_send(receipt).map_err(|_| PrintRefused::Busy)
    }

    /// What the door sign should show (sent when it changes, and again
    /// after the sign is replugged).
    pub fn show_on_sign(&self, content: SignContent) {
        if let Some(tx) = &self.sign {
            let _ = tx.try_send(content);
        }
    }

    /// The paper width in dots, when there is a printer.
    pub fn paper_dots(&self) -> Option<u32> {
        self.printer.as_ref().map(|p| p.1)
    }

    /// The state of every device this hub runs, now.
    pub fn states(&self) -> Vec<PartState> {
        self.health
            .parts()
            .into_iter()
            .filter(|p| self.names.contains(&p.part.as_str()))
            .collect()
    }

    /// Whether the printer is connected and ready to print.
    pub fn printer_ready(&self) -> bool {
        self.health.get("printer").is_some_and(|p| p.working)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.printer = None;
        self.sign = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Posts device states to the health board, with what to do when one is
/// not working.
#[derive(Clone)]
struct Board(Health);

impl Board {
    fn set(&self, device: &str, port: &Path, connected: bool, detail: &str) {
        if detail == "starting" {
            // Not news: the first real state follows within moments.
            return;
        }
        let fix = if connected {
            String::new()
        } else {
            match (device, detail) {
                ("printer", "out of paper") => "Load a new paper roll.".into(),
                ("printer", "cover open") => "Close the printer's cover.".into(),
                (_, d) if d.starts_with("cannot open") => format!(
                    "Check that the {} is plugged in and switched on; Threshold finds it again within 5 s. If it stays missing, check the udev rule that names {}.",
                    name(device),
                    port.display()
                ),
                _ => format!(
                    "Check the {}'s cable and power; Threshold reconnects by itself.",
                    name(device)
                ),
            }
        };
        self.0.set(PartState {
            part: device.into(),
            kind: PartKind::Device,
            location: port.display().to_string(),
            working: connected,
            detail: detail.into(),
            fix,
        });
    }
}

/// A device's name in a sentence.
fn name(device: &str) -> &str {
    match device {
        "sign" => "door sign",
        "panic" => "panic button",
        "printer" => "receipt printer",
        other => other,
    }
}

fn line_device(
    name: &'static str,
    port: &Path,
    baud: u32,
    mut framer: LineFramer,
    stop: &AtomicBool,
    board: &Board,
    events: &tokio::sync::mpsc::Sender<DeviceEvent>,
) {
    let mut presses = Presses::default();
    while !stop.load(Ordering::Relaxed) {
        let opened = serialport::new(port.to_string_lossy(), baud)
            .timeout(Duration::from_millis(200))
            .open_native();
        let mut serial = match opened {
            Ok(p) => {
                board.set(name, port, true, "connected");
                p
            }
            Err(e) => {
                board.set(name, port, false, &format!("cannot open: {e}"));
                std::thread::sleep(RETRY);
                continue;
            }
        };
        let mut heard = Instant::now();
        let mut buf = [0u8; 256];
        while !stop.load(Ordering::Relaxed) {
            match serial.read(&mut buf) {
                // Nothing arriving reads as TimedOut; end-of-file is the
                // port going away.
                Ok(0) => {
                    board.set(name, port, false, "disconnected: the port closed");
                    break;
                }
                Ok(n) => {
                    for line in framer.push(&buf[..n]) {
                        if name == "panic" && heard.elapsed() > PANIC_SILENCE {
                            board.set(name, port, true, "connected");
                        }
                        heard = Instant::now();
                        let line = match line {
                            Ok(l) => l,
                            Err(e) => {
                                tracing::warn!(device = name, reason = %e, "line refused");
                                continue;
                            }
                        };
                        let event = if name == "panic" {
                            match parse(&line) {
                                Some(PanicLine::Press(n)) if presses.is_new(n) => {
                                    Some(DeviceEvent::Panic)
                                }
                                Some(PanicLine::Hello(fw)) => {
                                    presses.restarted();
                                    board.set(name, port, true, &format!("connected ({fw})"));
                                    None
                                }
                                Some(_) => None,
                                None => {
                                    tracing::warn!(
                                        device = name,
                                        "unknown line from the panic button"
                                    );
                                    None
                                }
                            }
                        } else {
                            Some(DeviceEvent::Scan(line))
                        };
                        if let Some(event) = event {
                            if events.blocking_send(event).is_err() {
                                return;
                            }
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                    if name == "panic" && heard.elapsed() > PANIC_SILENCE {
                        board.set(
                            name,
                            port,
                            false,
                            "no heartbeat for 15 s; check the button's cable",
                        );
                    }
                }
                Err(e) => {
                    board.set(name, port, false, &format!("disconnected: {e}"));
                    break;
                }
            }
        }
    }
}
