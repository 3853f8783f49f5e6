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

/// Draw the sign at `width` x `height` dots.
pub fn render(content: &SignContent, width: u32, height: u32) -> Bitmap {
    let mut b = Bitmap::new(width, height);
    let lang = content.titles.first().map_or(Language::English, |t| t.0);
    let banner_h = (height / 4).max(24);
    let size = (banner_h as f32 * 0.45).max(10.0);
    let banner = TextStyle {
        face: Face::Bold,
        size,
    };
    // The state as a black band with white letters when officials are on
    // site, so it reads from across the lobby.
    if content.officials_on_site {
        Rectangle::new(Point::zero(), Size::new(width, banner_h))
            .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
            .draw(&mut b)
            .expect("drawing into a bitmap cannot fail");
    }
    let state = if content.officials_on_site {
        format!(
            "{} · {}",
            word(Word::OfficialsOnSite, lang),
            word(Word::StaffResponding, lang)
        )
    } else {
        format!(
            "{} · {}",
            word(Word::Open, lang),
            word(Word::EveryoneWelcome, lang)
        )
    };
    let mut band = Bitmap::new(width, banner_h);
    let line = wrap(banner, &state, width as f32 - 12.0)
        .into_iter()
        .next()
        .unwrap_or_default();
    draw(
        &mut band,
        banner,
        &line,
        6.0,
        (banner_h as f32 - size * 1.3) / 2.0,
    );
    for y in 0..banner_h {
        for x in 0..width {
            if band.get(x, y) {
                b.set(x, y, !content.officials_on_site);
            }
        }
    }
    // The titles, as many as fit.
    let small = TextStyle {
        face: Face::Regular,
        size: (height as f32 / 12.0).clamp(10.0, 28.0),
    };
    let mut y = banner_h as f32 + 6.0;
    for (_, title) in &content.titles {
        for line in wrap(small, title, width as f32 - 12.0) {
            if y + line_height(small) as f32 > height as f32 {
                return b;
            }
            draw(&mut b, small, &line, 6.0, y);
            y += line_height(small) as f32;
        }
    }
    b
}
