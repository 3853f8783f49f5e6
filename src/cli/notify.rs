//! systemd's notify protocol through the `sd-notify` crate: `READY=1` once
//! the service is up, `WATCHDOG=1` while it is alive, `STOPPING=1` when it
//! stops (nothing happens when not run by systemd).

use sd_notify::NotifyState;
use std::time::Duration;

/// What the service tells systemd.
#[derive(Debug, Clone, Copy)]
pub enum Tell {
    Ready,
    Alive,
    Stopping,
}

/// Tell systemd, if it is listening.
pub fn notify(what: Tell) {
    let state = match what {
        Tell::Ready => NotifyState::Ready,
        Tell::Alive => NotifyState::Watchdog,
        Tell::Stopping => NotifyState::Stopping,
    };
    if let Err(e) = sd_notify::notify(&[state]) {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}

/// Half the watchdog interval systemd asked for, if it asked.
pub fn watchdog_every() -> Option<Duration> {
    sd_notify::watchdog_enabled().map(|d| d / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixDatagram;

    #[test]
    fn ready_reaches_the_notify_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        // The one test in this binary that sets it; nothing else reads it.
        std::env::set_var("NOTIFY_SOCKET", &path);
        notify(Tell::Ready);
        std::env::remove_var("NOTIFY_SOCKET");
        let mut buf = [0u8; 32];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\n");
    }
}
