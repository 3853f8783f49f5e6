//! Text for paper and the door sign: glyphs from the embedded fonts,
//! rasterised at a size in dots and thresholded to ink, with word wrap
//! (and a break between any two Chinese characters).

use super::Bitmap;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use std::sync::OnceLock;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
static FALLBACK: &[u8] = include_bytes!("../../assets/fonts/DroidSansFallbackFull.ttf");

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

/// A face and a size in dots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub face: Face,
    pub size: f32,
}

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    fallback: FontRef<'static>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        regular: FontRef::try_from_slice(REGULAR).expect("the bundled Noto Sans parses"),
        bold: FontRef::try_from_slice(BOLD).expect("the bundled Noto Sans Bold parses"),
        fallback: FontRef::try_from_slice(FALLBACK).expect("the bundled fallback font parses"),
    })
}

/// The font that has `c`: Noto Sans, else the fallback (Chinese).
fn font_for(face: Face, c: char) -> &'static FontRef<'static> {
    let f = fonts();
    let main = match face {
        Face::Regular => &f.regular,
        Face::Bold => &f.bold,
    };
    if main.glyph_id(c).0 != 0 || c.is_whitespace() {
        main
    } else {
        &f.fallback
    }
}

/// Which embedded font draws `c` in `face` (0 regular, 1 bold, 2 the
/// fallback), its glyph id there, and its advance in font units per em.
pub fn glyph(face: Face, c: char) -> (usize, u16, f32) {
    let f = fonts();
    let font = font_for(face, c);
    let index = if std::ptr::eq(font, &f.fallback) {
        2
    } else if face == Face::Bold {
        1
    } else {
        0
    };
    let id = font.glyph_id(c);
    let em = font.units_per_em().unwrap_or(1000.0);
    (index, id.0, font.h_advance_unscaled(id) / em)
}

/// Glyph `gid`'s advance per em in embedded font `index` (see [`glyph`]).
pub fn advance(index: usize, gid: u16) -> f32 {
    let f = fonts();
    let font = match index {
        0 => &f.regular,
        1 => &f.bold,
        _ => &f.fallback,
    };
    font.h_advance_unscaled(ab_glyph::GlyphId(gid)) / font.units_per_em().unwrap_or(1000.0)
}

/// The bytes of embedded font `index` (see [`glyph`]) and its ascent and
/// descent per em.
pub fn font_file(index: usize) -> (&'static [u8], f32, f32) {
    let f = fonts();
    let (data, font) = match index {
        0 => (REGULAR, &f.regular),
        1 => (BOLD, &f.bold),
        _ => (FALLBACK, &f.fallback),
    };
    let em = font.units_per_em().unwrap_or(1000.0);
    (
        data,
        font.ascent_unscaled() / em,
        font.descent_unscaled() / em,
    )
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// The width of `text` in dots.
pub fn width(style: TextStyle, text: &str) -> f32 {
    let scale = PxScale::from(style.size);
    text.chars()
        .map(|c| {
            let font = font_for(style.face, c).as_scaled(scale);
            font.h_advance(font.glyph_id(c))
        })
        .sum()
}

/// Split `text` into lines no wider than `max` dots.
pub fn wrap(style: TextStyle, text: &str, max: f32) -> Vec<String> {
    wrap_with(text, max, |s| width(style, s))
}

/// Split `text` into lines no wider than `max` as measured by `width`:
/// at spaces, between any two Chinese characters, and inside a word only
/// when the word alone is wider than a line.
pub fn wrap_with(text: &str, max: f32, width: impl Fn(&str) -> f32) -> Vec<String> {
    // Tokens: words with their following space, and single CJK characters.
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            tokens.push(c.to_string());
        } else if c == ' ' {
            word.push(c);
            tokens.push(std::mem::take(&mut word));
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for token in tokens {
        let candidate = format!("{line}{token}");
        if !line.is_empty() && width(candidate.trim_end()) > max {
            lines.push(line.trim_end().to_string());
            line = token.trim_start().to_string();
        } else {
            line = candidate;
        }
        // A single token wider than the line is cut by characters.
        while width(line.trim_end()) > max && line.chars().count() > 1 {
            let mut head = String::new();
            for c in line.chars() {
                if width(&format!("{head}{c}")) > max {
                    break;
                }
                head.push(c);
            }
            if head.is_empty() {
                break;
            }
            line = line[head.len()..].to_string();
            lines.push(head);
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The height of one line of `style`, in dots.
pub fn line_height(style: TextStyle) -> u32 {
    (style.size * 1.3).ceil() as u32
}

/// Draw one line of `text` with its top-left at (`x`, `y`); returns its width.
pub fn draw(target: &mut Bitmap, style: TextStyle, text: &str, x: f32, y: f32) -> f32 {
    let scale = PxScale::from(style.size);
    let baseline = y + style.size;
    let mut pen = x;
    for c in text.chars() {
        let font = font_for(style.face, c);
        let scaled = font.as_scaled(scale);
        let glyph = scaled
            .glyph_id(c)
            .with_scale_and_position(scale, ab_glyph::point(pen, baseline));
        pen += scaled.h_advance(glyph.id);
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                if coverage >= 0.5 {
                    let (px, py) = (b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32);
                    if px >= 0 && py >= 0 {
                        target.set(px as u32, py as u32, true);
                    }
                }
            });
        }
    }
    pen - x
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: TextStyle = TextStyle {
        face: Face::Regular,
        size: 24.0,
    };

    #[test]
    fn wrapping_keeps_words_and_breaks_between_chinese_characters() {
        let lines = wrap(
            BODY,
            "Staff and the City Attorney's Office have been notified.",
            300.0,
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(BODY, l) <= 300.0), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "Staff and the City Attorney's Office have been notified."
        );
        let zh = wrap(
            BODY,
            "已通知工作人员和市政府法律顾问。请在公共区域等候。",
            200.0,
        );
        assert!(
            zh.len() > 1 && zh.iter().all(|l| width(BODY, l) <= 200.0),
            "{zh:?}"
        );
        assert_eq!(
            zh.concat(),
            "已通知工作人员和市政府法律顾问。请在公共区域等候。"
        );
    }

    #[test]
    fn every_script_draws_ink() {
        for text in ["Tiếng Việt", "简体中文", "Español ñ"] {
            let mut b = Bitmap::new(400, 40);
            draw(&mut b, BODY, text, 0.0, 0.0);
            let ink = (0..400)
                .flat_map(|x| (0..40).map(move |y| (x, y)))
                .filter(|(x, y)| b.get(*x, *y))
                .count();
            assert!(ink > 100, "{text}: {ink} dots");
        }
    }
}
