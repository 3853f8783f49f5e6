//! Text messages through the GSM modem: opened on first use, and reopened
//! after an error, so a modem unplugged and plugged back in recovers without
//! a restart. The serial I/O blocks, so it runs on tokio's blocking pool.

use super::{Reply, SendError};
use crate::devices::modem::{self, AtModem, ModemError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Link {
    path: PathBuf,
    baud: u32,
    timeout: Duration,
    pin: Option<String>,
    modem: Option<AtModem<serialport::TTYPort>>,
}

impl Link {
    fn with_modem<T>(
        &mut self,
        f: impl FnOnce(&mut AtModem<serialport::TTYPort>) -> Result<T, ModemError>,
    ) -> Result<T, SendError> {
        if self.modem.is_none() {
            let mut m =
                modem::open(&self.path, self.baud, self.timeout).map_err(|e| SendError::Modem {
                    port: self.path.display().to_string(),
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
            port: self.path.display().to_string(),
            transient: e.transient(),
            reason: e.to_string(),
        }
    }
}

/// The modem, shared by sends and reply reads.
#[derive(Clone)]
pub struct SmsModem(Arc<Mutex<Link>>);

impl SmsModem {
    pub fn new(path: PathBuf, baud: u32, timeout: Duration, pin: Option<String>) -> SmsModem {
        SmsModem(Arc::new(Mutex::new(Link {
            path,
            baud,
            timeout,
            pin,
            modem: None,
        })))
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Link) -> Result<T, SendError> + Send + 'static,
    ) -> Result<T, SendError> {
        let link = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut link = link.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut link)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    /// Send `text` to `to`.
    pub async fn send(&self, to: &str, text: &str) -> Result<String, SendError> {
        let (to, text) = (to.to_string(), text.to_string());
        let refs = self
            .blocking(move |l| l.with_modem(|m| m.send_sms(&to, &text)))
            .await?;
        Ok(format!("modem, message reference {refs:?}"))
    }

    /// Messages received since the last call (read, then deleted from the SIM).
    pub async fn replies(&self) -> Result<Vec<Reply>, SendError> {
        self.blocking(|l| {
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
