//! The door sign: the facility's state (open, or officials on site) and the
//! policy notice's title in every facility language, on a 1-bit display.

use super::text::{draw, line_height, wrap};
use super::{word, Bitmap, Face, TextStyle, Word};
use crate::domain::language::Language;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};

/// What the sign shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignContent {
    /// Officials are at the desk (an open encounter that is not a drill).
    pub officials_on_site: bool,
    /// The notice title in each facility language, first language first.
    pub titles: Vec<(Language, String)>,
}

/// The state line in `lang`: "Officials on site · Staff and counsel are
/// responding" or "Open · Everyone is welcome".
pub fn state_line(officials_on_site: bool, lang: Language) -> String {
    let (a, b) = if officials_on_site {
        (Word::OfficialsOnSite, Word::StaffResponding)
    } else {
        (Word::Open, Word::EveryoneWelcome)
    };
    format!("{} · {}", word(a, lang), word(b, lang))
}

/// The state lines, each language once, wrapped at the largest size at
/// which all of them fit whole in two thirds of the sign (the titles get
/// the rest).
fn state_layout(content: &SignContent, width: u32, height: u32) -> (TextStyle, Vec<String>) {
    let mut langs: Vec<Language> = content.titles.iter().map(|t| t.0).collect();
    if langs.is_empty() {
        langs.push(Language::English);
    }
    let mut states: Vec<String> = Vec::new();
    for lang in langs {
        let line = state_line(content.officials_on_site, lang);
        if !states.contains(&line) {
            states.push(line);
        }
    }
    let room = width as f32 - 12.0;
    let budget = height as f32 * 2.0 / 3.0 - 8.0;
    let mut size = (height as f32 / 8.0).clamp(SMALLEST, 40.0);
    loop {
        let style = TextStyle {
            face: Face::Bold,
            size,
        };
        let lines: Vec<String> = states.iter().flat_map(|s| wrap(style, s, room)).collect();
        if (lines.len() as u32 * line_height(style)) as f32 <= budget || size <= SMALLEST {
            return (style, lines);
        }
        size -= 1.0;
    }
}

/// The smallest text the sign draws, in dots: below it a 1-bit panel's
/// letters stop being letters.
const SMALLEST: f32 = 9.0;

/// Draw the sign at `width` x `height` dots: the state line in every
/// facility language, whole (wrapped, and smaller until all of it fits),
/// in a band at the top, black with white letters while officials are on
/// site; under it the notice titles, as many as fit.
pub fn render(content: &SignContent, width: u32, height: u32) -> Bitmap {
    let mut b = Bitmap::new(width, height);
    let room = width as f32 - 12.0;
    let (banner, lines) = state_layout(content, width, height);
    let band_h = (lines.len() as u32 * line_height(banner) + 8).min(height);
    if content.officials_on_site {
        Rectangle::new(Point::zero(), Size::new(width, band_h))
            .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
            .draw(&mut b)
            .expect("drawing into a bitmap cannot fail");
    }
    let mut band = Bitmap::new(width, band_h);
    let mut y = 4.0;
    for line in &lines {
        draw(&mut band, banner, line, 6.0, y);
        y += line_height(banner) as f32;
    }
    for y in 0..band_h {
        for x in 0..width {
            if band.get(x, y) {
                b.set(x, y, !content.officials_on_site);
            }
        }
    }
    // The titles, as many whole ones as fit.
    let small = TextStyle {
        face: Face::Regular,
        size: (height as f32 / 14.0).clamp(SMALLEST, 24.0),
    };
    let mut y = band_h as f32 + 6.0;
    for (_, title) in &content.titles {
        let title_lines = wrap(small, title, room);
        let need = (title_lines.len() as u32 * line_height(small)) as f32;
        if y + need > height as f32 {
            break;
        }
        for line in title_lines {
            draw(&mut b, small, &line, 6.0, y);
            y += line_height(small) as f32;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text;

    /// Every state line is drawn whole on the default 400x300 sign and on
    /// a small 296x128 e-paper panel, in all five languages.
    #[test]
    fn the_state_line_is_whole_in_every_language() {
        let titles: Vec<(Language, String)> = Language::ALL
            .iter()
            .map(|l| (*l, "This is a City of San José facility".to_string()))
            .collect();
        for (w, h) in [(400, 300), (296, 128)] {
            for on_site in [true, false] {
                let content = SignContent {
                    officials_on_site: on_site,
                    titles: titles.clone(),
                };
                let bitmap = render(&content, w, h);
                let (style, lines) = state_layout(&content, w, h);
                assert!(
                    style.size > SMALLEST,
                    "{w}x{h}: the state needed the smallest size"
                );
                let band = lines.len() as u32 * line_height(style) + 8;
                assert!(band < h * 3 / 4, "{w}x{h}: the band takes {band} rows");
                for line in &lines {
                    assert!(text::width(style, line) <= w as f32 - 12.0, "{line}");
                }
                // Ink in the band's last line: the last language is drawn.
                let last = band - 4 - line_height(style);
                let ink = (last..band - 4)
                    .flat_map(|y| (0..w).map(move |x| (x, y)))
                    .filter(|(x, y)| bitmap.get(*x, *y) != on_site)
                    .count();
                assert!(ink > 20, "{w}x{h}: nothing drawn on the last state line");
                // Every word of every language's state line is on the sign
                // (none dropped at the end, as "Staff and" once was).
                let joined = lines.join(" ");
                for l in Language::ALL {
                    for word in state_line(on_site, l).split_whitespace() {
                        assert!(joined.contains(word), "{w}x{h} {l}: {word} missing");
                    }
                }
                assert_eq!(bitmap.width(), w);
            }
        }
    }
}
