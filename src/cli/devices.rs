//! `threshold devices`: list the peripherals and their state, test one for
//! the installer, draw the door sign.

use super::args::DevicesCmd;
use super::says::{say, table};
use crate::config::Loaded;
use crate::devices::health::{read_status, Health, PartKind, PartState, STATUS_FILE};
use crate::devices::hub::{DeviceEvent, Hub};
use crate::devices::printer::{self, ReceiptPrinter};
use crate::render::receipt::{render, Receipt};
use anyhow::{anyhow, Context};
use serde_json::json;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// Run a `devices` command; `Ok(false)` means a device failed its test.
pub fn run(cmd: &DevicesCmd, loaded: &Loaded, data_dir: &Path, json: bool) -> anyhow::Result<bool> {
    match cmd {
        DevicesCmd::List => {
            let running = read_status(&data_dir.join(STATUS_FILE));
            let parts = match &running {
                Some(parts) => parts.clone(),
                None => probe(loaded),
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({ "service_running": running.is_some(), "parts": parts })
                    )?
                );
            } else {
                if running.is_none() {
                    println!(
                        "{}",
                        say!("(the service is not running: the ports were opened to look)")
                    );
                }
                if parts.is_empty() {
                    println!(
                        "{}",
                        say!("no devices configured ([devices.*] in the config)")
                    );
                }
                let red = std::io::stdout().is_terminal();
                let broken = say!("NOT WORKING");
                let rows: Vec<Vec<String>> = parts
                    .iter()
                    .map(|p| {
                        let state = if p.working {
                            say!("working")
                        } else {
                            broken.clone()
                        };
                        vec![p.part.clone(), p.location.clone(), state, p.detail.clone()]
                    })
                    .collect();
                for line in table(&rows) {
                    if red && line.contains(&broken) {
                        println!(
                            "{}",
                            line.replacen(&broken, &format!("\x1b[1;31m{broken}\x1b[0m"), 1)
                        );
                    } else {
                        println!("{line}");
                    }
                }
                print_broken(
                    &parts
                        .iter()
                        .filter(|p| !p.working)
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
            Ok(parts.iter().all(|p| p.working))
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
                titles: loaded.notice_titles(),
            };
            std::fs::write(out, crate::render::sign::render(&content, w, h).to_png())
                .with_context(|| say!("--out: cannot write {file}", file = out.display()))?;
            Ok(true)
        }
    }
}

/// What to do about each part that does not work, after a table.
pub fn print_broken(broken: &[PartState]) {
    if broken.is_empty() {
        return;
    }
    let red = std::io::stdout().is_terminal();
    println!();
    for p in broken {
        let head = say!(
            "{part} is not working: {detail}",
            part = p.part,
            detail = p.detail
        );
        if red {
            println!("\x1b[1;31m{head}\x1b[0m");
        } else {
            println!("{head}");
        }
        if !p.fix.is_empty() {
            println!("  {}", say!("what to do: {fix}", fix = p.fix));
        }
    }
}

/// A device found by opening its port.
fn probed(part: &str, port: &Path, working: bool, detail: String) -> PartState {
    PartState {
        part: part.into(),
        kind: PartKind::Device,
        location: port.display().to_string(),
        working,
        fix: if working {
            String::new()
        } else {
            say!(
                "Check that the {part} is plugged in and switched on, and the udev rule that names {port}.",
                part = part,
                port = port.display()
            )
        },
        detail,
    }
}

/// The service is not running: open each configured port to see.
fn probe(loaded: &Loaded) -> Vec<PartState> {
    let d = &loaded.config.devices;
    let mut out = Vec::new();
    if let Some(p) = &d.printer {
        let (connected, detail) = match printer::open(&p.port, p.baud) {
            Ok(mut pr) => match pr.status() {
                Ok(s) if s.paper_out => (false, say!("out of paper")),
                Ok(s) if s.cover_open => (false, say!("cover open")),
                Ok(_) => (true, say!("ready")),
                Err(e) => (false, e.to_string()),
            },
            Err(e) => (false, say!("cannot open: {error}", error = e)),
        };
        out.push(probed("printer", &p.port, connected, detail));
    }
    let lines = [
        ("scanner", d.scanner.as_ref().map(|s| (&s.port, s.baud))),
        ("sign", d.sign.as_ref().map(|s| (&s.port, s.baud))),
        ("panic", d.panic.as_ref().map(|s| (&s.port, s.baud))),
    ];
    for (name, dev) in lines {
        if let Some((port, baud)) = dev {
            let opened = serialport::new(port.to_string_lossy(), baud).open_native();
            let working = opened.is_ok();
            let detail = match opened {
                Ok(_) => say!("the port opens (service not running)"),
                Err(e) => say!("cannot open: {error}", error = e),
            };
            out.push(probed(name, port, working, detail));
        }
    }
    if let Some(path) = loaded
        .config
        .alerts
        .sms
        .as_ref()
        .and_then(|s| s.modem.as_ref())
    {
        let opened = serialport::new(path.to_string_lossy(), 115_200).open_native();
        let working = opened.is_ok();
        let detail = match opened {
            Ok(_) => say!("the port opens (service not running; `devices test modem` asks it)"),
            Err(e) => say!("cannot open: {error}", error = e),
        };
        out.push(probed("modem", path, working, detail));
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
                .ok_or_else(|| anyhow!(say!("no [devices.printer] in the config")))?;
            let mut pr = printer::open(&p.port, p.baud).with_context(|| {
                say!("cannot open the printer at {port}", port = p.port.display())
            })?;
            let lang = loaded.config.facility.languages[0];
            let receipt = Receipt::VisitorPass {
                facility: loaded.config.facility.name.clone(),
                purpose: "TEST".into(),
                name: None,
                at: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
                reference: "TEST".into(),
                record: None,
                lang,
            };
            match pr.print(&render(&receipt, p.paper.dots())) {
                Ok(()) => {
                    println!(
                        "{}",
                        say!(
                            "printer: a test receipt was sent to {port}",
                            port = p.port.display()
                        )
                    );
                    Ok(true)
                }
                Err(e) => {
                    println!("{}", say!("printer: {error}", error = e));
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
                return Err(anyhow!(say!(
                    "no [devices.{device}] in the config",
                    device = device
                )));
            }
            let (tx, mut rx) = tokio::sync::mpsc::channel(4);
            let _hub = Hub::start(&only, tx, Health::default());
            if device == "panic" {
                println!("{}", say!("panic: waiting 30 s for a press"));
            } else {
                println!("{}", say!("scanner: waiting 30 s for a scan"));
            }
            let end = std::time::Instant::now() + Duration::from_secs(30);
            while std::time::Instant::now() < end {
                match rx.try_recv() {
                    Ok(DeviceEvent::Scan(code)) => {
                        println!(
                            "{}",
                            say!("scanner: read {n} characters", n = code.chars().count())
                        );
                        return Ok(true);
                    }
                    Ok(DeviceEvent::Panic) => {
                        println!(
                            "{}",
                            say!("panic: press received (nothing was paged: this is a test)")
                        );
                        return Ok(true);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(50)),
                }
            }
            println!(
                "{}",
                say!("{device}: nothing arrived in 30 s", device = device)
            );
            Ok(false)
        }
        "modem" => {
            let sms = loaded.config.alerts.sms.as_ref();
            let Some(path) = sms.and_then(|s| s.modem.as_ref()) else {
                return Err(anyhow!(say!("no modem in the config ([alerts.sms] modem)")));
            };
            let baud = sms.map_or(115200, |s| s.baud);
            let mut m = crate::devices::modem::open(path, baud, Duration::from_secs(5))
                .with_context(|| say!("cannot open the modem at {port}", port = path.display()))?;
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
                    println!(
                        "{}",
                        say!("modem: ready on {port}, signal {signal}/31 (send a test message with `threshold alerts test`)", port = path.display(), signal = q)
                    );
                    Ok(true)
                }
                Ok(None) => {
                    println!(
                        "{}",
                        say!(
                            "modem: ready on {port}, signal unknown (no network yet?)",
                            port = path.display()
                        )
                    );
                    Ok(true)
                }
                Err(e) => {
                    println!("{}", say!("modem: {error}", error = e));
                    Ok(false)
                }
            }
        }
        "sign" => {
            use crate::devices::sign::DoorSign;
            let s = d
                .sign
                .as_ref()
                .ok_or_else(|| anyhow!(say!("no [devices.sign] in the config")))?;
            let mut sign = crate::devices::sign::open(&s.port, s.baud).with_context(|| {
                say!(
                    "cannot open the door sign at {port}",
                    port = s.port.display()
                )
            })?;
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
                    println!(
                        "{}",
                        say!(
                            "sign: showing a test picture ({size} dots reported)",
                            size = format!("{w}x{h}")
                        )
                    );
                    Ok(true)
                }
                Err(e) => {
                    println!("{}", say!("sign: {error}", error = e));
                    Ok(false)
                }
            }
        }
        other => Err(anyhow!(say!(
            "unknown device `{device}`; allowed: printer, scanner, modem, sign, panic",
            device = other
        ))),
    }
}
