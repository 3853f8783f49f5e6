//! The modem driver against the simulator over a pseudo-terminal pair.
#![cfg(feature = "simulate")]

use std::io::{self, Read, Write};
use std::time::Duration;
use threshold::devices::modem::{open, AtModem, ModemError};
use threshold::devices::sim::modem::{ModemSim, Options};

const TIMEOUT: Duration = Duration::from_secs(3);

#[test]
fn init_signal_and_sending_in_gsm_ucs2_and_parts() {
    for echo in [false, true] {
        let sim = ModemSim::start(Options {
            echo,
            ..Default::default()
        });
        let mut m = open(&sim.path, 115_200, TIMEOUT).unwrap();
        m.init(None).unwrap();
        assert_eq!(m.signal().unwrap(), Some(18));
        m.send_sms("+14085550120", "ACK 123456").unwrap();
        m.send_sms("+14085550111", "Có nhân viên công vụ tại quầy")
            .unwrap();
        let long = "有执法人员在前台：请在公共区域等候。".repeat(6);
        let refs = m.send_sms("+14085550112", &long).unwrap();
        assert_eq!(refs.len(), 2);
        let sent = sim.sent();
        assert_eq!(sent[0].to, "+14085550120");
        assert_eq!(sent[0].text, "ACK 123456");
        assert_eq!(sent[1].text, "Có nhân viên công vụ tại quầy");
        assert_eq!(
            sent[1].to, "+14085550111",
            "the number in UCS2 is decoded back"
        );
        let parts: Vec<_> = sent[2..].iter().map(|s| s.part.unwrap()).collect();
        assert_eq!(parts[0].0, parts[1].0, "one reference");
        assert_eq!((parts[0].1, parts[0].2, parts[1].2), (2, 1, 2));
        assert_eq!(
            format!("{}{}", sent[2].text, sent[3].text),
            long,
            "echo {echo}"
        );
    }
}

#[test]
fn network_errors_are_named_and_classified() {
    let sim = ModemSim::start(Options::default());
    let mut m = open(&sim.path, 115_200, TIMEOUT).unwrap();
    m.init(None).unwrap();
    sim.fail_next(&[330, 332]);
    let e = m.send_sms("+1408", "hi").unwrap_err();
    assert!(
        matches!(e, ModemError::Cms { code: 330 }) && !e.transient(),
        "{e}"
    );
    assert!(e.to_string().contains("SMSC"), "{e}");
    let e = m.send_sms("+1408", "hi").unwrap_err();
    assert!(e.transient(), "a network timeout is worth retrying: {e}");
    m.send_sms("+1408", "hi").unwrap();
    assert_eq!(sim.sent().len(), 1);
}

#[test]
fn the_sim_pin_is_asked_for_and_checked() {
    let sim = ModemSim::start(Options {
        pin: Some("1234".into()),
        ..Default::default()
    });
    let mut m = open(&sim.path, 115_200, TIMEOUT).unwrap();
    assert!(matches!(m.init(None), Err(ModemError::PinNeeded)));
    assert!(matches!(
        m.init(Some("0000")),
        Err(ModemError::Cme { code: 16, .. })
    ));
    m.init(Some("1234")).unwrap();
    m.send_sms("+1408", "ok").unwrap();
}

#[test]
fn unsolicited_codes_in_the_middle_of_answers_are_set_aside() {
    let sim = ModemSim::start(Options {
        noisy: true,
        echo: true,
        ..Default::default()
    });
    let mut m = open(&sim.path, 115_200, TIMEOUT).unwrap();
    m.init(None).unwrap();
    m.send_sms("+1408", "hi").unwrap();
    assert_eq!(sim.sent().len(), 1);
    assert!(m.unsolicited.iter().any(|u| u.starts_with("+CMTI")));
}

#[test]
fn received_messages_are_read_and_deleted() {
    let sim = ModemSim::start(Options::default());
    let mut m = open(&sim.path, 115_200, TIMEOUT).unwrap();
    m.init(None).unwrap();
    sim.receive("+14085550120", "ACK 123456");
    sim.receive("+14085550199", "RING me back");
    let got = m.read_all().unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].from.as_str(), got[0].text.as_str()),
        ("+14085550120", "ACK 123456")
    );
    assert_eq!(
        got[1].text, "RING me back",
        "a message's text is never taken for a result code"
    );
    for s in got {
        m.delete(s.index).unwrap();
    }
    assert_eq!(sim.inbox_len(), 0);
}

#[test]
fn a_silent_modem_times_out_with_a_clear_error() {
    let sim = ModemSim::start(Options {
        silent: true,
        ..Default::default()
    });
    let mut m = open(&sim.path, 115_200, Duration::from_millis(300)).unwrap();
    let e = m.init(None).unwrap_err();
    assert!(
        matches!(e, ModemError::Timeout { .. }) && e.transient(),
        "{e}"
    );
    assert!(e.to_string().contains("is it connected and powered"), "{e}");
}

/// A port that yields fixed bytes and swallows writes.
struct Replay(io::Cursor<Vec<u8>>);

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(io::Error::new(io::ErrorKind::TimedOut, "quiet")),
            n => Ok(n),
        }
    }
}

impl Write for Replay {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn random_bytes_never_panic_and_memory_stays_bounded() {
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..120 {
        let len = (next() % 20_000) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| match next() % 8 {
                0 => b'\r',
                1 => b'\n',
                2 => b'>',
                _ => (next() & 0xff) as u8,
            })
            .collect();
        let mut m = AtModem::new(Replay(io::Cursor::new(bytes)), Duration::from_millis(2));
        // Whatever comes back, it is a result, not a panic.
        let _ = m.exec("AT", Duration::from_millis(5));
        let _ = m.send_sms("+1", "x");
        let _ = m.read_all();
        assert!(m.unsolicited.len() < 20_000, "round {round}");
    }
}
