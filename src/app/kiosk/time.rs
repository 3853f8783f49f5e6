//! Time at the kiosk: "Still there?" and then the idle reset, the
//! thank-you and waiting screens returning by themselves, drill mode ending,
//! and the notice's language rotation.

use super::*;

impl Session {
    /// How long this screen waits for a touch before "Still there?"; `None`
    /// when it never times out.
    fn quiet_limit<D: KioskDesk>(&self, desk: &D) -> Option<Duration> {
        match self.screen {
            Screen::Idle | Screen::VisitorDone => None,
            Screen::OfficialWaiting => Some(WAITING_AFTER),
            // Staff facing officers may not touch the screen for a long
            // time: an open encounter on screen keeps staff mode unlocked
            // until they lock it or the encounter closes.
            Screen::StaffEncounter
            | Screen::StaffDecide
            | Screen::StaffNotes
            | Screen::StaffCapture
                if self.staff_encounter_open(desk) =>
            {
                None
            }
            _ => Some(self.idle_after),
        }
    }

    /// Time passing: "Still there?" and then the idle reset, the
    /// thank-you screen, the waiting screen once the encounter closed.
    pub fn tick<D: KioskDesk>(&mut self, desk: &mut D, now: Instant) {
        let quiet = now.saturating_duration_since(self.last_touch);
        // Whoever was reading has left: the notice rotates again.
        if self.screen == Screen::Idle && quiet >= self.idle_after {
            self.rotation_paused = false;
        }
        self.idle_warning = None;
        let expired = match (self.screen, self.quiet_limit(desk)) {
            (Screen::VisitorDone, _) => quiet >= DONE_AFTER.min(self.idle_after),
            (Screen::OfficialWaiting, _) if self.encounter_closed(desk) => true,
            (_, Some(limit)) if quiet >= limit + WARN_FOR => true,
            (_, Some(limit)) if quiet >= limit => {
                let left = (limit + WARN_FOR).saturating_sub(quiet);
                self.idle_warning = Some(left.as_secs_f64().ceil() as u32);
                false
            }
            _ => false,
        };
        if expired {
            self.reset(desk, now);
        }
        if self.drill && self.drill_until.is_some_and(|until| now >= until) {
            tracing::info!("drill mode ended by itself after an hour");
            self.drill = false;
            self.drill_until = None;
        }
        // The notice rotates through the facility's languages, pausing
        // after a touch so whoever chose a language can read it.
        let since = now.saturating_duration_since(self.rotated.max(self.last_touch));
        // Nor while someone asked to hear it.
        let held = self.rotation_paused || (self.speaking && self.listens > 0);
        if self.screen == Screen::Idle && !held && since >= ROTATE_EVERY {
            let languages = &desk.loaded().config.facility.languages;
            let at = languages.iter().position(|l| *l == self.lang).unwrap_or(0);
            self.lang = languages[(at + 1) % languages.len()];
            self.rotated = now;
        }
    }
}
