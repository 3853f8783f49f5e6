//! Drawing for paper and the door sign: a 1-bit framebuffer that
//! embedded-graphics draws into, and text rasterised from the fonts the
//! kiosk ships (Noto Sans, with Droid Sans Fallback for Chinese), so every
//! kiosk language prints.

pub mod pdf;
mod pdfa;
pub mod receipt;
pub mod sign;
pub mod text;
pub mod words;

pub use text::{Face, TextStyle};
pub use words::{word, Word};

use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;

/// A 1-bit image, rows of packed bits, most significant bit first (the
/// layout ESC/POS raster and the door sign both take). `true` is ink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: u32,
    height: u32,
    bits: Vec<u8>,
}

impl Bitmap {
    /// A blank bitmap; `width` is rounded up to whole bytes.
    pub fn new(width: u32, height: u32) -> Bitmap {
        let width = width.div_ceil(8) * 8;
        Bitmap {
            width,
            height,
            bits: vec![0; (width / 8 * height) as usize],
        }
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        (self.width / 8) as usize
    }

    /// The packed rows.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let byte = self.bits[y as usize * self.stride() + (x / 8) as usize];
        byte & (0x80 >> (x % 8)) != 0
    }

    pub fn set(&mut self, x: u32, y: u32, ink: bool) {
        if x >= self.width || y >= self.height {
            return;
        }
        let i = y as usize * self.stride() + (x / 8) as usize;
        let mask = 0x80 >> (x % 8);
        if ink {
            self.bits[i] |= mask;
        } else {
            self.bits[i] &= !mask;
        }
    }

    /// Keep only the first `height` rows (a receipt is drawn on a long
    /// sheet and cut to what it used).
    pub fn truncate(&mut self, height: u32) {
        self.height = height.min(self.height);
        self.bits.truncate(self.stride() * self.height as usize);
    }

    /// The bitmap as a greyscale PNG (ink black on white).
    pub fn to_png(&self) -> Vec<u8> {
        let img = image::GrayImage::from_fn(self.width, self.height, |x, y| {
            image::Luma([if self.get(x, y) { 0 } else { 255 }])
        });
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .expect("encoding a PNG into memory cannot fail");
        out
    }

    /// Read back a PNG written by [`Bitmap::to_png`] (dark pixels are ink).
    pub fn from_png(bytes: &[u8]) -> Option<Bitmap> {
        let img = image::load_from_memory(bytes).ok()?.to_luma8();
        let mut b = Bitmap::new(img.width(), img.height());
        for (x, y, p) in img.enumerate_pixels() {
            b.set(x, y, p[0] < 128);
        }
        Some(b)
    }
}

impl OriginDimensions for Bitmap {
    fn size(&self) -> Size {
        Size::new(self.width, self.height)
    }
}

impl DrawTarget for Bitmap {
    type Color = BinaryColor;
    type Error = core::convert::Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(p, c) in pixels {
            if p.x >= 0 && p.y >= 0 {
                self.set(p.x as u32, p.y as u32, c.is_on());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_graphics::mock_display::MockDisplay;
    use embedded_graphics::primitives::{Line, PrimitiveStyle};

    #[test]
    fn bits_are_packed_msb_first_and_round_trip_through_png() {
        let mut b = Bitmap::new(10, 2);
        assert_eq!(b.width(), 16);
        b.set(0, 0, true);
        b.set(9, 1, true);
        assert_eq!(b.bits(), &[0x80, 0x00, 0x00, 0x40]);
        assert_eq!(Bitmap::from_png(&b.to_png()).unwrap(), b);
    }

    #[test]
    fn embedded_graphics_draws_into_the_bitmap_as_into_a_mock_display() {
        let style = PrimitiveStyle::with_stroke(BinaryColor::On, 1);
        let line = Line::new(Point::new(0, 0), Point::new(3, 0)).into_styled(style);
        let mut mock = MockDisplay::new();
        line.draw(&mut mock).unwrap();
        mock.assert_pattern(&["####"]);
        let mut b = Bitmap::new(8, 1);
        line.draw(&mut b).unwrap();
        assert_eq!(b.bits(), &[0xF0]);
    }
}
