//! The city's web's own words (on the hub), in the kiosk's five
//! languages; what both webs say alike is in [`super::words`].

crate::messages! {
    /// The city's web's words in one language.
    pub struct CityWords {
        facilities: "Facilities",
        facility: "Facility",
        arrived_ago: "arrived {minutes} min ago",
        paged: "Paged",
        nobody_paged_yet: "nobody yet",
        acked_by: "Acknowledged by",
        last_heartbeat: "Last heartbeat",
        heard_ago: "{seconds} s ago",
        silent_for: "SILENT for {minutes} min: check the kiosk's network and power",
        never_heard: "Never heard from: the kiosk has not sent a heartbeat",
        backlog: "Entries not yet shipped",
        trouble: "In trouble",
        last_receipt: "Last receipt",
        forks: "Forks",
        fork_alarm: "FORK: the hub refused {forks} batches that disagree with the record it holds. Tell counsel; run threshold hub verify {facility}.",
        open_here: "Open encounters",
        tiers_paged: "Escalation tiers paged",
        city_scope_note: "This account sees the facilities' health and the statistics. Encounters' details are for counsel and managers.",
        scope_some: "This account covers: {facilities}.",
        nothing_enrolled: "No facility is enrolled on this hub yet, or none is in this account's scope.",
        more_open: "{n} more open encounters are not shown; the oldest and unanswered come first.",
    }
}
