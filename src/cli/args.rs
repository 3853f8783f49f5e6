//! The command line: every command, flag and its help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub use super::args_hub::{HubArgs, HubCmd, HubRoleArg, HubUserCmd};

/// Threshold: the entrance kiosk and check-in service for city facilities.
///
/// Shows the access policy, takes visitor and official check-ins, pages staff
/// and counsel, and keeps a tamper-evident record. Without --config the
/// built-in demo configuration (a San José branch library) is used.
///
/// Exit codes: 0 ok, 1 error, 2 usage, 3 verification failed.
#[derive(Debug, Parser)]
#[command(name = "threshold", version, max_term_width = 100)]
pub struct Cli {
    /// Configuration file (TOML). Default: the built-in demo configuration.
    #[arg(long, global = true, value_name = "FILE", env = "THRESHOLD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data folder: database, encrypted pages, key. Default: the user's data directory.
    #[arg(long, global = true, value_name = "DIR", env = "THRESHOLD_DATA")]
    pub data_dir: Option<PathBuf>,
    /// Machine-readable output (JSON); a created record is an object with its `id`.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the service: retention now and hourly, until stopped (Ctrl-C or SIGTERM).
    Run(RunArgs),
    /// Record a check-in.
    #[command(subcommand)]
    Checkin(Box<Checkin>),
    /// Review and update encounters with officials.
    #[command(subcommand)]
    Encounter(Encounter),
    /// Verify and export the record.
    #[command(subcommand)]
    Log(Log),
    /// Check the alert channels.
    #[command(subcommand)]
    Alerts(AlertsCmd),
    /// Legal holds: keep encounters out of retention's reach until released.
    #[command(subcommand)]
    Hold(HoldCmd),
    /// Delete personal data past its retention period (see [retention]);
    /// encounters on legal hold are kept.
    Purge {
        /// Show what would be purged without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check configuration files.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Admin-web accounts for managers, counsel and staff.
    #[command(subcommand)]
    User(UserCmd),
    /// Staff mode: make the PIN hash for [[kiosk.staff]].
    #[command(subcommand)]
    Staff(StaffCmd),
    /// The serial peripherals: their state, and tests for the installer.
    #[command(subcommand)]
    Devices(DevicesCmd),
    /// The city hub: takes every kiosk's record into PostgreSQL and signs
    /// receipts for it. Without a subcommand it runs the hub on --config
    /// (the hub's own config file) or, with --demo, on a private
    /// PostgreSQL cluster in its data folder.
    Hub(HubArgs),
    /// Render a kiosk screen to a PNG without a display.
    Screenshot {
        /// The screen, or `all`: idle, start, visitor-purpose,
        /// visitor-details, visitor-done, official-notice, official-officers,
        /// official-visit, official-document, official-capture,
        /// official-review, official-waiting, resources, staff-pin,
        /// staff-home, staff-encounter, staff-decide, staff-notes.
        #[arg(long, default_value = "idle")]
        screen: String,
        /// Language, or `all`: en, es, vi, zh-Hans, tl.
        #[arg(long = "lang", default_value = "en")]
        lang: String,
        /// Size in pixels, WIDTHxHEIGHT (portrait 1080x1920, landscape 1920x1080).
        #[arg(long, default_value = "1080x1920")]
        size: String,
        /// With the large-text setting on.
        #[arg(long)]
        large_text: bool,
        /// Exit with status 1 when text is cut off anywhere, or when a
        /// screen needs to scroll without large text, or any text needs more
        /// room than its box or is drawn over another.
        #[arg(long)]
        check_fit: bool,
        /// Also write what the screen says aloud beside each PNG: the
        /// words (`.txt`, one line each; tones for the PIN as ♪) and the
        /// sound (`.wav`, made by espeak-ng or the configured clips).
        #[arg(long)]
        speak: bool,
        /// The PNG file to write; a folder when --screen or --lang is `all`
        /// (files named SCREEN-LANG-WxH.png).
        #[arg(long, value_name = "FILE.png")]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run the services only, without the kiosk window.
    #[arg(long)]
    pub headless: bool,
    /// Simulated peripherals and the demo page source (generated pages),
    /// whatever [kiosk] capture says.
    #[arg(long)]
    pub simulate: bool,
}

#[derive(Debug, Subcommand)]
pub enum DevicesCmd {
    /// Each configured device and its state (from the running service, or
    /// by opening the port when the service is not running).
    List,
    /// Exercise one device: `printer` prints a test receipt; `modem`
    /// initialises and reads the signal; `sign` shows a test picture;
    /// `scanner` and `panic` wait up to 30 s for a scan or a press.
    Test {
        /// printer, scanner, modem, sign or panic.
        device: String,
    },
    /// Draw the door sign as a PNG (what the sign shows now: open, or
    /// officials on site when an encounter is open).
    Sign {
        #[arg(long, value_name = "FILE.png")]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create an account. The password is asked for on a terminal, or read
    /// from the first line of standard input.
    Add {
        /// Account name: lower-case letters, digits, `.`, `_`, `-`.
        name: String,
        /// manager (everything, settings and purges), counsel (encounters,
        /// documents, log, exports), staff (nothing on the web).
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Set a new password (asked for as in `add`); the account's sessions end.
    Passwd { name: String },
    /// Stop an account from signing in; its sessions end at once. The
    /// account and its history stay (`user enable` undoes it).
    Disable { name: String },
    /// Let a disabled account sign in again.
    Enable { name: String },
    /// Remove an account and its password; its sessions end. Its past
    /// actions stay in the journal under its name.
    Remove { name: String },
    /// Change an account's role; its sessions end (it signs in again with
    /// the new role).
    Role {
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// List the accounts.
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Manager,
    Counsel,
    Staff,
}

#[derive(Debug, Subcommand)]
pub enum StaffCmd {
    /// Read a PIN (4 to 12 digits) from standard input and print its Argon2id
    /// hash for `pin_hash`. The PIN itself is never stored.
    HashPin,
}

#[derive(Debug, Subcommand)]
pub enum Checkin {
    /// A visitor: purpose, and at most a first name or initials.
    Visitor {
        /// One of the configured [visitors] purposes.
        #[arg(long)]
        purpose: String,
        /// First name or initials only (optional).
        #[arg(long)]
        name: Option<String>,
        /// The staff member, program or room the visitor is here for (optional).
        #[arg(long)]
        host: Option<String>,
        /// Language used: en, es, vi, zh-Hans, tl.
        #[arg(long = "lang", default_value = "en")]
        lang: String,
        /// Entrance (default: the first configured).
        #[arg(long)]
        entrance: Option<String>,
    },
    /// An official or agent: opens an encounter and records the document.
    Official(Box<OfficialArgs>),
}

#[derive(Debug, Args)]
pub struct OfficialArgs {
    /// An officer as "Name;Badge;Agency" (repeat for each officer; badge may be empty).
    #[arg(long = "officer", required = true, value_name = "NAME;BADGE;AGENCY")]
    pub officers: Vec<String>,
    /// judicial-search-warrant, judicial-arrest-warrant, judicial-subpoena,
    /// court-order, administrative-warrant, agency-form, none.
    #[arg(long, value_name = "KIND")]
    pub document_kind: String,
    /// An image (PNG or JPEG) of one page of the document; repeat for every page.
    #[arg(long = "page", value_name = "FILE")]
    pub pages: Vec<PathBuf>,
    /// The stated purpose of the visit.
    #[arg(long)]
    pub purpose: Option<String>,
    /// The person, records or area sought.
    #[arg(long, value_name = "TEXT")]
    pub sought: Option<String>,
    /// The configured area sought (its public / non-public kind is recorded).
    #[arg(long, value_name = "NAME")]
    pub area: Option<String>,
    /// Exigent circumstances were declared.
    #[arg(long)]
    pub exigent: bool,
    /// A training drill: everything is marked DRILL.
    #[arg(long)]
    pub drill: bool,
    /// Supervisor's name and contact, as given.
    #[arg(long, value_name = "TEXT")]
    pub supervisor: Option<String>,
    /// The court named on the document.
    #[arg(long)]
    pub court: Option<String>,
    /// The judge or officer who signed it.
    #[arg(long)]
    pub judge: Option<String>,
    /// Date issued (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub issued: Option<String>,
    /// Valid until (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// The address named on the document.
    #[arg(long)]
    pub address: Option<String>,
    /// The areas the document names.
    #[arg(long, value_name = "TEXT")]
    pub areas_named: Option<String>,
    /// Entrance (default: the first configured).
    #[arg(long)]
    pub entrance: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Encounter {
    /// List encounters, newest first.
    List {
        /// Only encounters not yet closed.
        #[arg(long)]
        open: bool,
    },
    /// Show an encounter's full record and timeline.
    Show { id: String },
    /// Write the encounter's PDF report for counsel's file (facts, officers,
    /// checklist, timeline, every page, signed chain head).
    Report {
        id: String,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Language of the report's labels: en, es, vi, zh-Hans, tl.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Export the encounter for a public-records request (JSON): facts,
    /// outcome, checklist, acknowledgements, page hashes, timeline. Staff
    /// notes, counsel's instructions and the officials' own words are
    /// withheld unless released; no page image, no visitor data. Journaled.
    RecordsRequest {
        id: String,
        /// The JSON file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Counsel released the staff notes (and any override reason).
        #[arg(long)]
        release_notes: bool,
        /// Counsel released their instructions to the desk.
        #[arg(long)]
        release_instructions: bool,
        /// Counsel released what the officials said (purpose, what they
        /// sought, their stated reason).
        #[arg(long)]
        release_officials_words: bool,
    },
    /// Record an acknowledgement (counsel's unlocks outcomes that need it).
    Ack {
        id: String,
        /// Who acknowledges; a configured contact's name records their role.
        #[arg(long)]
        by: String,
    },
    /// Answer a warrant-checklist question.
    Checklist {
        id: String,
        /// The checklist item id (see `encounter show`).
        #[arg(long)]
        item: String,
        /// yes, no or unclear.
        #[arg(long)]
        answer: String,
        #[arg(long)]
        by: String,
    },
    /// Record counsel's instruction.
    Instruct {
        id: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        by: String,
    },
    /// Add a staff note on conduct or events.
    Note {
        id: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        by: String,
    },
    /// Attach another page image: a page of the document, or evidence
    /// (a photo of a badge or card, anything else).
    Page {
        id: String,
        #[arg(long = "page", value_name = "FILE")]
        page: PathBuf,
        /// document-page, badge or other.
        #[arg(long, default_value = "document-page")]
        kind: crate::domain::encounter::PageKind,
        /// Who took the photo (recorded with the page).
        #[arg(long)]
        by: Option<String>,
    },
    /// Record the outcome. Outcomes that need counsel require counsel's
    /// acknowledgement first, or --override-reason stating exigent circumstances.
    Decide {
        id: String,
        /// waited-in-public-area, left, access-judicial-warrant, access-exigent,
        /// entered-without-consent, records-demanded, records-produced,
        /// stepped-back, other.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        by: String,
        #[arg(long, value_name = "TEXT")]
        counsel_instruction: Option<String>,
        /// Before counsel acknowledged, for an outcome that waits for
        /// counsel: the exigent circumstances. For an exigent entry
        /// (access-exigent): what the officers said the emergency is,
        /// recorded as theirs.
        #[arg(long, value_name = "TEXT")]
        override_reason: Option<String>,
    },
    /// Close the encounter (the officials have left). Needs an outcome.
    Close {
        id: String,
        /// Who closes it (default: the login name).
        #[arg(long)]
        by: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum Log {
    /// Check the hash chain, every vault row and page file, and the
    /// projections; or, with --bundle, a signed export bundle on any
    /// machine, without the database. Exits 3 on any alteration.
    Verify {
        /// A bundle from `log bundle` or the admin web's /export.bundle.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// The facility's public key (hex, from `log key`); the bundle must
        /// be signed with it.
        #[arg(long, value_name = "HEX", requires = "bundle")]
        key: Option<String>,
        /// A record head copied off the box, as pages to counsel, reports
        /// and receipts print it (`SEQ:HASH`): exit 3 unless the journal
        /// still extends it (a rewritten and re-hashed record does not).
        #[arg(long, value_name = "SEQ:HASH", conflicts_with = "bundle")]
        against: Vec<String>,
    },
    /// Write a signed export bundle: the journal entries of the days given
    /// (all without --from/--to), signed with the facility key.
    Bundle {
        /// First day (YYYY-MM-DD, facility time zone), inclusive.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day (YYYY-MM-DD, facility time zone), inclusive.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// The bundle file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the facility's public signing key and its fingerprint, for
    /// whoever checks bundles and reports.
    Key,
    /// Export the check-in log.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// First day (YYYY-MM-DD, facility time zone), inclusive.
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day (YYYY-MM-DD, facility time zone), inclusive.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Only visitor check-ins with this purpose.
        #[arg(long)]
        purpose: Option<String>,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Visitor,
    Encounter,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCmd {
    /// Send a test message through every channel of every contact and print
    /// the results. Exits 1 if any failed.
    Test,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Validate a configuration file (default: --config, else the demo) and
    /// print a summary.
    Check { file: Option<PathBuf> },
}

/// `threshold hold ...`.
#[derive(Debug, Subcommand)]
pub enum HoldCmd {
    /// Place a hold on one encounter, or on every encounter opened from one
    /// day to another (the facility's local days, both included).
    Place {
        #[arg(long, conflicts_with_all = ["from", "to"], required_unless_present_all = ["from", "to"])]
        encounter: Option<String>,
        /// First day, YYYY-MM-DD.
        #[arg(long, requires = "to")]
        from: Option<chrono::NaiveDate>,
        /// Last day, YYYY-MM-DD.
        #[arg(long, requires = "from")]
        to: Option<chrono::NaiveDate>,
        /// Why the records must be kept (a case, a records request).
        #[arg(long)]
        reason: String,
        /// Who places it (counsel or a manager).
        #[arg(long)]
        by: String,
    },
    /// Release a hold: retention applies again.
    Release {
        hold: String,
        #[arg(long)]
        by: String,
    },
    /// The holds, newest first (`--all` includes released ones).
    List {
        #[arg(long)]
        all: bool,
    },
}
