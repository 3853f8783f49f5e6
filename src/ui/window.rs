//! Running the kiosk window: the controller on a tokio worker fed by taps,
//! scans and a tick, views sent back through `upgrade_in_event_loop`.

use super::*;

/// The devices the kiosk uses: the printer (through the hub) and scans;
/// and the health of every part of the service, for staff mode.
pub struct KioskDevices {
    pub hub: Option<Arc<Hub>>,
    pub scans: Option<mpsc::Receiver<String>>,
    pub health: Health,
    /// Reads the screens aloud; `None` when speech is off.
    pub speaker: Option<crate::devices::speech::Speaker>,
}

/// What a scanned code asks for: an appointment code (`APPT:...`) starts a
/// visitor check-in for an appointment; anything else is a staff badge.
fn scan_action(code: &str, loaded: &Loaded) -> Vec<Action> {
    if code.starts_with("APPT:") {
        let mut actions = vec![Action::Home, Action::Start(StartChoice::Visitor)];
        if let Some(i) = loaded
            .config
            .visitors
            .purposes
            .iter()
            .position(|p| p == "appointment")
        {
            actions.push(Action::PickPurpose(i));
        }
        actions
    } else {
        vec![Action::Badge(code.to_string())]
    }
}

async fn next_scan(scans: &mut Option<mpsc::Receiver<String>>) -> Option<String> {
    match scans {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The controller's loop on the tokio worker: each action, scan and tick
/// is handled against the desk, and the new view goes to the window.
pub async fn drive<D: KioskDesk + Send>(
    mut desk: D,
    mut session: Session,
    mut actions: mpsc::Receiver<Action>,
    mut devices: KioskDevices,
    loaded: Arc<Loaded>,
    window: slint::Weak<Kiosk>,
) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // What the live screens showed last, so a tick that changes nothing
    // does not repaint.
    let mut shown = String::new();
    loop {
        let handled: Vec<Action> = tokio::select! {
            action = actions.recv() => match action {
                // The window closed.
                None => return,
                Some(action) => vec![action],
            },
            Some(code) = next_scan(&mut devices.scans) => scan_action(&code, &loaded),
            _ = tick.tick() => Vec::new(),
        };
        let acted = !handled.is_empty();
        let before = session.screen();
        session.set_parts(devices.health.parts());
        tokio::task::block_in_place(|| {
            for action in handled {
                session.handle(&mut desk, action, Instant::now());
            }
            session.tick(&mut desk, Instant::now());
        });
        for receipt in session.take_print_jobs() {
            let sent = match (
                &devices.hub,
                devices.hub.as_ref().and_then(|h| h.paper_dots()),
            ) {
                (Some(hub), Some(dots)) => hub
                    .print(crate::render::receipt::render(&receipt, dots))
                    .map_err(|e| e.to_string()),
                _ => Err("no printer is configured".to_string()),
            };
            if let Err(e) = sent {
                session.print_failed(e);
            }
        }
        let moved = before != session.screen();
        if !acted && !moved && !session.shows_live_data() {
            continue;
        }
        let view = tokio::task::block_in_place(|| session.view(&desk));
        let live = format!(
            "{:?}{:?}{:?}{:?}{:?}{}{}{}",
            view.screen,
            view.paged,
            view.open,
            view.checklist,
            view.notes,
            view.decided,
            view.visitors_today,
            view.printer_ready
        ) + &format!("{:?}", view.status);
        if !acted && !moved && live == shown {
            continue;
        }
        shown = live;
        let loaded = loaded.clone();
        if window
            .upgrade_in_event_loop(move |ui| show(&ui, &loaded, &view))
            .is_err()
        {
            return;
        }
    }
}

/// Open the kiosk window and run it until it is closed; the controller
/// runs on `runtime` with its own connection to the store.
pub fn run_window<D: KioskDesk + Send + 'static>(
    loaded: Arc<Loaded>,
    desk: D,
    session: Session,
    mut devices: KioskDevices,
    runtime: &tokio::runtime::Handle,
) -> Result<(), slint::PlatformError> {
    let ui = Kiosk::new()?;
    keys::set_speaker(devices.speaker.take());
    keys::connect(&ui);
    let first = session.view(&desk);
    show(&ui, &loaded, &first);
    let (tx, rx) = mpsc::channel(ACTION_QUEUE);
    connect(
        &ui,
        Rc::new(move |action| {
            if let Err(e) = tx.try_send(action) {
                tracing::warn!(error = %e, "kiosk controller busy; a tap was dropped");
            }
        }),
    );
    runtime.spawn(drive(desk, session, rx, devices, loaded, ui.as_weak()));
    ui.run()
}
