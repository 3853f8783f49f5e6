//! `threshold devices`: list the peripherals and their state, test one for
//! the installer, draw the door sign.

use super::args::DevicesCmd;
use crate::config::Loaded;
use crate::devices::hub::{read_states, DeviceEvent, DeviceState, Hub};
use crate::devices::printer::{self, ReceiptPrinter};
use crate::render::receipt::{render, Receipt};
use anyhow::{anyhow, Context};
use std::path::Path;
use std::time::Duration;

/// Run a `devices` command; `Ok(false)` means a device failed its test.
pub fn run(cmd: &DevicesCmd, loaded: &Loaded, data_dir: &Path, json: bool) -> anyhow::Result<bool> {
    match cmd {
        DevicesCmd::List => {
            let states = match read_states(&data_dir.join("devices.json")) {
                Some(s) => s,
                None => probe(loaded),
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&states)?);
            } else if states.is_empty() {
                println!("no devices configured ([devices.*] in the config)");
            } else {
                for s in &states {
                    println!(
                        "{:<8} {:<28} {:<13} {}",
                        s.device,
                        s.port,
                        if s.connected {
                            "connected"
                        } else {
                            "NOT CONNECTED"
                        },
                        s.detail
                    );
                }
            }
            Ok(states.iter().all(|s| s.connected))
        }
        DevicesCmd::Test { device } => test(device, loaded),
        DevicesCmd::Sign { out } => {
            let (w, h) = loaded
                .config
                .devices
                .sign
                .as_ref()
                .map_or((400, 300), |s| (s.width, s.height));
            let content = crate::render::sign::SignContent {
                officials_on_site: false,
                titles: loaded
                    .config
                    .facility
                    .languages
                    .iter()
                    .map(|l| (*l, loaded.profile.notice.title.get(*l).to_string()))
                    .collect(),
            };
            std::fs::write(out, crate::render::sign::render(&content, w, h).to_png())
                .with_context(|| format!("--out: cannot write {}", out.display()))?;
            Ok(true)
        }
    }
}

/// The service is not running: open each configured port to see.
fn probe(loaded: &Loaded) -> Vec<DeviceState> {
    let d = &loaded.config.devices;
    let mut out = Vec::new();
    if let Some(p) = &d.printer {
        let (connected, detail) = match printer::open(&p.port, p.baud) {
            Ok(mut pr) => match pr.status() {
                Ok(s) if s.paper_out => (false, "out of paper".to_string()),
                Ok(s) if s.cover_open => (false, "cover open".to_string()),
                Ok(_) => (true, "ready".to_string()),
                Err(e) => (false, e.to_string()),
            },
            Err(e) => (false, format!("cannot open: {e}")),
        };
        out.push(DeviceState {
            device: "printer".into(),
            port: p.port.display().to_string(),
            connected,
            detail,
        });
    }
    let lines = [
        ("scanner", d.scanner.as_ref().map(|s| (&s.port, s.baud))),
        ("sign", d.sign.as_ref().map(|s| (&s.port, s.baud))),
        ("panic", d.panic.as_ref().map(|s| (&s.port, s.baud))),
    ];
    for (name, dev) in lines {
        if let Some((port, baud)) = dev {
            let opened = serialport::new(port.to_string_lossy(), baud).open_native();
            out.push(DeviceState {
                device: name.into(),
                port: port.display().to_string(),
                connected: opened.is_ok(),
                detail: match opened {
                    Ok(_) => "the port opens (service not running)".into(),
                    Err(e) => format!("cannot open: {e}"),
                },
            });
        }
    }
    out
}

fn test(device: &str, loaded: &Loaded) -> anyhow::Result<bool> {
    let d = &loaded.config.devices;
    match device {
        "printer" => {
            let p = d
                .printer
                .as_ref()
                .ok_or_else(|| anyhow!("no [devices.printer] in the config"))?;
            let mut pr = printer::open(&p.port, p.baud)
                .with_context(|| format!("cannot open the printer at {}", p.port.display()))?;
            let lang = loaded.config.facility.languages[0];
            let receipt = Receipt::VisitorPass {
                facility: loaded.config.facility.name.clone(),
                purpose: "TEST".into(),
                name: None,
                at: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
                reference: "TEST".into(),
                lang,
            };
            match pr.print(&render(&receipt, p.paper.dots())) {
                Ok(()) => {
                    println!("printer: a test receipt was sent to {}", p.port.display());
                    Ok(true)
                }
                Err(e) => {
                    println!("printer: {e}");
                    Ok(false)
                }
            }
        }
        "scanner" | "panic" => {
            let mut only = crate::config::Devices::default();
            match device {
                "scanner" => only.scanner = d.scanner.clone(),
                _ => only.panic = d.panic.clone(),
            }
            if only.scanner.is_none() && only.panic.is_none() {
                return Err(anyhow!("no [devices.{device}] in the config"));
            }
            let (tx, mut rx) = tokio::sync::mpsc::channel(4);
            let _hub = Hub::start(&only, tx, None);
            println!(
                "{device}: waiting 30 s for a {}",
                if device == "panic" { "press" } else { "scan" }
            );
            let end = std::time::Instant::now() + Duration::from_secs(30);
            while std::time::Instant::now() < end {
                match rx.try_recv() {
                    Ok(DeviceEvent::Scan(code)) => {
                        println!("scanner: read {} characters", code.chars().count());
                        return Ok(true);
                    }
                    Ok(DeviceEvent::Panic) => {
                        println!("panic: press received (nothing was paged: this is a test)");
                        return Ok(true);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
            println!("{device}: nothing arrived in 30 s");
            Ok(false)
        }
        "modem" => {
            let sms = loaded.config.alerts.sms.as_ref();
            let Some(path) = sms.and_then(|s| s.modem.as_ref()) else {
                return Err(anyhow!("no modem in the config ([alerts.sms] modem)"));
            };
            let baud = sms.map_or(115200, |s| s.baud);
            let mut m = crate::devices::modem::open(path, baud, Duration::from_secs(5))
                .with_context(|| format!("cannot open the modem at {}", path.display()))?;
            let pin = match sms.and_then(|s| s.sim_pin_file.as_ref()) {
                Some(f) => Some(
                    crate::config::read_secret(&loaded.base_dir.join(f))
                        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                        .map_err(|e| anyhow!("{e}"))?,
                ),
                None => None,
            };
            match m.init(pin.as_deref()).and_then(|_| m.signal()) {
                Ok(Some(q)) => {
                    println!("modem: ready on {}, signal {q}/31 (send a test message with `threshold alerts test`)", path.display());
                    Ok(true)
                }
                Ok(None) => {
                    println!(
                        "modem: ready on {}, signal unknown (no network yet?)",
                        path.display()
                    );
                    Ok(true)
                }
                Err(e) => {
                    println!("modem: {e}");
                    Ok(false)
                }
            }
        }
        "sign" => {
            use crate::devices::sign::DoorSign;
            let s = d
                .sign
                .as_ref()
                .ok_or_else(|| anyhow!("no [devices.sign] in the config"))?;
            let mut sign = crate::devices::sign::open(&s.port, s.baud)
                .with_context(|| format!("cannot open the door sign at {}", s.port.display()))?;
            let content = crate::render::sign::SignContent {
                officials_on_site: false,
                titles: vec![(
                    loaded.config.facility.languages[0],
                    "TEST — Threshold door sign".into(),
                )],
            };
            let picture = crate::render::sign::render(&content, s.width, s.height);
            match sign
                .ping()
                .and_then(|(w, h)| sign.show(&picture).map(|_| (w, h)))
            {
                Ok((w, h)) => {
                    println!("sign: showing a test picture ({w}x{h} dots reported)");
                    Ok(true)
                }
                Err(e) => {
                    println!("sign: {e}");
                    Ok(false)
                }
            }
        }
        other => Err(anyhow!(
            "unknown device `{other}`; allowed: printer, scanner, modem, sign, panic"
        )),
    }
}
