//! Simulated peripherals on pseudo-terminal pairs, speaking each device's
//! real protocol, so the real drivers run in tests and in
//! `threshold run --simulate`. Compiled only with the `simulate` feature.

pub mod modem;
pub mod printer;
pub mod sign;

use serialport::{SerialPort, TTYPort};
use std::path::PathBuf;
use std::time::Duration;

/// A pty pair: the device end (master, held by the simulator) and the
/// path the driver opens. The slave end is held open too, so the master
/// never sees a hang-up (which drops buffered bytes) while a driver
/// reconnects.
pub struct Pty {
    pub master: TTYPort,
    pub path: PathBuf,
    _slave: TTYPort,
}

impl Pty {
    pub fn new() -> std::io::Result<Pty> {
        let (master, slave) = TTYPort::pair().map_err(std::io::Error::other)?;
        // Close-on-exec copies: a process started meanwhile (a service
        // under test) must not hold the device end, or unplugging the
        // simulator would never reach the driver.
        let (mut master, slave) = (
            master.try_clone_native().map_err(std::io::Error::other)?,
            slave.try_clone_native().map_err(std::io::Error::other)?,
        );
        master
            .set_timeout(Duration::from_millis(20))
            .map_err(std::io::Error::other)?;
        let path = PathBuf::from(
            slave
                .name()
                .ok_or_else(|| std::io::Error::other("the pty has no name"))?,
        );
        Ok(Pty {
            master,
            path,
            _slave: slave,
        })
    }
}

/// A device that sends lines (the scanner, the panic button): whatever is
/// given to [`LineSim::send`] arrives at the driver as that device's bytes.
pub struct LineSim {
    pub path: PathBuf,
    pty: std::sync::Arc<std::sync::Mutex<Pty>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl LineSim {
    pub fn start() -> std::io::Result<LineSim> {
        let pty = Pty::new()?;
        Ok(LineSim {
            path: pty.path.clone(),
            pty: std::sync::Arc::new(std::sync::Mutex::new(pty)),
            stop: Default::default(),
        })
    }

    /// Also send `line` every `every` (the panic button's `ALIVE`).
    pub fn with_heartbeat(self, line: &'static [u8], every: Duration) -> LineSim {
        let (pty, stop) = (self.pty.clone(), self.stop.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(mut p) = pty.lock() {
                    let _ = p.master.write_all(line);
                }
                std::thread::sleep(every);
            }
        });
        self
    }

    /// Send raw bytes, as the device would.
    pub fn send(&self, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        let mut pty = self
            .pty
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        pty.master.write_all(bytes)?;
        pty.master.flush()
    }
}

impl Drop for LineSim {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
