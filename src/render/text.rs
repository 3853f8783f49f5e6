//! Text for paper and the door sign: glyphs from the embedded fonts,
//! rasterised at a size in dots and thresholded to ink, with word wrap
//! (and a break between any two Chinese characters).

use super::Bitmap;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use std::sync::OnceLock;

/// The embedded fonts, in the order text looks for a glyph: Noto Sans for
/// Latin and Vietnamese, Noto Sans SC for Chinese (each regular and bold),
/// and Droid Sans Fallback for anything else (other scripts in names).
static FILES: [(&[u8], &str); 5] = [
    (
        include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"),
        "NotoSans-Regular",
    ),
    (
        include_bytes!("../../assets/fonts/NotoSans-Bold.ttf"),
        "NotoSans-Bold",
    ),
    (
        include_bytes!("../../assets/fonts/NotoSansSC-Regular.ttf"),
        "NotoSansSC-Regular",
    ),
    (
        include_bytes!("../../assets/fonts/NotoSansSC-Bold.ttf"),
        "NotoSansSC-Bold",
    ),
    (
        include_bytes!("../../assets/fonts/DroidSansFallbackFull.ttf"),
        "DroidSansFallback",
    ),
];

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

fn fonts() -> &'static [FontRef<'static>; 5] {
    static FONTS: OnceLock<[FontRef<'static>; 5]> = OnceLock::new();
    FONTS.get_or_init(|| {
        FILES.map(|(data, name)| {
            FontRef::try_from_slice(data)
                .unwrap_or_else(|e| panic!("the bundled font {name} does not parse: {e}"))
        })
    })
}

/// Which embedded font draws `c` in `face`: Noto Sans, else Noto Sans SC
/// (Chinese, in the same weight), else the fallback.
fn index_for(face: Face, c: char) -> usize {
    let f = fonts();
    let bold = usize::from(face == Face::Bold);
    if f[bold].glyph_id(c).0 != 0 || c.is_whitespace() {
        bold
    } else if f[2 + bold].glyph_id(c).0 != 0 {
        2 + bold
    } else {
        4
    }
}

fn font_for(face: Face, c: char) -> &'static FontRef<'static> {
    &fonts()[index_for(face, c)]
}

/// Which embedded font draws `c` in `face` (an index into the embedded
/// fonts, see [`font_name`]), its glyph id there, and its advance in font
/// units per em.
pub fn glyph(face: Face, c: char) -> (usize, u16, f32) {
    let index = index_for(face, c);
    let font = &fonts()[index];
    let id = font.glyph_id(c);
    let em = font.units_per_em().unwrap_or(1000.0);
    (index, id.0, font.h_advance_unscaled(id) / em)
}

/// The PostScript name of embedded font `index`.
pub fn font_name(index: usize) -> &'static str {
    FILES[index.min(FILES.len() - 1)].1
}

/// Glyph `gid`'s advance per em in embedded font `index` (see [`glyph`]).
pub fn advance(index: usize, gid: u16) -> f32 {
    let font = &fonts()[index.min(FILES.len() - 1)];
    font.h_advance_unscaled(ab_glyph::GlyphId(gid)) / font.units_per_em().unwrap_or(1000.0)
}

/// The bytes of embedded font `index` (see [`glyph`]) and its ascent and
/// descent per em.
pub fn font_file(index: usize) -> (&'static [u8], f32, f32) {
    let index = index.min(FILES.len() - 1);
    let font = &fonts()[index];
    let em = font.units_per_em().unwrap_or(1000.0);
    (
        FILES[index].0,
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

/// Chinese punctuation that never starts a line (it stays with the
/// character before it).
fn closes(c: char) -> bool {
    "。，、；：？！）》」』”’〉】…".contains(c)
}

/// Split `text` into lines no wider than `max` as measured by `width`:
/// at spaces, between any two Chinese characters (but never before closing
/// punctuation), and inside a word only when the word alone is wider than
/// a line.
pub fn wrap_with(text: &str, max: f32, width: impl Fn(&str) -> f32) -> Vec<String> {
    // Tokens: words with their following space, and single CJK characters
    // with any closing punctuation after them.
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if closes(c) && !word.is_empty() {
            word.push(c);
        } else if closes(c) && tokens.last().is_some_and(|t| !t.ends_with(' ')) {
            tokens.last_mut().expect("checked").push(c);
        } else if is_cjk(c) {
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
    fn chinese_closing_punctuation_never_starts_a_line() {
        // Each character is 10 wide: a line holds 4; the full stop stays
        // with the character before it instead of starting line 2.
        let lines = wrap_with("等候一会。请坐（AO 93）。", 40.0, |s| {
            s.chars().count() as f32 * 10.0
        });
        assert!(
            lines.iter().all(|l| !l.starts_with(['。', '，', '）'])),
            "{lines:?}"
        );
        assert_eq!(lines.concat().replace(' ', ""), "等候一会。请坐（AO93）。");
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
