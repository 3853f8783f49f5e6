//! `threshold hub …`: the city hub's arguments (its accounts, enrolment,
//! commands), apart from the kiosk's in [`super::args`].

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum HubUserCmd {
    /// Create an account on the city's web. The password is asked for on a
    /// terminal, or read from the first line of standard input.
    Add {
        /// Account name: lower-case letters, digits, `.`, `_`, `-`.
        name: String,
        /// counsel (encounters and facility health; acts on encounters),
        /// manager (the same), city (statistics and facility health, no
        /// encounter).
        #[arg(long, value_enum)]
        role: HubRoleArg,
        /// A facility the account sees (repeat for several); without it,
        /// every facility.
        #[arg(long = "facility", value_name = "ID")]
        facilities: Vec<String>,
    },
    /// Set a new password (asked for as in `add`); the account's sessions end.
    Passwd { name: String },
    /// Stop an account from signing in; its sessions end at once.
    Disable { name: String },
    /// Let a disabled account sign in again.
    Enable { name: String },
    /// Remove an account; its sessions end. What it did stays in the
    /// hub's journal under its name.
    Remove { name: String },
    /// Change the facilities an account sees; its sessions end.
    Scope {
        name: String,
        /// A facility it sees (repeat for several).
        #[arg(long = "facility", value_name = "ID", required_unless_present = "all")]
        facilities: Vec<String>,
        /// Every facility.
        #[arg(long, conflicts_with = "facilities")]
        all: bool,
    },
    /// List the accounts.
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum HubRoleArg {
    Counsel,
    Manager,
    City,
}

#[derive(Debug, Args)]
pub struct HubArgs {
    /// Try the hub with one command: a private PostgreSQL cluster (made
    /// with the machine's initdb and pg_ctl) in the data folder, served on
    /// http://127.0.0.1:8443, the demo kiosk's facility enrolled.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<HubCmd>,
}

#[derive(Debug, Subcommand)]
pub enum HubCmd {
    /// Enrol a facility: its batches are taken when signed with this key.
    Enroll {
        /// The kiosk's `[facility] id`.
        facility: String,
        /// Its public key, hex (`threshold log key` on the kiosk).
        #[arg(long, value_name = "HEX")]
        key: String,
    },
    /// Check the hub's copy of a facility's record from its first entry:
    /// no gap, every hash, its receipts, and any fork refused. Exits 3 on
    /// a problem.
    Verify {
        /// The facility id.
        facility: String,
    },
    /// Every enrolled facility: its head, last batch and heartbeat, forks.
    Facilities,
    /// Apply the kiosks' retention rule to the hub's copies that no kiosk
    /// purge came for (a kiosk retired, lost or long offline): closed
    /// encounters past their facility's period and `[retention]
    /// grace_days`, no legal hold on them, lose their names, notes and
    /// pages on the hub. The running hub does this every hour.
    Purge {
        /// Only say what would be purged.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the hub's public key for the kiosks' `[hub] public_key`
    /// (the key file is made when missing).
    Key,
    /// Send a facility's kiosk a command, signed by the hub: acknowledge
    /// an encounter, record counsel's instruction or a note, or answer a
    /// checklist question, as an account. The kiosk applies it within
    /// seconds when it is online, later otherwise.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["acknowledge", "instruct", "note", "checklist"])))]
    Command {
        /// The facility id.
        facility: String,
        /// The encounter's reference, as in E-7K2M9Q4P.
        encounter: String,
        /// Acknowledge the encounter's page.
        #[arg(long)]
        acknowledge: bool,
        /// Counsel's instruction for the desk.
        #[arg(long, value_name = "TEXT")]
        instruct: Option<String>,
        /// A note for the encounter's record.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// A warrant-checklist question's id (the kiosk's policy profile),
        /// answered with --answer.
        #[arg(long, value_name = "ITEM", requires = "answer")]
        checklist: Option<String>,
        /// yes, no or unclear.
        #[arg(long, value_name = "ANSWER", requires = "checklist")]
        answer: Option<String>,
        /// Who sends it: an `[[account]]` of the hub config, or a city web
        /// account of counsel or a manager covering the facility. Its name
        /// and role are recorded on the kiosk.
        #[arg(long, value_name = "NAME")]
        by: String,
    },
    /// The city's web accounts (in the hub's database): counsel, managers
    /// and the city's staff, each scoped to all or some facilities.
    #[command(subcommand)]
    User(HubUserCmd),
    /// The commands sent, newest first, with when each was delivered and
    /// how it went on the kiosk.
    Commands {
        /// Only this facility's.
        facility: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}
