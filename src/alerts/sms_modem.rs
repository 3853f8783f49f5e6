//! Text messages through the GSM modem: opened on first use, and reopened
//! after an error, so a modem unplugged and plugged back in recovers without
//! a restart. A modem that does not answer is left alone for a while that
//! grows with each failure (2 s up to a minute): meanwhile a send fails at
//! once, so the SMS gateway (when there is one) or the contact's next
//! channel takes the page without waiting. The serial I/O blocks, so it runs
//! on tokio's blocking pool. Its state goes to the health board.

use super::{Reply, SendError};
use crate::devices::health::{Health, PartKind};
use crate::devices::modem::{self, AtModem, ModemError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The first pause after the modem fails; each further failure doubles it.
const PAUSE_BASE: Duration = Duration::from_secs(2);
/// The longest pause between tries of a modem that does not answer.
const PAUSE_CAP: Duration = Duration::from_secs(60);

struct Link {
    path: PathBuf,
    baud: u32,
    timeout: Duration,
    pin: Option<String>,
    modem: Option<AtModem<serialport::TTYPort>>,
}

/// When the modem may be tried again after failing, and how often it has
/// failed in a row.
#[derive(Default)]
struct Pause {
    until: Option<Instant>,
    failures: u32,
    last: String,
    /// The port was not there: when it appears (a replug), try at once.
    missing: bool,
}

impl Link {
    fn port(&self) -> String {
        self.path.display().to_string()
    }

    fn with_modem<T>(
        &mut self,
        f: impl FnOnce(&mut AtModem<serialport::TTYPort>) -> Result<T, ModemError>,
    ) -> Result<T, SendError> {
        if self.modem.is_none() {
            let mut m =
                modem::open(&self.path, self.baud, self.timeout).map_err(|e| SendError::Modem {
                    port: self.port(),
                    reason: e.to_string(),
                    transient: true,
                })?;
            m.init(self.pin.as_deref()).map_err(|e| self.error(e))?;
            self.modem = Some(m);
        }
        let m = self.modem.as_mut().expect("opened above");
        let result = f(m);
        if let Err(e) = &result {
            if e.transient() {
                // Start afresh next time: the modem may have been unplugged.
                self.modem = None;
            }
        }
        result.map_err(|e| self.error(e))
    }

    fn error(&self, e: ModemError) -> SendError {
        SendError::Modem {
            port: self.port(),
            transient: e.transient(),
            reason: e.to_string(),
        }
    }
}

/// The modem, shared by sends and reply reads.
#[derive(Clone)]
pub struct SmsModem {
    link: Arc<Mutex<Link>>,
    pause: Arc<Mutex<Pause>>,
    port: String,
    path: PathBuf,
    health: Health,
}

impl SmsModem {
    pub fn new(
        path: PathBuf,
        baud: u32,
        timeout: Duration,
        pin: Option<String>,
        health: Health,
    ) -> SmsModem {
        let port = path.display().to_string();
        let path_for_pause = path.clone();
        SmsModem {
            link: Arc::new(Mutex::new(Link {
                path,
                baud,
                timeout,
                pin,
                modem: None,
            })),
            pause: Arc::default(),
            port,
            path: path_for_pause,
            health,
        }
    }

    /// Run `f` on the modem off the async workers, unless it is paused
    /// after failing; record how it went.
    async fn blocking<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&mut Link) -> Result<T, SendError> + Send + 'static,
    ) -> Result<T, SendError> {
        if let Some(e) = self.paused() {
            return Err(e);
        }
        let link = self.link.clone();
        let result = tokio::task::spawn_blocking(move || {
            let mut link = link.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut link)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        self.record(what, &result);
        result
    }

    /// The error to fail with at once while the modem is paused.
    fn paused(&self) -> Option<SendError> {
        let pause = self.pause.lock().unwrap_or_else(|p| p.into_inner());
        if pause.missing && self.path.exists() {
            return None;
        }
        let until = pause.until?;
        let left = until.checked_duration_since(Instant::now())?;
        Some(SendError::Modem {
            port: self.port.clone(),
            reason: format!("{}; tried again in {} s", pause.last, left.as_secs().max(1)),
            transient: true,
        })
    }

    fn record<T>(&self, what: &str, result: &Result<T, SendError>) {
        let mut pause = self.pause.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(_) => {
                *pause = Pause::default();
                self.health
                    .working("modem", PartKind::Device, &self.port, what);
            }
            Err(SendError::Modem {
                reason,
                transient: true,
                ..
            }) => {
                pause.failures += 1;
                let wait = PAUSE_BASE
                    .saturating_mul(1 << (pause.failures - 1).min(6))
                    .min(PAUSE_CAP);
                pause.until = Some(Instant::now() + wait);
                pause.last = reason.clone();
                pause.missing = !self.path.exists();
                self.health.broken(
                    "modem",
                    PartKind::Device,
                    &self.port,
                    reason,
                    "Check the modem's USB cable, power, antenna and SIM; Threshold keeps trying, and texts go by the SMS gateway meanwhile when one is set up.",
                );
            }
            Err(e) => {
                // The modem answered; the message or the SIM is the trouble.
                self.health.broken(
                    "modem",
                    PartKind::Device,
                    &self.port,
                    &e.to_string(),
                    "Check the SIM (PIN, credit, network) in a phone; Threshold keeps trying.",
                );
            }
        }
    }

    /// Send `text` to `to`.
    pub async fn send(&self, to: &str, text: &str) -> Result<String, SendError> {
        let (to, text) = (to.to_string(), text.to_string());
        let refs = self
            .blocking("sent a text message", move |l| {
                l.with_modem(|m| m.send_sms(&to, &text))
            })
            .await?;
        Ok(format!("modem, message reference {refs:?}"))
    }

    /// Messages received since the last call (read, then deleted from the SIM).
    pub async fn replies(&self) -> Result<Vec<Reply>, SendError> {
        self.blocking("ready", |l| {
            l.with_modem(|m| {
                let stored = m.read_all()?;
                for s in &stored {
                    m.delete(s.index)?;
                }
                m.unsolicited.clear();
                Ok(stored
                    .into_iter()
                    .map(|s| Reply {
                        from: s.from,
                        text: s.text,
                    })
                    .collect())
            })
        })
        .await
    }
}
