//! The `[kiosk]` section: how long the screen waits before clearing itself,
//! where document pages come from, and who may open staff mode; and the
//! labels visitors see for each purpose.

use super::*;
use crate::domain::language::Localized;
use std::collections::BTreeMap;

/// The kiosk's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kiosk {
    /// Seconds without a touch before any flow returns to the notice and
    /// everything typed is cleared.
    #[serde(default = "default_idle_timeout_s")]
    pub idle_timeout_s: u32,
    /// Where the official flow takes document pages from.
    #[serde(default)]
    pub capture: CaptureSource,
    /// The folder a scanner saves pages to, with `capture = "folder"`.
    #[serde(default)]
    pub capture_folder: Option<PathBuf>,
    /// The V4L2 device, with `capture = "camera"` (a stable name such as
    /// `/dev/v4l/by-id/...-video-index0`).
    #[serde(default)]
    pub camera: Option<PathBuf>,
    /// The people who may open staff mode, each with their own PIN.
    #[serde(default)]
    pub staff: Vec<StaffMember>,
    /// When the kiosk reads its screens aloud.
    #[serde(default)]
    pub speech: SpeechMode,
    /// How loud, in percent (the keypad's volume keys change it).
    #[serde(default = "default_speech_volume")]
    pub speech_volume: u8,
    /// Words per minute (80 to 300).
    #[serde(default = "default_speech_rate")]
    pub speech_rate: u32,
    /// The program and arguments that play a WAV from standard input.
    #[serde(default = "default_speech_player")]
    pub speech_player: Vec<String>,
    /// espeak-ng voices to use instead of the built-in ones, per language.
    #[serde(default)]
    pub speech_voices: BTreeMap<Language, String>,
    /// A folder of recorded clips: `<lang>/clips.tsv` lists each clip's
    /// file and the exact words it says.
    #[serde(default)]
    pub speech_clips: Option<PathBuf>,
}

/// When the kiosk reads its screens aloud.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpeechMode {
    /// From a tap on Listen or the keypad's Listen key, every screen after
    /// it, until the kiosk starts over for the next person.
    #[default]
    Listen,
    /// Every screen a person reaches, without asking (the notice, which
    /// rotates its languages to a lobby, only on Listen).
    Automatic,
    /// Never (a kiosk with no audio output).
    Off,
}

fn default_speech_volume() -> u8 {
    80
}

fn default_speech_rate() -> u32 {
    160
}

fn default_speech_player() -> Vec<String> {
    vec!["aplay".into(), "-q".into()]
}

fn default_idle_timeout_s() -> u32 {
    60
}

impl Default for Kiosk {
    fn default() -> Self {
        Kiosk {
            idle_timeout_s: default_idle_timeout_s(),
            capture: CaptureSource::default(),
            capture_folder: None,
            camera: None,
            staff: Vec::new(),
            speech: SpeechMode::default(),
            speech_volume: default_speech_volume(),
            speech_rate: default_speech_rate(),
            speech_player: default_speech_player(),
            speech_voices: BTreeMap::new(),
            speech_clips: None,
        }
    }
}

/// A source of document pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaptureSource {
    /// None set up: pages cannot be captured at the kiosk; staff attach
    /// them later.
    #[default]
    None,
    /// Generated sample pages, for demos (taken only by builds with the
    /// `simulate` feature, and by `run --simulate`).
    Demo,
    /// Image files a scanner saves into `capture_folder` (scan to folder).
    Folder,
    /// A V4L2 camera over the desk, `camera`.
    Camera,
}

/// A staff member who may open staff mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffMember {
    /// Recorded as the person acting on everything done in staff mode.
    pub name: String,
    /// Argon2id PHC string from `threshold staff hash-pin`.
    pub pin_hash: String,
    /// SHA-256 (hex) of the code on the staff member's badge, for the scanner.
    #[serde(default)]
    pub badge_sha256: Option<String>,
}

/// Labels for purposes beyond the built-in ones, in every language.
pub type PurposeLabels = BTreeMap<String, Localized>;

impl Kiosk {
    /// How the kiosk's speech is made, from these settings. The clips are
    /// loaded from `speech_clips`; when they cannot be, the voices come
    /// without them, with the reason.
    pub fn voices(
        &self,
    ) -> (
        crate::devices::speech::Voices,
        Option<crate::devices::speech::SynthError>,
    ) {
        let (clips, problem) = match &self.speech_clips {
            Some(dir) => match crate::devices::speech::load_clips(dir) {
                Ok(c) => (c, None),
                Err(e) => (BTreeMap::new(), Some(e)),
            },
            None => (BTreeMap::new(), None),
        };
        let voices = crate::devices::speech::Voices {
            voices: self.speech_voices.clone(),
            rate: self.speech_rate,
            clips,
            ..Default::default()
        };
        (voices, problem)
    }
}

impl Config {
    pub(super) fn kiosk_problems(&self, p: &mut Vec<Problem>) {
        let k = &self.kiosk;
        if !(15..=600).contains(&k.idle_timeout_s) {
            p.push(Problem::new(
                "kiosk.idle_timeout_s",
                crate::msg!(
                    "found {found}; allowed: 15 to 600 seconds",
                    found = k.idle_timeout_s
                ),
            ));
        }
        if k.speech_volume > 100 {
            p.push(Problem::new(
                "kiosk.speech_volume",
                crate::msg!(
                    "found {found}; allowed: 0 to 100 percent",
                    found = k.speech_volume
                ),
            ));
        }
        if !(80..=300).contains(&k.speech_rate) {
            p.push(Problem::new(
                "kiosk.speech_rate",
                crate::msg!(
                    "found {found}; allowed: 80 to 300 words a minute",
                    found = k.speech_rate
                ),
            ));
        }
        if k.speech != SpeechMode::Off
            && k.speech_player.first().is_none_or(|p| p.trim().is_empty())
        {
            p.push(Problem::new(
                "kiosk.speech_player",
                crate::msg!("give the program that plays speech, e.g. [\"aplay\", \"-q\"], or set speech = \"off\""),
            ));
        }
        for (lang, voice) in &k.speech_voices {
            let fine = !voice.is_empty()
                && voice
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_+".contains(c));
            if !fine {
                p.push(Problem::new(
                    format!("kiosk.speech_voices.{lang}"),
                    crate::msg!("`{voice}` is not an espeak-ng voice name; pick one from `espeak-ng --voices`", voice = voice),
                ));
            }
        }
        if k.capture == CaptureSource::Folder && k.capture_folder.is_none() {
            p.push(Problem::new(
                "kiosk.capture_folder", crate::msg!("capture = \"folder\" needs capture_folder, the folder the scanner saves pages to")));
        }
        if k.capture == CaptureSource::Camera && k.camera.is_none() {
            p.push(Problem::new(
                "kiosk.camera", crate::msg!("capture = \"camera\" needs camera, the V4L2 device (e.g. /dev/v4l/by-id/usb-...-video-index0)")));
        }
        for (i, s) in k.staff.iter().enumerate() {
            if s.name.trim().is_empty() || s.name.chars().count() > crate::app::MAX_BY_CHARS {
                p.push(Problem::new(
                    format!("kiosk.staff[{i}].name"),
                    crate::msg!("give the staff member's name (1 to 100 characters)"),
                ));
            }
            if argon2::PasswordHash::new(&s.pin_hash).is_err() || !s.pin_hash.starts_with("$argon2")
            {
                p.push(Problem::new(
                    format!("kiosk.staff[{i}].pin_hash"), crate::msg!("not an Argon2 hash; make one with `threshold staff hash-pin` (never put the PIN itself here)")));
            }
            if let Some(b) = &s.badge_sha256 {
                if b.len() != 64 || !b.chars().all(|c| c.is_ascii_hexdigit()) {
                    p.push(Problem::new(
                        format!("kiosk.staff[{i}].badge_sha256"),
                        crate::msg!("expected 64 hex digits (the SHA-256 of the badge's code)"),
                    ));
                }
            }
        }
        for (i, purpose) in self.visitors.purposes.iter().enumerate() {
            let labelled = self.visitors.labels.contains_key(purpose)
                || crate::domain::checkin::builtin_purpose_label(purpose, Language::English)
                    .is_some();
            if !labelled {
                p.push(Problem::new(
                    format!("visitors.purposes[{i}]"), crate::msg!("`{purpose}` has no label; add [visitors.labels.{purpose}] with en, es, vi, zh-Hans and tl, or use a built-in purpose: {allowed}", purpose = purpose, allowed = crate::domain::checkin::BUILTIN_PURPOSES.join(", "))));
            }
        }
        for (token, label) in &self.visitors.labels {
            for lang in label.blank_languages() {
                p.push(Problem::new(
                    format!("visitors.labels.{token}"),
                    crate::msg!("the {lang} label is empty", lang = lang.code()),
                ));
            }
        }
    }

    /// Why the kiosk cannot capture document pages, if it cannot.
    pub fn capture_problem(&self) -> Option<&'static str> {
        match self.kiosk.capture {
            CaptureSource::None => Some(crate::msg_id!(
                "no capture source is set up: pages cannot be captured at the kiosk; staff attach them later with `threshold encounter page`",
            )),
            CaptureSource::Demo if !cfg!(feature = "simulate") => Some(crate::msg_id!(
                "`demo` takes generated sample pages, which this build never records as evidence: pages cannot be captured at the kiosk; set capture = \"folder\" or \"camera\", and staff attach pages later with `threshold encounter page`",
            )),
            _ => None,
        }
    }

    pub(super) fn kiosk_warnings(&self, w: &mut Vec<Problem>) {
        if let Some(problem) = self.capture_problem() {
            w.push(Problem::new(
                "kiosk.capture",
                crate::domain::catalogue::for_reader(problem),
            ));
        }
        if let (CaptureSource::Camera, Some(camera)) = (self.kiosk.capture, &self.kiosk.camera) {
            if !camera.exists() {
                w.push(Problem::new(
                    "kiosk.camera", crate::msg!("{camera} is not there now; the official flow cannot capture pages until the camera is plugged in", camera = camera.display())));
            }
        }
        if let Some(dir) = &self.kiosk.speech_clips {
            if !dir.is_dir() {
                w.push(Problem::new(
                    "kiosk.speech_clips",
                    crate::msg!(
                        "{dir} is not there; every line is read by espeak-ng until it is",
                        dir = dir.display()
                    ),
                ));
            } else if let Err(e) = crate::devices::speech::load_clips(dir) {
                w.push(Problem::new("kiosk.speech_clips", e.to_string()));
            }
        }
        if self.kiosk.staff.is_empty() {
            w.push(Problem::new(
                "kiosk.staff",
                crate::msg!(
                    "nobody can open staff mode on the kiosk; add [[kiosk.staff]] with a pin_hash"
                ),
            ));
        }
    }
}

impl Loaded {
    /// The notice's title in each facility language, first language first
    /// (the door sign's lines).
    pub fn notice_titles(&self) -> Vec<(Language, String)> {
        self.config
            .facility
            .languages
            .iter()
            .map(|l| (*l, self.profile.notice.title.get(*l).to_string()))
            .collect()
    }

    /// What visitors see for `purpose` in `lang`.
    pub fn purpose_label(&self, purpose: &str, lang: Language) -> String {
        match self.config.visitors.labels.get(purpose) {
            Some(l) => l.get(lang).to_string(),
            None => crate::domain::checkin::builtin_purpose_label(purpose, lang)
                .unwrap_or(purpose)
                .to_string(),
        }
    }

    /// The profile's label in `lang` for a recorded document kind token;
    /// the token itself when the profile has none, "" for none recorded.
    pub fn document_label(&self, kind: Option<&str>, lang: Language) -> String {
        self.profile.document_label(kind, lang)
    }

    /// The profile's label in `lang` for a recorded outcome token.
    pub fn outcome_label(&self, outcome: &str, lang: Language) -> String {
        self.profile.outcome_label(outcome, lang)
    }

    /// The folder `capture = "folder"` reads, relative to the config file.
    pub fn capture_folder(&self) -> Option<PathBuf> {
        self.config
            .kiosk
            .capture_folder
            .as_ref()
            .map(|f| self.base_dir.join(f))
    }
}
