//! `threshold screenshot`: render a kiosk screen with demo data headless
//! (software renderer, no display needed) to a PNG, for docs, goldens and
//! review.

use crate::app::kiosk::Screen;
use crate::config::Loaded;
use crate::domain::language::Language;
use crate::ui::{apply, demo, headless, Kiosk};
use anyhow::{anyhow, Context};
use slint::ComponentHandle;
use std::path::Path;

/// Parse `WxH`.
pub fn size(s: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| anyhow!("--size: found `{s}`; expected WIDTHxHEIGHT, e.g. 1080x1920"))?;
    let parse = |v: &str| {
        v.parse::<u32>()
            .map_err(|_| anyhow!("--size: found `{s}`; expected WIDTHxHEIGHT, e.g. 1080x1920"))
    };
    Ok((parse(w)?, parse(h)?))
}

/// What a rendering measured: the layout's needs against the window.
pub struct Rendered {
    pub needed_width: f32,
    pub needed_height: f32,
}

/// Render `screen` in `lang` at `width` x `height` to `out`.
pub fn run(
    loaded: &Loaded,
    screen: Screen,
    lang: Language,
    (width, height): (u32, u32),
    large_text: bool,
    out: &Path,
) -> anyhow::Result<Rendered> {
    let window = headless::install()?;
    let ui = Kiosk::new()?;
    let view = demo::view_of(loaded, screen, lang, large_text)?;
    apply(&ui, loaded, &view);
    ui.show()?;
    let buffer = headless::render(&window, width, height)?;
    let image = image::RgbImage::from_raw(width, height, buffer.as_bytes().to_vec())
        .context("the rendered buffer has the wrong size")?;
    image
        .save_with_format(out, image::ImageFormat::Png)
        .with_context(|| format!("--out: cannot write {}", out.display()))?;
    Ok(Rendered {
        needed_width: ui.get_needed_width(),
        needed_height: ui.get_needed_height(),
    })
}
