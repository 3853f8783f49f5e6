//! The resources screen's cards: each resource of the profile with a QR
//! code of its web address (or its phone number), drawn once.

use super::view::ResourceCard;
use crate::domain::language::Language;
use crate::domain::policy::PolicyProfile;
use slint::{Rgba8Pixel, SharedPixelBuffer};

/// QR codes per resource, in profile order.
pub struct Cards {
    qr: Vec<Option<SharedPixelBuffer<Rgba8Pixel>>>,
}

impl Cards {
    pub fn new(profile: &PolicyProfile) -> Cards {
        Cards {
            qr: profile
                .resources
                .iter()
                .map(|r| {
                    let target = match (&r.url, &r.phone) {
                        (Some(url), _) => url.clone(),
                        (None, Some(phone)) => format!("tel:{}", phone.replace(' ', "")),
                        (None, None) => return None,
                    };
                    qr_pixels(&target)
                })
                .collect(),
        }
    }

    pub fn empty() -> Cards {
        Cards { qr: Vec::new() }
    }

    /// The cards in `lang`.
    pub fn cards(&self, profile: &PolicyProfile, lang: Language) -> Vec<ResourceCard> {
        profile
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| ResourceCard {
                name: r.name.get(lang).to_string(),
                description: r.description.get(lang).to_string(),
                phone: r.phone.clone().unwrap_or_default(),
                url: r.url.clone().unwrap_or_default(),
                qr: self.qr.get(i).cloned().flatten(),
            })
            .collect()
    }
}

/// A QR code of `text`: black modules on white with a quiet zone, 6 px per
/// module so phones read it from a kiosk screen.
pub fn qr_pixels(text: &str) -> Option<SharedPixelBuffer<Rgba8Pixel>> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let modules = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (6usize, 4usize);
    let side = (modules + 2 * quiet) * scale;
    let mut buf = SharedPixelBuffer::<Rgba8Pixel>::new(side as u32, side as u32);
    let pixels = buf.make_mut_slice();
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (
                (x / scale).wrapping_sub(quiet),
                (y / scale).wrapping_sub(quiet),
            );
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            let v = if dark { 0 } else { 255 };
            pixels[y * side + x] = Rgba8Pixel::new(v, v, v, 255);
        }
    }
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_codes_have_finder_patterns_and_a_quiet_zone() {
        let buf = qr_pixels("https://www.sanjoseca.gov/immigrantaffairs").unwrap();
        let w = buf.width() as usize;
        let px = buf.as_slice();
        // Quiet zone is white; the top-left finder's corner is dark.
        assert_eq!(px[0].r, 255);
        assert_eq!(px[(4 * 6) * w + 4 * 6].r, 0);
        assert_eq!(buf.width(), buf.height());
    }
}
