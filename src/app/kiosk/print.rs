//! What the kiosk prints: the receipt each screen offers, queued for the
//! printer thread (the screen never waits for paper).

use super::*;

impl Session {
    /// Queue the receipt this screen offers.
    pub(super) fn print<D: KioskDesk>(&mut self, desk: &D) {
        use crate::render::receipt::{Both, OfficialReceipt, Receipt, SlipResource};
        let loaded = desk.loaded();
        let facility = loaded.config.facility.name.clone();
        let at = desk
            .now()
            .with_timezone(&loaded.timezone())
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let lang = self.lang;
        // A copy of the record's head leaves the building on paper.
        let record = desk.record_head().ok().map(|a| a.to_string());
        let receipt = match self.screen {
            Screen::VisitorDone => Receipt::VisitorPass {
                facility,
                purpose: self
                    .purpose
                    .and_then(|i| loaded.config.visitors.purposes.get(i))
                    .map(|p| loaded.purpose_label(p, lang))
                    .unwrap_or_default(),
                name: self.text(Field::VisitorName),
                at,
                reference: self.visitor_ref.clone(),
                record,
                lang,
            },
            Screen::OfficialWaiting => {
                let en = Language::English;
                let document = self
                    .document
                    .and_then(|i| loaded.profile.documents.get(i))
                    .map(|d| Both::new(d.label.get(en), d.label.get(lang)))
                    .unwrap_or_default();
                let receipt = &loaded.profile.notice.receipt;
                Receipt::OfficialReceipt(Box::new(OfficialReceipt {
                    facility,
                    reference: self.encounter.clone().unwrap_or_default(),
                    at,
                    officers: self
                        .officers
                        .iter()
                        .map(|(name, badge)| match badge.trim() {
                            "" => name.clone(),
                            badge => format!("{name} · {badge}"),
                        })
                        .collect(),
                    agency: self.text(Field::Agency).unwrap_or_default(),
                    document,
                    pages: self.pages,
                    seeking: self.text(Field::Sought),
                    sentence: Both::new(receipt.get(en), receipt.get(lang)),
                    record,
                    lang,
                }))
            }
            Screen::Resources => Receipt::ResourcesSlip {
                facility,
                resources: loaded
                    .profile
                    .resources
                    .iter()
                    .map(|r| SlipResource {
                        name: r.name.get(lang).to_string(),
                        description: r.description.get(lang).to_string(),
                        phone: r.phone.clone(),
                        qr: r.url.clone().or_else(|| {
                            r.phone
                                .as_ref()
                                .map(|p| format!("tel:{}", p.replace(' ', "")))
                        }),
                    })
                    .collect(),
                lang,
            },
            _ => return,
        };
        if !self.printing {
            self.to_print.push(receipt);
            self.printing = true;
        }
    }
}
