//! Speech: every screen's spoken text, in each language with an espeak-ng
//! voice, rendered to a WAV file that is not empty and not silent, with
//! words that are the screen's own, in its language, from the catalogue;
//! the PIN as tones; Tagalog from a city's recorded clips; and only what
//! changed said again on the same screen.

use std::path::Path;
use threshold::app::kiosk::Screen;
use threshold::config::Loaded;
use threshold::devices::speech::{samples_of, tones, wav, Script, Spoken, Voices};
use threshold::domain::catalogue::lookup;
use threshold::domain::language::Language;
use threshold::ui::speech::{script, Reader};
use threshold::ui::{apply, demo, headless, Kiosk};

fn espeak() {
    let ok = std::process::Command::new("espeak-ng")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let installed = std::process::Command::new("sh")
            .args(["-c", "apt-get install -y espeak-ng >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y espeak-ng >/dev/null)"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(installed, "espeak-ng is needed and could not be installed");
    }
}

/// Root-mean-square loudness of `samples`.
fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

fn words(s: &Script) -> Vec<&str> {
    s.lines
        .iter()
        .filter_map(|l| match l {
            Spoken::Words(w) => Some(w.as_str()),
            Spoken::Tones(_) => None,
        })
        .collect()
}

/// Write `script` as a WAV file and read it back: it is sound.
fn spoken_to_file(voices: &Voices, script: &Script, file: &Path) {
    let samples = voices.render(script, 100).unwrap();
    std::fs::write(file, wav(&samples)).unwrap();
    let back = samples_of(&std::fs::read(file).unwrap()).unwrap();
    // At least half a second a line, and loud enough to hear.
    let seconds = back.len() as f64 / 22_050.0;
    assert!(
        seconds >= 0.5 * script.lines.len() as f64,
        "{}: {seconds:.1} s for {} lines",
        file.display(),
        script.lines.len()
    );
    assert!(rms(&back) > 300.0, "{} is silent", file.display());
}

fn shown(
    ui: &Kiosk,
    window: &Window,
    loaded: &Loaded,
    screen: Screen,
    lang: Language,
    still_there: bool,
) -> Script {
    let mut view = demo::view_of(loaded, screen, lang, false).unwrap();
    if still_there {
        view.idle_warning = Some(20);
    }
    apply(ui, loaded, &view);
    headless::render(window, 1080, 1920).unwrap();
    script(slint::ComponentHandle::window(ui), lang)
}

type Window = std::rc::Rc<slint::platform::software_renderer::MinimalSoftwareWindow>;

/// The kiosk's window, drawn by the software renderer, on the demo
/// configuration.
fn kiosk() -> (Window, Kiosk, Loaded) {
    let window = headless::install().unwrap();
    let ui = Kiosk::new().unwrap();
    slint::ComponentHandle::show(&ui).unwrap();
    (window, ui, Loaded::demo())
}

#[test]
fn every_screen_is_spoken_in_its_language_with_the_screens_own_words() {
    espeak();
    let (window, ui, loaded) = kiosk();
    let voices = Voices::default();
    let out = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string("assets/policies/san-jose.toml").unwrap();
    let shots: Vec<(Screen, bool)> = Screen::ALL
        .iter()
        .map(|s| (*s, false))
        .chain([(Screen::VisitorDetails, true)])
        .collect();
    for (screen, still_there) in shots {
        let english = shown(
            &ui,
            &window,
            &loaded,
            screen,
            Language::English,
            still_there,
        );
        assert!(!english.lines.is_empty(), "{screen:?} says nothing");
        for lang in [
            Language::English,
            Language::Spanish,
            Language::Vietnamese,
            Language::ChineseSimplified,
        ] {
            let said = if lang == Language::English {
                english.clone()
            } else {
                shown(&ui, &window, &loaded, screen, lang, still_there)
            };
            let name = format!(
                "{}-{}{}",
                screen.name(),
                lang.code(),
                if still_there { "-still-there" } else { "" }
            );
            // Every line the English screen takes from the catalogue is
            // said in this language's words, as the catalogue has them.
            let here = words(&said);
            assert_eq!(said.lines.len(), english.lines.len(), "{name}: {here:#?}");
            for (line, spoken) in english.lines.iter().zip(&said.lines) {
                let Spoken::Words(line) = line else { continue };
                // The profile's own texts (its notice, resources) come
                // translated from the profile, not the catalogue.
                let from_profile = profile.contains(&format!("en = {line:?}"));
                if let (Some(translated), false) = (lookup(lang, line), from_profile) {
                    assert_eq!(
                        spoken,
                        &Spoken::Words(translated.to_string()),
                        "{name}: the screen shows {line:?}; speech should say it as the catalogue does"
                    );
                }
            }
            spoken_to_file(&voices, &said, &out.path().join(format!("{name}.wav")));
        }
        if still_there {
            let w = words(&english);
            assert_eq!(w[0], "Still there?", "the card alone is said: {w:?}");
            assert!(
                !w.contains(&"Check in"),
                "the screen under the card is not said"
            );
        }
    }
}

#[test]
fn the_pin_is_tones_never_digits() {
    let (window, ui, loaded) = kiosk();
    let mut view = demo::view_of(&loaded, Screen::StaffPin, Language::English, false).unwrap();
    view.pin_length = 4;
    apply(&ui, &loaded, &view);
    headless::render(&window, 1080, 1920).unwrap();
    let said = script(slint::ComponentHandle::window(&ui), Language::English);
    assert!(said.lines.contains(&Spoken::Tones(4)), "{said:?}");
    for w in words(&said) {
        assert!(
            !w.chars().any(|c| c.is_ascii_digit()),
            "a digit is said: {w:?}"
        );
    }
    // Typing one more digit: one tone, nothing else.
    let mut reader = Reader::new(None);
    view.speaking = true;
    apply(&ui, &loaded, &view);
    reader.next(slint::ComponentHandle::window(&ui), &view);
    view.pin_length = 5;
    apply(&ui, &loaded, &view);
    let next = reader
        .next(slint::ComponentHandle::window(&ui), &view)
        .unwrap();
    assert_eq!(next.lines, [Spoken::Tones(1)]);
    let samples = Voices::default().render(&next, 100).unwrap();
    assert!(rms(&samples) > 300.0);
}

#[test]
fn on_the_same_screen_only_what_changed_is_said() {
    let (window, ui, loaded) = kiosk();
    let w = slint::ComponentHandle::window(&ui);
    let mut view =
        demo::view_of(&loaded, Screen::OfficialDocument, Language::Spanish, false).unwrap();
    view.document = None;
    view.speaking = false;
    apply(&ui, &loaded, &view);
    headless::render(&window, 1080, 1920).unwrap();
    let mut reader = Reader::new(None);
    assert!(reader.next(w, &view).is_none(), "silent until Listen");
    view.speaking = true;
    apply(&ui, &loaded, &view);
    let all = reader.next(w, &view).unwrap();
    assert!(all.lines.len() > 5, "the whole screen first");
    view.document = Some(0);
    apply(&ui, &loaded, &view);
    let change = reader.next(w, &view).unwrap();
    let label = &view.documents[0].0;
    assert_eq!(words(&change), [format!("{label}, seleccionado").as_str()]);
    // Listen again: the whole screen from its start.
    view.listens += 1;
    assert_eq!(reader.next(w, &view).unwrap().lines.len(), all.lines.len());
    // "Still there?" is said once, not each second of its countdown.
    view.idle_warning = Some(20);
    apply(&ui, &loaded, &view);
    assert!(reader.next(w, &view).is_some());
    view.idle_warning = Some(19);
    apply(&ui, &loaded, &view);
    assert!(reader.next(w, &view).is_none());
}

#[test]
fn tagalog_is_read_from_a_citys_clips_and_the_rest_by_the_stand_in_voice() {
    espeak();
    let (window, ui, loaded) = kiosk();
    let said = shown(
        &ui,
        &window,
        &loaded,
        Screen::Start,
        Language::Tagalog,
        false,
    );
    let first = words(&said)[2].to_string();
    // A city's recording of one line (here, tones stand for a voice).
    let dir = tempfile::tempdir().unwrap();
    let tl = dir.path().join("tl");
    std::fs::create_dir_all(&tl).unwrap();
    let clip = tones(7);
    std::fs::write(tl.join("line.wav"), wav(&clip)).unwrap();
    std::fs::write(tl.join("clips.tsv"), format!("line.wav\t{first}\n")).unwrap();
    let voices = Voices {
        clips: threshold::devices::speech::load_clips(dir.path()).unwrap(),
        ..Voices::default()
    };
    assert_eq!(voices.voice(Language::Tagalog), "id");
    let line = voices
        .line(Language::Tagalog, &Spoken::Words(first.clone()))
        .unwrap();
    assert_eq!(line, clip, "the clip, as recorded");
    let out = dir.path().join("start-tl.wav");
    spoken_to_file(&voices, &said, &out);
}
