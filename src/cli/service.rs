//! `threshold run`: the composition root. It names the service's parts —
//! the record (its writer thread), the alert dispatcher, the devices, the
//! admin web, retention, the kiosk window — and one shutdown. The parts run
//! on a tokio runtime of their own thread; the kiosk window owns the main
//! thread when there is a display. A part that fails (a channel, a device,
//! the web port) is posted as broken to the health board and the rest keep
//! the door open.

use super::args::RunArgs;
use super::says::say;
use super::simulated::simulated;
use crate::admin::{self, AppState};
use crate::alerts::{Channels, Dispatcher};
use crate::app::{Desk, SystemClock};
use crate::config::Loaded;
use crate::devices::health::{Health, PartKind, STATUS_FILE};
use crate::devices::hub::{DeviceEvent, Hub};
use anyhow::Context;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often retention runs while the service is up.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);
/// How often the dispatcher looks for pages other processes queued, due
/// retries, fallbacks and escalations (this process's own commits wake it
/// at once).
pub const ALERT_POLL: Duration = Duration::from_millis(250);
/// How often the door sign's content is checked against the record.
const SIGN_EVERY: Duration = Duration::from_secs(2);
/// After the shutdown starts, the parts get this long in all to finish.
const STOP_WITHIN: Duration = Duration::from_millis(4500);

fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// One shutdown for every part: Ctrl-C, SIGTERM, or the window closing.
#[derive(Clone)]
struct Shutdown(watch::Sender<bool>);

impl Shutdown {
    fn start(&self) {
        self.0.send_replace(true);
    }

    fn watch(&self) -> watch::Receiver<bool> {
        self.0.subscribe()
    }

    async fn wait(mut rx: watch::Receiver<bool>) {
        let _ = rx.wait_for(|s| *s).await;
    }
}

/// Run until Ctrl-C or SIGTERM (or the kiosk window is closed).
pub fn run(loaded: Loaded, data_dir: &Path, args: &RunArgs) -> anyhow::Result<()> {
    init_tracing();
    if !args.simulate {
        if let Some(first) = loaded.demo_resource_numbers().into_iter().next() {
            anyhow::bail!("{first}");
        }
    }
    let facility = loaded.config.facility.name.clone();
    let window = !args.headless && display_available();
    if args.headless {
        eprintln!(
            "{}",
            say!(
                "threshold: running headless (services only) for {facility}",
                facility = facility
            )
        );
    } else if !window {
        eprintln!(
            "{}",
            say!("threshold: no display (DISPLAY and WAYLAND_DISPLAY are unset); running the services headless for {facility}", facility = facility)
        );
    } else {
        eprintln!(
            "{}",
            say!(
                "threshold: opening the kiosk window for {facility}",
                facility = facility
            )
        );
    }
    // With --simulate the devices (and, when none is set up, the modem for
    // text messages) are simulators on pseudo-terminals.
    let (loaded, _simulators) = simulated(loaded, data_dir, args.simulate)?;
    let loaded = Arc::new(loaded);
    let desk = Desk::open(loaded.clone(), data_dir, SystemClock)?;
    eprintln!(
        "{}",
        say!(
            "threshold: data in {folder}; stop with Ctrl-C",
            folder = data_dir.display()
        )
    );
    if desk.accounts()?.is_empty() {
        eprintln!(
            "{}",
            say!("threshold: no admin-web accounts yet; create one with `threshold user add NAME --role manager`")
        );
    }
    for warning in &loaded.warnings {
        tracing::warn!("config: {warning}");
    }
    let health = Health::new(Some(data_dir.join(STATUS_FILE)));
    let shutdown = Shutdown(watch::channel(false).0);
    let (events_tx, events_rx) = tokio::sync::mpsc::channel(32);
    let hub = start_devices(&loaded, events_tx, &health);
    let speaker = start_speech(&loaded, &health);
    let (scans_tx, scans_rx) = tokio::sync::mpsc::channel::<String>(8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("threshold-services")
        .enable_all()
        .build()?;
    let handle = runtime.handle().clone();
    let services = {
        let (desk, health, shutdown, hub) =
            (desk.clone(), health.clone(), shutdown.clone(), hub.clone());
        let simulate = args.simulate;
        std::thread::Builder::new()
            .name("threshold-runtime".into())
            .spawn(move || {
                runtime.block_on(services(
                    desk, health, hub, events_rx, scans_tx, shutdown, window, simulate,
                ))
            })
            .context(say!("cannot start the services' thread"))?
    };
    if window {
        let source = if args.simulate {
            Box::new(crate::app::kiosk::DemoSource::default())
        } else {
            crate::app::kiosk::Session::source_for(&loaded)
        };
        let session = crate::app::kiosk::Session::new(&loaded, source, std::time::Instant::now());
        let devices = crate::ui::KioskDevices {
            hub,
            scans: Some(scans_rx),
            health: health.clone(),
            speaker,
        };
        match crate::ui::run_window(loaded.clone(), desk, session, devices, &handle) {
            Ok(()) => shutdown.start(),
            Err(e) => eprintln!(
                "{}",
                say!("threshold: cannot open the kiosk window on this display ({error}); running the services headless", error = e)
            ),
        }
    }
    services
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    Ok(())
}

pub(super) fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Every part on the runtime, until the shutdown; then each gets what is
/// left of [`STOP_WITHIN`] to finish (the dispatcher journals its pages).
#[allow(clippy::too_many_arguments)]
async fn services(
    desk: Desk,
    health: Health,
    hub: Option<Arc<Hub>>,
    events: tokio::sync::mpsc::Receiver<DeviceEvent>,
    scans: tokio::sync::mpsc::Sender<String>,
    shutdown: Shutdown,
    window: bool,
    simulate: bool,
) {
    let loaded = desk.loaded.clone();
    let mut parts = tokio::task::JoinSet::new();
    parts.spawn(alerts(desk.clone(), health.clone(), shutdown.watch()));
    parts.spawn(web(desk.clone(), health.clone(), shutdown.watch()));
    parts.spawn(retention(desk.clone(), shutdown.watch()));
    if loaded.config.hub.is_some() {
        parts.spawn(shipper(desk.clone(), health.clone(), shutdown.watch()));
        parts.spawn(downstream(desk.clone(), shutdown.watch()));
    }
    tokio::spawn(device_events(desk.clone(), events, scans, window));
    if let Some(hub) = hub.filter(|_| loaded.config.devices.sign.is_some()) {
        tokio::spawn(door_sign(desk.clone(), hub));
    }
    if !simulate {
        capture_state(&loaded, &health);
    }
    // systemd: ready now, and a watchdog ping while the runtime runs.
    super::notify::notify(super::notify::Tell::Ready);
    if let Some(every) = super::notify::watchdog_every() {
        tokio::spawn(async move {
            let mut t = tokio::time::interval(every);
            loop {
                t.tick().await;
                super::notify::notify(super::notify::Tell::Alive);
            }
        });
    }
    tokio::select! {
        () = signalled() => {
            tracing::info!("stopping");
            super::notify::notify(super::notify::Tell::Stopping);
            shutdown.start();
            // The kiosk window, if open, ends its event loop too.
            let _ = slint::quit_event_loop();
        }
        () = Shutdown::wait(shutdown.watch()) => tracing::info!("stopping"),
    }
    let all = async { while parts.join_next().await.is_some() {} };
    if tokio::time::timeout(STOP_WITHIN, all).await.is_err() {
        tracing::warn!("some parts did not stop in time; exiting anyway");
    }
}

/// The alert dispatcher: pages, retries, fallbacks, escalations.
async fn alerts(desk: Desk, health: Health, stop: watch::Receiver<bool>) {
    let channels = Channels::from_config(&desk.loaded, &health);
    match Dispatcher::new(
        desk.loaded.clone(),
        desk.record().clone(),
        channels,
        SystemClock,
    ) {
        Ok(d) => d.run(ALERT_POLL, Shutdown::wait(stop)).await,
        Err(e) => {
            // Without the link key nothing can be paged; say so loudly,
            // and keep the kiosk and the record going.
            health.broken("alerts", PartKind::Service, &desk.record().data_dir().display().to_string(), &e.to_string(), "Give the service user write access to the data folder's keys/ and restart Threshold.");
            Shutdown::wait(stop).await;
        }
    }
}

/// The admin web and the acknowledge links.
async fn web(desk: Desk, health: Health, stop: watch::Receiver<bool>) {
    let loaded = desk.loaded.clone();
    let listen = loaded.config.admin.listen;
    let tls = loaded.tls_files();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let state = match AppState::new(desk, health.clone(), tls.is_some()) {
        Ok(s) => s,
        Err(e) => {
            health.broken("admin-web", PartKind::Service, &listen.to_string(), &e.to_string(), "Give the service user write access to the data folder's keys/ and restart Threshold.");
            return Shutdown::wait(stop).await;
        }
    };
    let (bound, on) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        if let Ok(addr) = on.await {
            eprintln!(
                "{}",
                say!(
                    "threshold: admin web and acknowledge links on {address}",
                    address = format!("{scheme}://{addr}")
                )
            );
        }
    });
    admin::serve::run(state, listen, tls, stop, bound).await;
}

/// The shipper: the record to the city hub, receipts back, heartbeats.
async fn shipper(desk: Desk, health: Health, stop: watch::Receiver<bool>) {
    let url = desk
        .loaded
        .config
        .hub
        .as_ref()
        .map(|h| h.url.clone())
        .unwrap_or_default();
    match crate::app::shipper::Shipper::new(desk, health.clone()) {
        Ok(s) => s.run(stop).await,
        Err(e) => {
            health.broken(crate::app::shipper::PART, PartKind::Service, &url, &e, "Fix [hub] in the config and restart Threshold; the kiosk keeps its record and ships it once the hub is set up.");
            Shutdown::wait(stop).await;
        }
    }
}

/// Commands from the city hub (counsel's acknowledgements and
/// instructions), long-polled and applied. Its failures are the shipper's
/// to show: both talk to the one hub.
async fn downstream(desk: Desk, stop: watch::Receiver<bool>) {
    match crate::app::downstream::Downstream::new(desk) {
        Ok(d) => d.run(stop).await,
        Err(e) => {
            tracing::warn!("no commands from the city hub: {e}");
            Shutdown::wait(stop).await;
        }
    }
}

/// Retention now and every hour.
async fn retention(desk: Desk, stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(RETENTION_EVERY);
    let stopped = Shutdown::wait(stop);
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = &mut stopped => return,
        }
        let d = desk.clone();
        match tokio::task::spawn_blocking(move || d.purge(false)).await {
            Ok(Ok(s)) => tracing::info!(
                checkins = s.checkins,
                encounters = s.encounters,
                vault_rows = s.vault_rows,
                page_files = s.page_files,
                "retention ran"
            ),
            Ok(Err(e)) => tracing::error!(error = %e, "retention failed; it runs again in an hour"),
            Err(e) => tracing::error!(error = %e, "retention task stopped unexpectedly"),
        }
    }
}

/// The kiosk's voice, its state on the health board; `None` when speech
/// is off. Started headless too, so the board says whether this box can
/// speak before a screen is plugged in.
fn start_speech(loaded: &Loaded, health: &Health) -> Option<crate::devices::speech::Speaker> {
    use crate::devices::speech::Speaker;
    let k = &loaded.config.kiosk;
    if k.speech == crate::config::SpeechMode::Off {
        health.working(
            crate::devices::speech::PART,
            PartKind::Device,
            "",
            "off ([kiosk] speech = \"off\")",
        );
        return None;
    }
    let (voices, problem) = k.voices();
    if let Some(e) = problem {
        tracing::warn!(error = %e, "speech clips not used");
    }
    Some(Speaker::start(
        voices,
        k.speech_player.clone(),
        k.speech_volume,
        &loaded.config.facility.languages,
        health.clone(),
    ))
}

/// A thread per configured device, posting to the health board.
fn start_devices(
    loaded: &Loaded,
    events: tokio::sync::mpsc::Sender<DeviceEvent>,
    health: &Health,
) -> Option<Arc<Hub>> {
    let d = &loaded.config.devices;
    let any = d.printer.is_some() || d.scanner.is_some() || d.panic.is_some() || d.sign.is_some();
    any.then(|| Arc::new(Hub::start(d, events, health.clone())))
}

/// Device events: the panic button opens an encounter and pages at once
/// (headless too); scans go to the kiosk window, if any.
async fn device_events(
    desk: Desk,
    mut events: tokio::sync::mpsc::Receiver<DeviceEvent>,
    scans: tokio::sync::mpsc::Sender<String>,
    window: bool,
) {
    while let Some(event) = events.recv().await {
        match event {
            DeviceEvent::Panic => {
                let desk = desk.clone();
                match tokio::task::spawn_blocking(move || desk.panic_pressed()).await {
                    Ok(Ok(id)) => {
                        tracing::warn!(encounter = %id, "panic button: encounter opened, every tier through rapid response paged")
                    }
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "panic button pressed but the encounter could not be recorded")
                    }
                    Err(e) => tracing::error!(error = %e, "panic task failed"),
                }
            }
            DeviceEvent::Scan(code) => {
                if !window || scans.try_send(code).is_err() {
                    tracing::info!("a scan arrived with no kiosk window to take it");
                }
            }
        }
    }
}

/// The door sign follows the open encounters.
async fn door_sign(desk: Desk, hub: Arc<Hub>) {
    let titles = desk.loaded.notice_titles();
    let mut last = None;
    let mut every = tokio::time::interval(SIGN_EVERY);
    loop {
        every.tick().await;
        let d = desk.clone();
        let Ok(Ok(on_site)) = tokio::task::spawn_blocking(move || d.officials_on_site()).await
        else {
            continue;
        };
        let content = crate::render::sign::SignContent {
            // The profile decides whether the sign announces officials.
            officials_on_site: on_site && desk.loaded.profile.sign.announces_officials,
            titles: titles.clone(),
        };
        if last.as_ref() != Some(&content) {
            hub.show_on_sign(content.clone());
            last = Some(content);
        }
    }
}

/// Whether the kiosk can capture document pages, on the health board.
fn capture_state(loaded: &Loaded, health: &Health) {
    if let Some(problem) = crate::app::kiosk::capture_problem(loaded) {
        health.broken(
            "capture",
            PartKind::Device,
            &problem.0,
            &problem.1,
            &problem.2,
        );
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub(super) async fn signalled() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
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
