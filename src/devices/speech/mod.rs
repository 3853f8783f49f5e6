//! The kiosk's voice: what a screen says, read aloud through the box's
//! audio output (headphone jack or handset) by a player program that takes
//! a WAV on its standard input (`aplay`, which reaches ALSA and, through
//! its plugin, PipeWire). Each new script stops the one before, so speech
//! stays in step with the screen. The part posts its state to the health
//! board: a box without espeak-ng or without a sound device shows speech as
//! broken, and the rest of the door works on.

mod synth;

pub use synth::{
    default_voice, has_own_voice, load_clips, read_clip, samples_of, scale, silence, tones, wav,
    Script, Spoken, SynthError, Voices, RATE,
};

use crate::devices::health::{Health, PartKind};
use crate::domain::language::Language;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

/// The part's name on the health board.
pub const PART: &str = "speech";
/// Volume steps of the keypad's volume keys, in percent.
pub const VOLUME_STEP: u8 = 10;
/// Samples written to the player at a time: a stop is heard within one.
const CHUNK: usize = (RATE / 10) as usize;

struct Playing {
    /// Bumped by every new script and stop; a playback that sees another
    /// number than its own ends.
    generation: AtomicU64,
    child: Mutex<Option<Child>>,
    volume: AtomicU8,
}

/// Speaks scripts, one at a time, the newest winning.
#[derive(Clone)]
pub struct Speaker {
    voices: Arc<Voices>,
    player: Arc<Vec<String>>,
    playing: Arc<Playing>,
    health: Health,
    /// What the board says of a working speaker (the voices per
    /// language): the same after each screen, so the board's file is not
    /// rewritten for every screen spoken.
    voiced: Arc<std::sync::OnceLock<String>>,
}

impl Speaker {
    /// A speaker reading with `voices` through `player` at `volume`
    /// percent. Checks that every language of `languages` can be spoken
    /// and posts the result to `health`.
    pub fn start(
        voices: Voices,
        player: Vec<String>,
        volume: u8,
        languages: &[Language],
        health: Health,
    ) -> Speaker {
        let speaker = Speaker {
            voices: Arc::new(voices),
            player: Arc::new(player),
            playing: Arc::new(Playing {
                generation: AtomicU64::new(0),
                child: Mutex::new(None),
                volume: AtomicU8::new(volume.min(100)),
            }),
            health,
            voiced: Arc::new(std::sync::OnceLock::new()),
        };
        speaker.check(languages);
        speaker
    }

    /// Say one short word in each language: the voices are there.
    fn check(&self, languages: &[Language]) {
        let mut said = Vec::new();
        for lang in languages {
            let voice = self.voices.voice(*lang);
            if let Err(e) = self.voices.synthesize(voice, "OK") {
                self.broken(&e.to_string());
                return;
            }
            let clips = self.voices.clips.get(lang).map_or(0, |c| c.len());
            said.push(match (has_own_voice(*lang), clips) {
                (true, 0) => format!("{lang}: {voice}"),
                (true, n) => format!("{lang}: {voice}, {n} clips"),
                (false, n) => format!("{lang}: {n} clips, else the {voice} voice"),
            });
        }
        if let Some(program) = self.player.first() {
            if which(program).is_none() {
                self.broken(&crate::msg!(
                    "cannot find the player `{program}`",
                    program = program
                ));
                return;
            }
        }
        let voiced = self.voiced.get_or_init(|| said.join("; "));
        self.health
            .working(PART, PartKind::Device, &self.location(), voiced);
    }

    fn location(&self) -> String {
        self.player.join(" ")
    }

    fn broken(&self, detail: &str) {
        self.health.broken(
            PART,
            PartKind::Device,
            &self.location(),
            detail,
            "Install Debian's espeak-ng and alsa-utils (apt-get install espeak-ng alsa-utils), plug in the headphones or handset, check the sound device with `aplay -l`, and restart Threshold.",
        );
    }

    /// The volume, in percent.
    pub fn volume(&self) -> u8 {
        self.playing.volume.load(Ordering::Relaxed)
    }

    /// One step louder (`up`) or quieter; a tone at the new volume says
    /// where it is. Returns the new volume.
    pub fn step_volume(&self, up: bool) -> u8 {
        let now = self.volume();
        let new = if up {
            now.saturating_add(VOLUME_STEP).min(100)
        } else {
            now.saturating_sub(VOLUME_STEP)
        };
        self.playing.volume.store(new, Ordering::Relaxed);
        self.say(Script {
            lang: Language::English,
            lines: vec![Spoken::Tones(1)],
        });
        new
    }

    /// Stop speaking.
    pub fn stop(&self) {
        self.playing.generation.fetch_add(1, Ordering::SeqCst);
        kill(&self.playing);
    }

    /// Say `script` from its start, stopping whatever was being said.
    pub fn say(&self, script: Script) {
        let mine = self.playing.generation.fetch_add(1, Ordering::SeqCst) + 1;
        kill(&self.playing);
        if script.lines.is_empty() {
            return;
        }
        let this = self.clone();
        let spawned = std::thread::Builder::new()
            .name("speech".into())
            .spawn(move || {
                if let Err(e) = this.play(&script, mine) {
                    this.broken(&e);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start speaking");
        }
    }

    fn current(&self, mine: u64) -> bool {
        self.playing.generation.load(Ordering::SeqCst) == mine
    }

    /// Synthesize line by line and stream to the player, so the first
    /// line is heard while the rest are being made.
    fn play(&self, script: &Script, mine: u64) -> Result<(), String> {
        let (program, args) = self
            .player
            .split_first()
            .ok_or_else(|| crate::msg!("no player is configured"))?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                crate::msg!(
                    "cannot run {program}: {error}",
                    program = program,
                    error = e
                )
            })?;
        let mut stdin = child.stdin.take();
        {
            let mut slot = self.playing.child.lock().unwrap_or_else(|p| p.into_inner());
            if !self.current(mine) {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(());
            }
            *slot = Some(child);
        }
        let mut sink = |bytes: &[u8]| -> bool {
            match stdin.as_mut() {
                Some(s) => s.write_all(bytes).is_ok(),
                None => false,
            }
        };
        let mut fine = sink(&synth::wav_header(None));
        for line in &script.lines {
            if !fine || !self.current(mine) {
                break;
            }
            let samples = match self.voices.heard(script.lang, line, self.volume()) {
                Ok(s) => s,
                Err(e) => {
                    drop(stdin.take());
                    kill(&self.playing);
                    return Err(e.to_string());
                }
            };
            for part in samples.chunks(CHUNK) {
                if !self.current(mine) || !sink(&synth::pcm_bytes(part)) {
                    fine = false;
                    break;
                }
            }
        }
        drop(stdin);
        // Wait for the player to finish, leaving it where a new script can
        // stop it.
        let status = loop {
            let mut slot = self.playing.child.lock().unwrap_or_else(|p| p.into_inner());
            let Some(child) = slot.as_mut() else {
                return Ok(());
            };
            match child.try_wait() {
                Ok(Some(status)) => {
                    let mut said = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut e, &mut said);
                    }
                    *slot = None;
                    break Some((status, said));
                }
                Ok(None) => {}
                Err(_) => break None,
            }
            drop(slot);
            std::thread::sleep(std::time::Duration::from_millis(40));
        };
        if !self.current(mine) {
            return Ok(());
        }
        match status {
            Some((status, _)) if status.success() => {
                if let Some(voiced) = self.voiced.get() {
                    self.health
                        .working(PART, PartKind::Device, &self.location(), voiced);
                }
                Ok(())
            }
            Some((_, said)) => Err(said.trim().to_string()),
            None => Ok(()),
        }
    }
}

fn kill(playing: &Playing) {
    let child = playing
        .child
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(mut child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Where `program` is on the PATH (or itself, given as a path).
fn which(program: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|f| f.is_file())
    })
}
