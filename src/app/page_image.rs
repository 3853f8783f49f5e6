//! A captured document page, checked to be a readable image before anything
//! is recorded.

use image::ImageFormat;
use std::io::Cursor;
use std::path::Path;

/// The largest page image accepted.
pub const MAX_PAGE_BYTES: usize = 25 * 1024 * 1024;

/// A page image that decodes.
#[derive(Debug, Clone)]
pub struct PageImage {
    pub bytes: Vec<u8>,
    /// `image/png` or `image/jpeg`.
    pub media: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Why a page image was refused.
#[derive(Debug, thiserror::Error)]
pub enum PageImageError {
    #[error("{}", crate::msg!("page {path}: cannot read the file: {source}", path = .path, source = .source))]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{}", crate::msg!("page {path}: the file is empty", path = .path))]
    Empty { path: String },
    #[error("{}", crate::msg!("page {path}: {bytes} bytes is over the {limit}-byte limit; scan at a lower resolution", path = .path, bytes = .bytes, limit = MAX_PAGE_BYTES))]
    TooLarge { path: String, bytes: usize },
    #[error("{}", crate::msg!("page {path}: not a PNG or JPEG image; capture the page as PNG or JPEG", path = .path))]
    NotAnImage { path: String },
    #[error("{}", crate::msg!("page {path}: the image is damaged and cannot be decoded ({reason}); capture the page again", path = .path, reason = .reason))]
    Undecodable { path: String, reason: String },
}

impl PageImage {
    /// Read and check the image file at `path`.
    pub fn from_file(path: &Path) -> Result<PageImage, PageImageError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| PageImageError::Read {
            path: name.clone(),
            source,
        })?;
        Self::from_bytes(&name, bytes)
    }

    /// Check `bytes` (named `name` in errors) decode as a PNG or JPEG.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<PageImage, PageImageError> {
        let path = name.to_string();
        if bytes.is_empty() {
            return Err(PageImageError::Empty { path });
        }
        if bytes.len() > MAX_PAGE_BYTES {
            return Err(PageImageError::TooLarge {
                path,
                bytes: bytes.len(),
            });
        }
        let (format, media) = match image::guess_format(&bytes) {
            Ok(ImageFormat::Png) => (ImageFormat::Png, "image/png"),
            Ok(ImageFormat::Jpeg) => (ImageFormat::Jpeg, "image/jpeg"),
            _ => return Err(PageImageError::NotAnImage { path }),
        };
        let mut reader = image::ImageReader::with_format(Cursor::new(&bytes), format);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(20_000);
        limits.max_image_height = Some(20_000);
        limits.max_alloc = Some(512 * 1024 * 1024);
        reader.limits(limits);
        let decoded = reader.decode().map_err(|e| PageImageError::Undecodable {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(PageImage {
            width: decoded.width(),
            height: decoded.height(),
            bytes,
            media,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let img = image::GrayImage::from_pixel(4, 3, image::Luma([200]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn accepts_png_and_refuses_junk_and_truncation() {
        let p = PageImage::from_bytes("a.png", png()).unwrap();
        assert_eq!((p.width, p.height, p.media), (4, 3, "image/png"));
        assert!(matches!(
            PageImage::from_bytes("a.txt", b"hello".to_vec()),
            Err(PageImageError::NotAnImage { .. })
        ));
        let mut cut = png();
        cut.truncate(cut.len() / 2);
        assert!(matches!(
            PageImage::from_bytes("cut.png", cut),
            Err(PageImageError::Undecodable { .. })
        ));
        assert!(matches!(
            PageImage::from_bytes("e.png", Vec::new()),
            Err(PageImageError::Empty { .. })
        ));
    }
}
