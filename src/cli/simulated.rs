//! `run --simulate`: simulated peripherals on pseudo-terminals in place of
//! `[devices.*]` (and a GSM modem when `[alerts.sms]` is not set up).

use super::says::say;
use crate::config::Loaded;
#[cfg(feature = "simulate")]
use anyhow::Context;
use std::path::Path;
#[cfg(feature = "simulate")]
use std::time::Duration;

/// The simulators kept alive while the service runs.
#[cfg(feature = "simulate")]
pub type Simulators = Option<(
    crate::devices::sim::printer::PrinterSim,
    crate::devices::sim::LineSim,
    crate::devices::sim::LineSim,
    crate::devices::sim::sign::SignSim,
    Option<crate::devices::sim::modem::ModemSim>,
)>;
#[cfg(not(feature = "simulate"))]
pub type Simulators = ();

/// With `simulate`, the config with simulated devices on ptys: a printer
/// that writes each receipt as a PNG into `simulated/` in the data folder,
/// a scanner, a door sign (also a PNG there), a panic button, and — when
/// `[alerts.sms]` is not set up — a GSM modem that takes the text messages.
pub fn simulated(
    mut loaded: Loaded,
    data_dir: &Path,
    simulate: bool,
) -> anyhow::Result<(Loaded, Simulators)> {
    if !simulate {
        return Ok((loaded, Default::default()));
    }
    #[cfg(feature = "simulate")]
    {
        use crate::config::{
            Devices, LineEnd, PanicSettings, Paper, PrinterSettings, ScannerSettings, SignSettings,
        };
        use crate::devices::sim::{modem::ModemSim, printer::PrinterSim, sign::SignSim, LineSim};
        let out = data_dir.join("simulated");
        // The data folder itself is the service user's alone (0700).
        std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
            .recursive(true)
            .create(&out)
            .with_context(|| {
                say!(
                    "cannot make {folder} for simulated receipts",
                    folder = out.display()
                )
            })?;
        let printer = PrinterSim::start(Some(out.clone()))?;
        let scanner = LineSim::start()?;
        let sign = SignSim::start(400, 300, Some(out.join("door-sign.png")))?;
        let panic = LineSim::start()?
            .with_heartbeat(b"HELLO simulated\n", Duration::from_secs(3600))
            .with_heartbeat(b"ALIVE\n", Duration::from_secs(5));
        eprintln!(
            "{}",
            say!(
                "threshold: simulated printer {printer}, scanner {scanner}, door sign {sign}, panic button {panic}; receipts and the sign as PNG in {folder}",
                printer = printer.path.display(),
                scanner = scanner.path.display(),
                sign = sign.path.display(),
                panic = panic.path.display(),
                folder = out.display()
            )
        );
        loaded.config.devices = Devices {
            printer: Some(PrinterSettings {
                port: printer.path.clone(),
                baud: 19200,
                paper: Paper::Mm80,
            }),
            scanner: Some(ScannerSettings {
                port: scanner.path.clone(),
                baud: 9600,
                line_end: LineEnd::Cr,
            }),
            sign: Some(SignSettings {
                port: sign.path.clone(),
                baud: 115200,
                width: 400,
                height: 300,
            }),
            panic: Some(PanicSettings {
                port: panic.path.clone(),
                baud: 9600,
            }),
        };
        let mut modem = None;
        if loaded.config.alerts.sms.is_none() {
            let sim = ModemSim::try_start(Default::default())?;
            eprintln!(
                "{}",
                say!(
                    "threshold: simulated GSM modem {port}: text messages to contacts with a phone are logged, not sent",
                    port = sim.path.display()
                )
            );
            loaded.config.alerts.sms =
                toml::from_str(&format!("modem = {:?}", sim.path.display().to_string())).ok();
            // Contacts with a phone can be paged now.
            let phones: Vec<String> = loaded
                .config
                .contacts
                .iter()
                .enumerate()
                .filter(|(_, c)| c.phone.is_some())
                .map(|(i, _)| format!("contacts[{i}]"))
                .collect();
            loaded.warnings.retain(|w| !phones.contains(&w.key));
            modem = Some(sim);
        }
        Ok((loaded, Some((printer, scanner, panic, sign, modem))))
    }
    #[cfg(not(feature = "simulate"))]
    {
        let _ = (data_dir, &mut loaded);
        anyhow::bail!(say!(
            "--simulate: this build has no simulated devices; build with `cargo run --features simulate`"
        ))
    }
}
