//! Staff mode's actions: unlocking, an encounter's checklist, counsel's
//! instruction, the outcome, notes and closing.

use super::*;

impl Session {
    pub(super) fn enter_staff(&mut self, gate: Gate) {
        match gate {
            Gate::Open(name) => {
                tracing::info!(staff = %name, "staff mode opened");
                self.staff = Some(name);
                self.go(Screen::StaffHome);
            }
            Gate::Wrong { left } => self.fail(Problem::WrongPin { left }, ""),
            Gate::Locked { remaining } => self.fail(
                Problem::Locked {
                    minutes: remaining.as_secs().div_ceil(60) as u32,
                },
                "",
            ),
        }
    }

    pub(super) fn show_staff_encounter(&mut self, id: String) {
        self.staff_encounter = Some(id);
        self.outcome = None;
        for f in [Field::Instruction, Field::OverrideReason, Field::Note] {
            self.fields.remove(&f);
        }
        self.go(Screen::StaffEncounter);
    }

    pub(super) fn staff_action<D: KioskDesk>(&mut self, desk: &mut D, action: Action) {
        let (Some(by), Some(id)) = (self.staff.clone(), self.staff_encounter.clone()) else {
            return;
        };
        let result = match action {
            Action::StaffAcknowledge => desk.acknowledge(&id, &by),
            Action::StaffChecklist(item, answer) => desk.answer_checklist(&id, &item, answer, &by),
            Action::PickRelayFrom(i) => {
                if i < present::counsel_names(desk.loaded()).len() {
                    self.relay_from = Some(i);
                }
                Ok(())
            }
            Action::StaffSaveInstruction => {
                let names = present::counsel_names(desk.loaded());
                let from = self
                    .relay_from
                    .or_else(|| (names.len() == 1).then_some(0))
                    .and_then(|i| names.get(i));
                let Some(from) = from else {
                    return self.fail(Problem::PickCounsel, "");
                };
                let text = self.text(Field::Instruction).unwrap_or_default();
                desk.relay_instruction(&id, &text, &by, from).map(|_| {
                    self.fields.remove(&Field::Instruction);
                })
            }
            Action::StaffAddNote => self.save_text(desk, &id, TextKind::Note, Field::Note, &by),
            Action::PickOutcome(i) => {
                if i < desk.loaded().profile.outcomes.len() {
                    self.outcome = Some(i);
                }
                Ok(())
            }
            Action::StaffDecide => {
                let loaded = desk.loaded();
                let Some(rule) = self.outcome.and_then(|i| loaded.profile.outcomes.get(i)) else {
                    let choose = crate::domain::catalogue::with_reader(self.lang, || {
                        crate::msg!("choose an outcome first")
                    });
                    return self.fail(Problem::Refused, choose);
                };
                let outcome = rule.outcome;
                let reason = self.text(Field::OverrideReason);
                desk.decide(&id, outcome, &by, reason.as_deref()).map(|_| {
                    self.fields.remove(&Field::OverrideReason);
                })
            }
            Action::StaffClose => {
                self.confirm_close = true;
                Ok(())
            }
            Action::StaffCloseConfirmed if self.confirm_close => {
                self.confirm_close = false;
                desk.close(&id, &by).map(|_| {
                    self.staff_encounter = None;
                    self.go(Screen::StaffHome);
                })
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            let problem = match e {
                AppError::Rule(_) | AppError::Empty { .. } | AppError::Details(_) => {
                    Problem::Refused
                }
                _ => Problem::NotRecorded,
            };
            self.fail(problem, e);
        }
    }

    pub(super) fn save_text<D: KioskDesk>(
        &mut self,
        desk: &mut D,
        id: &str,
        kind: TextKind,
        field: Field,
        by: &str,
    ) -> Result<(), AppError> {
        let text = self.text(field).unwrap_or_default();
        desk.add_text(id, kind, &text, by)?;
        self.fields.remove(&field);
        Ok(())
    }
}
