//! Contrast as drawn: every text on every screen, rendered, against what
//! is behind it. In high contrast each reaches 7:1 (Section 508 and WCAG's
//! enhanced contrast); in the normal colours 4.5:1 (WCAG AA). Measured on
//! the pixels: the colour most of a text's box has is its background, the
//! glyph pixel farthest from it is its ink.

use slint::ComponentHandle;
use threshold::app::kiosk::Screen;
use threshold::config::Loaded;
use threshold::domain::language::Language;
use threshold::ui::{apply, demo, fit, headless, Kiosk};

fn luminance(p: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(p[0]) + 0.7152 * lin(p[1]) + 0.0722 * lin(p[2])
}

fn ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The worst text of the window: its contrast and words.
fn worst(buffer: &[u8], width: usize, texts: &[fit::Placed]) -> Option<(f64, String)> {
    let mut worst: Option<(f64, String)> = None;
    for t in texts {
        let Some(r) = t.shown else { continue };
        let (x0, y0) = (r.x.max(0.0) as usize, r.y.max(0.0) as usize);
        let (x1, y1) = ((r.x + r.width) as usize, (r.y + r.height) as usize);
        let height = buffer.len() / 3 / width;
        let mut counts = std::collections::HashMap::<[u8; 3], u32>::new();
        let mut pixels = Vec::new();
        for y in y0..y1.min(height) {
            for x in x0..x1.min(width) {
                let i = (y * width + x) * 3;
                let p = [buffer[i], buffer[i + 1], buffer[i + 2]];
                *counts.entry(p).or_default() += 1;
                pixels.push(p);
            }
        }
        let Some((&background, _)) = counts.iter().max_by_key(|(_, n)| **n) else {
            continue;
        };
        let ink = pixels
            .iter()
            .map(|p| ratio(*p, background))
            .fold(1.0, f64::max);
        if worst.as_ref().is_none_or(|(w, _)| ink < *w) {
            worst = Some((ink, t.text.clone()));
        }
    }
    worst
}

#[test]
fn every_text_on_every_screen_meets_its_contrast() {
    let window = headless::install().unwrap();
    let ui = Kiosk::new().unwrap();
    ui.show().unwrap();
    let loaded = Loaded::demo();
    let mut failures = Vec::new();
    for (high, least) in [(true, 7.0), (false, 4.5)] {
        for screen in Screen::ALL {
            for lang in [Language::English, Language::Vietnamese] {
                let mut view = demo::view_of(&loaded, screen, lang, false).unwrap();
                view.high_contrast = high;
                apply(&ui, &loaded, &view);
                let buffer = headless::render(&window, 1080, 1920).unwrap();
                let texts = fit::texts(ui.window());
                if let Some((found, text)) = worst(buffer.as_bytes(), 1080, &texts) {
                    if found < least {
                        failures.push(format!(
                            "{} {} high-contrast={high}: {text:?} at {found:.1}:1 (needs {least}:1)",
                            screen.name(),
                            lang.code()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
