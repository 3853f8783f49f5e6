//! `threshold screenshot`: render a kiosk screen with demo data headless
//! (software renderer, no display needed) to a PNG, for docs, goldens and
//! review.

use super::says::say;
use crate::app::kiosk::Screen;
use crate::config::Loaded;
use crate::domain::language::Language;
use crate::ui::{apply, demo, fit, headless, Kiosk};
use anyhow::{anyhow, Context};
use slint::ComponentHandle;
use std::path::Path;

/// Parse `WxH`.
pub fn size(s: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = s.split_once('x').ok_or_else(|| {
        anyhow!(say!(
            "--size: found `{value}`; expected WIDTHxHEIGHT, e.g. 1080x1920",
            value = s
        ))
    })?;
    let parse = |v: &str| {
        v.parse::<u32>().map_err(|_| {
            anyhow!(say!(
                "--size: found `{value}`; expected WIDTHxHEIGHT, e.g. 1080x1920",
                value = s
            ))
        })
    };
    Ok((parse(w)?, parse(h)?))
}

/// What a rendering measured: the layout's needs against the window.
pub struct Rendered {
    /// The whole layout's minimum size (chrome and screen).
    pub needed_width: f32,
    pub needed_height: f32,
    /// The screen's content height against its room; beyond it, it scrolls.
    pub content_needed_height: f32,
    pub content_height: f32,
    /// Texts that need more room than their box, or are drawn over each
    /// other.
    pub misfits: Vec<fit::Misfit>,
    /// What the screen says aloud.
    pub script: crate::devices::speech::Script,
}

/// The name of "Still there?" for `--screen`.
pub const STILL_THERE: &str = "still-there";

/// One screen to render, and where.
pub struct Shot {
    pub screen: Screen,
    /// With "Still there?" over the screen.
    pub still_there: bool,
    pub lang: Language,
    pub out: std::path::PathBuf,
}

/// The shots `--screen`, `--lang` and `--out` ask for (`all` expands).
pub fn plan(
    screen: &str,
    lang: &str,
    size: (u32, u32),
    large: bool,
    out: &Path,
) -> anyhow::Result<Vec<Shot>> {
    // `still-there` is the visitor's details with "Still there?" over them.
    let still_there = (Screen::VisitorDetails, true);
    let screens: Vec<(Screen, bool)> = if screen == "all" {
        Screen::ALL
            .iter()
            .map(|s| (*s, false))
            .chain([still_there])
            .collect()
    } else if screen == STILL_THERE {
        vec![still_there]
    } else {
        vec![(
            screen
                .parse()
                .map_err(|e: String| anyhow!("--screen: {e}, {STILL_THERE}"))?,
            false,
        )]
    };
    let langs: Vec<Language> = if lang == "all" {
        Language::ALL.to_vec()
    } else {
        vec![lang.parse().map_err(|e| anyhow!("--lang: {e}"))?]
    };
    if screens.len() * langs.len() == 1 {
        return Ok(vec![Shot {
            screen: screens[0].0,
            still_there: screens[0].1,
            lang: langs[0],
            out: out.to_path_buf(),
        }]);
    }
    std::fs::create_dir_all(out).with_context(|| {
        say!(
            "--out: cannot make the folder {folder}",
            folder = out.display()
        )
    })?;
    let suffix = if large { "-large" } else { "" };
    Ok(screens
        .iter()
        .flat_map(|&(s, still_there)| {
            langs.iter().map(move |l| Shot {
                screen: s,
                still_there,
                lang: *l,
                out: out.join(format!(
                    "{}-{}-{}x{}{suffix}.png",
                    if still_there { STILL_THERE } else { s.name() },
                    l.code(),
                    size.0,
                    size.1
                )),
            })
        })
        .collect())
}

/// Write what `shot` says aloud beside its PNG: the words and the sound.
pub fn speak(
    loaded: &Loaded,
    shot: &Shot,
    script: &crate::devices::speech::Script,
) -> anyhow::Result<()> {
    let (voices, problem) = loaded.config.kiosk.voices();
    if let Some(e) = problem {
        return Err(e.into());
    }
    let text = shot.out.with_extension("txt");
    std::fs::write(&text, script.text() + "\n")
        .with_context(|| say!("--out: cannot write {file}", file = text.display()))?;
    let samples = voices.render(script, 100)?;
    let wav = shot.out.with_extension("wav");
    std::fs::write(&wav, crate::devices::speech::wav(&samples))
        .with_context(|| say!("--out: cannot write {file}", file = wav.display()))?;
    Ok(())
}

/// Render every shot at `width` x `height` in one window.
pub fn run(
    loaded: &Loaded,
    shots: &[Shot],
    (width, height): (u32, u32),
    large_text: bool,
) -> anyhow::Result<Vec<Rendered>> {
    let window = headless::install()?;
    let ui = Kiosk::new()?;
    ui.show()?;
    let mut done = Vec::new();
    for shot in shots {
        let mut view = demo::view_of(loaded, shot.screen, shot.lang, large_text)?;
        if shot.still_there {
            view.idle_warning = Some(crate::app::kiosk::WARN_FOR.as_secs() as u32);
        }
        apply(&ui, loaded, &view);
        let buffer = headless::render(&window, width, height)?;
        let image = image::RgbImage::from_raw(width, height, buffer.as_bytes().to_vec())
            .context(say!("the rendered buffer has the wrong size"))?;
        image
            .save_with_format(&shot.out, image::ImageFormat::Png)
            .with_context(|| say!("--out: cannot write {file}", file = shot.out.display()))?;
        done.push(Rendered {
            needed_width: ui.get_needed_width(),
            needed_height: ui.get_needed_height(),
            content_needed_height: ui.get_content_needed_height(),
            content_height: ui.get_content_height(),
            misfits: fit::misfits(ui.window()),
            script: crate::ui::speech::script(ui.window(), shot.lang),
        });
    }
    Ok(done)
}
