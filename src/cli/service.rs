//! `threshold run`: the services on a tokio runtime of their own thread (the
//! alert dispatcher, the acknowledge-link web server, retention), and the
//! kiosk window on the main thread when there is a display.

use super::args::RunArgs;
use crate::admin::{self, AppState};
use crate::alerts::{Channels, Dispatcher};
use crate::app::{Desk, SystemClock};
use crate::config::Loaded;
use crate::store::Store;
use anyhow::Context;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often retention runs while the service is up.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// How often the dispatcher looks for due pages, escalations and pages
/// queued by other processes.
const ALERT_POLL: Duration = Duration::from_millis(250);

fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Run until Ctrl-C or SIGTERM.
pub fn run(loaded: Loaded, data_dir: &Path, args: &RunArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    // With --simulate the devices (and, when none is set up, the modem for
    // text messages) are simulators on pseudo-terminals.
    let (loaded, _simulators) = simulated(loaded, data_dir, args.simulate)?;
    let store = Store::open(data_dir, &loaded.config.facility.id)?;
    let channels = Channels::from_config(&loaded)?;
    let dispatcher = Dispatcher::new(
        loaded.clone(),
        Store::open(data_dir, &loaded.config.facility.id)?,
        channels,
        SystemClock,
    )?;
    let tls = loaded
        .tls_files()
        .map(|(cert, key)| admin::serve::tls_config(&cert, &key))
        .transpose()?;
    let listen = loaded.config.admin.listen;
    let listener = std::net::TcpListener::bind(listen).with_context(|| {
        format!("[admin] listen: cannot listen on {listen}; is another program using it?")
    })?;
    listener.set_nonblocking(true)?;
    let listen = listener.local_addr()?;
    let facility = loaded.config.facility.name.clone();
    let window = !args.headless && display_available();
    if args.headless {
        eprintln!("threshold: running headless (services only) for {facility}");
    } else if !window {
        eprintln!("threshold: no display (DISPLAY and WAYLAND_DISPLAY are unset); running the services headless for {facility}");
    } else {
        eprintln!("threshold: opening the kiosk window for {facility}");
    }
    eprintln!(
        "threshold: data in {}; stop with Ctrl-C",
        data_dir.display()
    );
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("threshold: admin web and acknowledge links on {scheme}://{listen}");
    if crate::store::accounts::list(store.conn())?.is_empty() {
        eprintln!("threshold: no admin-web accounts yet; create one with `threshold user add NAME --role manager`");
    }
    for warning in &loaded.warnings {
        tracing::warn!("config: {warning}");
    }
    let kiosk_loaded = Arc::new(loaded.clone());
    let kiosk_desk = Desk::new(
        loaded.clone(),
        Store::open(data_dir, &loaded.config.facility.id)?,
        SystemClock,
    );
    let source = if args.simulate {
        Box::new(crate::app::kiosk::DemoSource::default())
    } else {
        crate::app::kiosk::Session::source_for(&loaded)
    };
    let session = crate::app::kiosk::Session::new(&loaded, source, std::time::Instant::now());
    let devices = loaded.config.devices.clone();
    let (events_tx, mut events_rx) = tokio::sync::mpsc::channel(32);
    let any_device = devices.printer.is_some()
        || devices.scanner.is_some()
        || devices.panic.is_some()
        || devices.sign.is_some();
    let hub = any_device.then(|| {
        Arc::new(crate::devices::hub::Hub::start(
            &devices,
            events_tx,
            Some(data_dir.join("devices.json")),
        ))
    });
    let sign_hub = hub.clone().filter(|_| devices.sign.is_some());
    let sign_store = Store::open(data_dir, &loaded.config.facility.id)?;
    let sign_titles: Vec<_> = loaded
        .config
        .facility
        .languages
        .iter()
        .map(|l| (*l, loaded.profile.notice.title.get(*l).to_string()))
        .collect();
    let (scans_tx, scans_rx) = tokio::sync::mpsc::channel::<String>(8);
    let kiosk_devices = crate::ui::KioskDevices {
        hub: hub.clone(),
        scans: Some(scans_rx),
    };
    let web_loaded = Arc::new(loaded.clone());
    let desk = Arc::new(Mutex::new(Desk::new(loaded, store, SystemClock)));
    let web_state = AppState::new(desk.clone(), web_loaded, data_dir, tls.is_some())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // The services run on their own thread; the main thread belongs to the
    // kiosk window (Slint's event loop) when there is one.
    let handle = runtime.handle().clone();
    let (window_closed, mut window_gone) = tokio::sync::oneshot::channel::<()>();
    let services = std::thread::spawn(move || {
        runtime.block_on(async move {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut stopped_alerts = stopped.clone();
        let alerts = tokio::spawn(dispatcher.run(ALERT_POLL, async move {
            let _ = stopped_alerts.wait_for(|s| *s).await;
        }));
        let mut stopped_web = stopped.clone();
        let web = tokio::spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            admin::serve(listener, admin::router(web_state), tls, async move {
                let _ = stopped_web.wait_for(|s| *s).await;
            })
            .await
        });
        drop(stopped);
        // Device events: the panic button opens an encounter and pages at
        // once (headless too); scans go to the kiosk window, if any.
        let panic_desk = desk.clone();
        tokio::spawn(async move {
            while let Some(event) = events_rx.recv().await {
                match event {
                    crate::devices::hub::DeviceEvent::Panic => {
                        let desk = panic_desk.clone();
                        let opened = tokio::task::spawn_blocking(move || {
                            desk.lock()
                                .map_err(|_| anyhow::anyhow!("the store lock was poisoned"))?
                                .panic_pressed()
                                .map_err(anyhow::Error::from)
                        })
                        .await;
                        match opened {
                            Ok(Ok(id)) => tracing::warn!(encounter = %id, "panic button: encounter opened, every tier through rapid response paged"),
                            Ok(Err(e)) => tracing::error!(error = %e, "panic button pressed but the encounter could not be recorded"),
                            Err(e) => tracing::error!(error = %e, "panic task failed"),
                        }
                    }
                    crate::devices::hub::DeviceEvent::Scan(code) => {
                        if scans_tx.try_send(code).is_err() {
                            tracing::info!("a scan arrived with no kiosk window to take it");
                        }
                    }
                }
            }
        });
        // The door sign follows the open encounters.
        if let Some(hub) = sign_hub {
            tokio::spawn(async move {
                let mut last = None;
                let mut every = tokio::time::interval(Duration::from_secs(2));
                loop {
                    every.tick().await;
                    let on_site = tokio::task::block_in_place(|| {
                        sign_store.conn().query_row(
                            "SELECT EXISTS (SELECT 1 FROM encounters WHERE closed_at IS NULL AND drill = 0)",
                            [],
                            |r| r.get::<_, bool>(0),
                        )
                    });
                    let Ok(on_site) = on_site else { continue };
                    let content = crate::render::sign::SignContent {
                        officials_on_site: on_site,
                        titles: sign_titles.clone(),
                    };
                    if last.as_ref() != Some(&content) {
                        hub.show_on_sign(content.clone());
                        last = Some(content);
                    }
                }
            });
        }
        // systemd: ready now, and a watchdog ping while the runtime runs.
        super::notify::notify("READY=1");
        if let Some(every) = super::notify::watchdog_every() {
            tokio::spawn(async move {
                let mut t = tokio::time::interval(every);
                loop {
                    t.tick().await;
                    super::notify::notify("WATCHDOG=1");
                }
            });
        }
        let mut tick = tokio::time::interval(RETENTION_EVERY);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let desk = desk.clone();
                    let result = tokio::task::spawn_blocking(move || {
                        desk.lock().map_err(|_| anyhow::anyhow!("the store lock was poisoned"))?.purge(false).map_err(anyhow::Error::from)
                    }).await;
                    match result {
                        Ok(Ok(s)) => tracing::info!(checkins = s.checkins, encounters = s.encounters, vault_rows = s.vault_rows, page_files = s.page_files, "retention ran"),
                        Ok(Err(e)) => tracing::error!(error = %e, "retention failed; it runs again in an hour"),
                        Err(e) => tracing::error!(error = %e, "retention task stopped unexpectedly"),
                    }
                }
                _ = stop_requested(&mut window_gone) => {
                    tracing::info!("stopping");
                    let _ = stop.send(true);
                    if let Err(e) = alerts.await {
                        tracing::error!(error = %e, "the alert dispatcher stopped unexpectedly");
                    }
                    match web.await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::error!(error = %e, "the web server failed"),
                        Err(e) => tracing::error!(error = %e, "the web server stopped unexpectedly"),
                    }
                    break;
                }
            }
        }
    })
    });
    if window {
        if let Err(e) =
            crate::ui::run_window(kiosk_loaded, kiosk_desk, session, kiosk_devices, &handle)
        {
            eprintln!("threshold: cannot open the kiosk window on this display ({e}); running the services headless");
        } else {
            let _ = window_closed.send(());
        }
    }
    services
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    Ok(())
}

/// Resolves on Ctrl-C, SIGTERM, or when the kiosk window was closed.
async fn stop_requested(window_gone: &mut tokio::sync::oneshot::Receiver<()>) {
    tokio::select! {
        _ = shutdown() => {}
        Ok(()) = window_gone => {}
    }
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// The simulators kept alive while the service runs.
#[cfg(feature = "simulate")]
type Simulators = Option<(
    crate::devices::sim::printer::PrinterSim,
    crate::devices::sim::LineSim,
    crate::devices::sim::LineSim,
    crate::devices::sim::sign::SignSim,
    Option<crate::devices::sim::modem::ModemSim>,
)>;
#[cfg(not(feature = "simulate"))]
type Simulators = ();

/// With `simulate`, the config with simulated devices on ptys: a printer
/// that writes each receipt as a PNG into `simulated/` in the data folder,
/// a scanner, a door sign (also a PNG there), a panic button, and — when
/// `[alerts.sms]` is not set up — a GSM modem that takes the text messages.
fn simulated(
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
        std::fs::create_dir_all(&out)
            .with_context(|| format!("cannot make {} for simulated receipts", out.display()))?;
        let printer = PrinterSim::start(Some(out.clone()))?;
        let scanner = LineSim::start()?;
        let sign = SignSim::start(400, 300, Some(out.join("door-sign.png")))?;
        let panic = LineSim::start()?
            .with_heartbeat(b"HELLO simulated\n", Duration::from_secs(3600))
            .with_heartbeat(b"ALIVE\n", Duration::from_secs(5));
        eprintln!(
            "threshold: simulated printer {}, scanner {}, door sign {}, panic button {}; receipts and the sign as PNG in {}",
            printer.path.display(),
            scanner.path.display(),
            sign.path.display(),
            panic.path.display(),
            out.display()
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
                "threshold: simulated GSM modem {}: text messages to contacts with a phone are logged, not sent",
                sim.path.display()
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
        anyhow::bail!("--simulate: this build has no simulated devices; build with `cargo run --features simulate`")
    }
}
