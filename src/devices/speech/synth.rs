//! Turning a screen's words into sound on the box: espeak-ng (Debian's
//! program, run once per line, no network) for the languages it has a
//! voice for, recorded clips a city places for the lines it wants spoken
//! by a person (Tagalog above all), and tones for masked input. Everything
//! is 22 050 Hz mono 16-bit PCM, espeak-ng's own format.

use crate::domain::language::Language;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Samples per second of everything spoken.
pub const RATE: u32 = 22_050;
/// The pause between two lines of a screen.
const PAUSE_MS: u32 = 280;

/// One thing to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spoken {
    /// Words, read in the screen's language.
    Words(String),
    /// Masked input (the staff PIN): this many characters, as tones,
    /// never the characters themselves.
    Tones(usize),
}

/// What to say, in which language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub lang: Language,
    pub lines: Vec<Spoken>,
}

impl Script {
    /// The words of the script, one line each; tones as `♪` per character.
    pub fn text(&self) -> String {
        self.lines
            .iter()
            .map(|l| match l {
                Spoken::Words(w) => w.clone(),
                Spoken::Tones(n) => "♪".repeat(*n),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The espeak-ng voice a language is read with, unless the config names
/// another. Tagalog has no espeak-ng voice: its lines without a recorded
/// clip are read by the Indonesian voice, whose spelling rules (five plain
/// vowels, `ng` as one sound) read Tagalog words close to right.
pub fn default_voice(lang: Language) -> &'static str {
    match lang {
        Language::English => "en-us",
        Language::Spanish => "es-419",
        Language::Vietnamese => "vi",
        Language::ChineseSimplified => "cmn",
        Language::Tagalog => "id",
    }
}

/// Whether espeak-ng has a voice of the language itself (not a stand-in).
pub fn has_own_voice(lang: Language) -> bool {
    lang != Language::Tagalog
}

/// What went wrong making sound.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{}", crate::msg!("cannot run {program}: {error}; install Debian's espeak-ng and alsa-utils (apt-get install espeak-ng alsa-utils)", program = .0, error = .1))]
    Program(String, String),
    #[error("{}", crate::msg!("espeak-ng has no voice `{voice}`: {error}; pick one from `espeak-ng --voices`", voice = .0, error = .1))]
    Voice(String, String),
    #[error("{}", crate::msg!("{file}: {error}", file = .0.display(), error = .1))]
    Clip(PathBuf, String),
}

/// How lines are made into sound: voices per language, the speaking rate
/// and the recorded clips.
#[derive(Debug, Clone)]
pub struct Voices {
    /// espeak-ng voice per language, where the config names one.
    pub voices: BTreeMap<Language, String>,
    /// Words per minute.
    pub rate: u32,
    /// Recorded clips: per language, the exact line they say → the file.
    pub clips: BTreeMap<Language, BTreeMap<String, PathBuf>>,
    /// The espeak-ng program.
    pub program: PathBuf,
}

impl Default for Voices {
    fn default() -> Self {
        Voices {
            voices: BTreeMap::new(),
            rate: 160,
            clips: BTreeMap::new(),
            program: PathBuf::from("espeak-ng"),
        }
    }
}

impl Voices {
    /// The voice `lang` is read with.
    pub fn voice(&self, lang: Language) -> &str {
        self.voices
            .get(&lang)
            .map(String::as_str)
            .unwrap_or_else(|| default_voice(lang))
    }

    /// One line as sound: its recorded clip when there is one, else
    /// espeak-ng; tones for masked input.
    pub fn line(&self, lang: Language, line: &Spoken) -> Result<Vec<i16>, SynthError> {
        match line {
            Spoken::Tones(n) => Ok(tones(*n)),
            Spoken::Words(words) => match self.clip(lang, words) {
                Some(file) => read_clip(file),
                None => self.synthesize(self.voice(lang), words),
            },
        }
    }

    /// The clip recorded for exactly `words` in `lang`.
    pub fn clip(&self, lang: Language, words: &str) -> Option<&Path> {
        self.clips
            .get(&lang)?
            .get(&normalize(words))
            .map(PathBuf::as_path)
    }

    /// One line as heard: its sound and the pause after it, at `volume`
    /// percent.
    pub fn heard(&self, lang: Language, line: &Spoken, volume: u8) -> Result<Vec<i16>, SynthError> {
        let mut out = self.line(lang, line)?;
        out.extend(silence(PAUSE_MS));
        scale(&mut out, volume);
        Ok(out)
    }

    /// The whole script as sound, at `volume` percent.
    pub fn render(&self, script: &Script, volume: u8) -> Result<Vec<i16>, SynthError> {
        let mut out = Vec::new();
        for line in &script.lines {
            out.extend(self.heard(script.lang, line, volume)?);
        }
        Ok(out)
    }

    /// `words` read by espeak-ng's `voice`.
    pub fn synthesize(&self, voice: &str, words: &str) -> Result<Vec<i16>, SynthError> {
        let program = self.program.display().to_string();
        let mut child = Command::new(&self.program)
            .args(["--stdout", "-v", voice, "-s", &self.rate.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| SynthError::Program(program.clone(), e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A line is short; the program reads it all before it speaks.
            stdin
                .write_all(words.as_bytes())
                .map_err(|e| SynthError::Program(program.clone(), e.to_string()))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| SynthError::Program(program.clone(), e.to_string()))?;
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if !out.status.success() || out.stdout.is_empty() {
            return Err(SynthError::Voice(voice.to_string(), stderr));
        }
        samples_of(&out.stdout).ok_or_else(|| SynthError::Voice(voice.to_string(), stderr))
    }
}

/// Clips are matched on their words with spaces evened out.
fn normalize(words: &str) -> String {
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The clips of `dir/<lang>/clips.tsv`: each line `file.wav<TAB>the exact
/// words it says`. A language without the file has no clips.
pub fn load_clips(dir: &Path) -> Result<BTreeMap<Language, BTreeMap<String, PathBuf>>, SynthError> {
    let mut all = BTreeMap::new();
    for lang in Language::ALL {
        let folder = dir.join(lang.code());
        let index = folder.join("clips.tsv");
        let text = match std::fs::read_to_string(&index) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(SynthError::Clip(index, e.to_string())),
        };
        let mut clips = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((file, words)) = line.split_once('\t') else {
                return Err(SynthError::Clip(
                    index.clone(),
                    crate::msg!(
                        "line {n}: expected the clip's file, a tab, then the exact words it says",
                        n = n + 1
                    ),
                ));
            };
            let path = folder.join(file.trim());
            read_clip(&path)?;
            clips.insert(normalize(words), path);
        }
        all.insert(lang, clips);
    }
    Ok(all)
}

/// A recorded clip: a WAV file of 22 050 Hz mono 16-bit PCM.
pub fn read_clip(path: &Path) -> Result<Vec<i16>, SynthError> {
    let bytes =
        std::fs::read(path).map_err(|e| SynthError::Clip(path.to_path_buf(), e.to_string()))?;
    let format = chunk(&bytes, b"fmt ");
    let fits = format.is_some_and(|f| {
        f.len() >= 16
            && u16::from_le_bytes([f[0], f[1]]) == 1
            && u16::from_le_bytes([f[2], f[3]]) == 1
            && u32::from_le_bytes([f[4], f[5], f[6], f[7]]) == RATE
            && u16::from_le_bytes([f[14], f[15]]) == 16
    });
    match (fits, samples_of(&bytes)) {
        (true, Some(pcm)) => Ok(pcm),
        _ => Err(SynthError::Clip(
            path.to_path_buf(),
            crate::msg!("not a WAV file of 22050 Hz mono 16-bit PCM; convert it with `sox IN.wav -r 22050 -c 1 -b 16 OUT.wav`"),
        )),
    }
}

/// The body of the RIFF chunk `id` (the whole rest for `data`, whose size
/// a stream leaves unknown).
fn chunk<'a>(wav: &'a [u8], id: &[u8; 4]) -> Option<&'a [u8]> {
    if wav.len() < 12 || &wav[..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12;
    while at + 8 <= wav.len() {
        let size = u32::from_le_bytes(wav[at + 4..at + 8].try_into().ok()?) as usize;
        let body = at + 8;
        if &wav[at..at + 4] == id {
            let end = body.saturating_add(size).min(wav.len());
            return Some(&wav[body..end]);
        }
        at = body.checked_add(size + size % 2)?;
    }
    None
}

/// The samples of a WAV file's bytes.
pub fn samples_of(wav: &[u8]) -> Option<Vec<i16>> {
    let data = chunk(wav, b"data")?;
    Some(
        data.chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect(),
    )
}

/// `ms` of silence.
pub fn silence(ms: u32) -> Vec<i16> {
    vec![0; (RATE * ms / 1000) as usize]
}

/// `n` short tones, one per masked character.
pub fn tones(n: usize) -> Vec<i16> {
    let beep = (RATE * 90 / 1000) as usize;
    let mut out = Vec::new();
    for _ in 0..n {
        for i in 0..beep {
            let t = i as f32 / RATE as f32;
            // A soft start and end, so the tone does not click.
            let edge = (i.min(beep - i) as f32 / 220.0).min(1.0);
            out.push((f32::sin(t * 880.0 * std::f32::consts::TAU) * 9000.0 * edge) as i16);
        }
        out.extend(silence(70));
    }
    out
}

/// Scale samples to `volume` percent.
pub fn scale(samples: &mut [i16], volume: u8) {
    let v = f32::from(volume.min(100)) / 100.0;
    for s in samples {
        *s = (f32::from(*s) * v) as i16;
    }
}

/// A WAV file's header for `samples` samples (`None`: a stream of
/// unknown length).
pub fn wav_header(samples: Option<usize>) -> Vec<u8> {
    let data = samples.map_or(0x7fff_f000, |n| (n * 2) as u32);
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&data.saturating_add(36).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&RATE.to_le_bytes());
    h.extend_from_slice(&(RATE * 2).to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data.to_le_bytes());
    h
}

/// Samples as little-endian bytes.
pub fn pcm_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// A whole WAV file.
pub fn wav(samples: &[i16]) -> Vec<u8> {
    let mut out = wav_header(Some(samples.len()));
    out.extend(pcm_bytes(samples));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_reads_back_and_tones_are_sound_not_digits() {
        let t = tones(3);
        assert!(t.iter().any(|s| s.unsigned_abs() > 5000));
        let bytes = wav(&t);
        assert_eq!(samples_of(&bytes).unwrap(), t);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.wav");
        std::fs::write(&f, &bytes).unwrap();
        assert_eq!(read_clip(&f).unwrap(), t);
        // Not 22 050 Hz mono 16-bit: refused, saying how to convert it.
        let mut other = bytes.clone();
        other[24..28].copy_from_slice(&44_100u32.to_le_bytes());
        std::fs::write(&f, &other).unwrap();
        assert!(read_clip(&f).unwrap_err().to_string().contains("sox"));
        let mut quiet = t.clone();
        scale(&mut quiet, 50);
        assert_eq!(quiet[100], t[100] / 2);
    }

    #[test]
    fn clips_are_found_by_their_exact_words() {
        let dir = tempfile::tempdir().unwrap();
        let tl = dir.path().join("tl");
        std::fs::create_dir_all(&tl).unwrap();
        std::fs::write(tl.join("hello.wav"), wav(&tones(1))).unwrap();
        std::fs::write(
            tl.join("clips.tsv"),
            "# file\twords\nhello.wav\tMaligayang  pagdating\n",
        )
        .unwrap();
        let voices = Voices {
            clips: load_clips(dir.path()).unwrap(),
            ..Voices::default()
        };
        assert!(voices
            .clip(Language::Tagalog, "Maligayang pagdating")
            .is_some());
        assert!(voices.clip(Language::Tagalog, "Iba pa").is_none());
        assert!(voices
            .clip(Language::English, "Maligayang pagdating")
            .is_none());
        std::fs::write(tl.join("clips.tsv"), "hello.wav Maligayang\n").unwrap();
        let e = load_clips(dir.path()).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
