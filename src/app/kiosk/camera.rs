//! Document pages from a V4L2 camera (a document camera or webcam over the
//! desk): the highest resolution it offers, JPEG when it sends JPEG,
//! otherwise YUYV converted; a few frames are let go first so the camera's
//! automatic exposure settles. The device is opened for each page, so an
//! unplugged and replugged camera works again without a restart.

use super::capture::{CaptureError, Captured, PageSource};
use crate::app::PageImage;
use linuxvideo::format::{PixFormat, PixelFormat};
use linuxvideo::{BufType, Device};
use std::path::{Path, PathBuf};

/// Frames dropped before the one kept (exposure and focus settle).
const WARM_UP_FRAMES: usize = 8;

/// A V4L2 capture device.
#[derive(Debug)]
pub struct CameraSource {
    device: PathBuf,
}

impl CameraSource {
    pub fn new(device: &Path) -> CameraSource {
        CameraSource {
            device: device.to_path_buf(),
        }
    }

    fn err(&self, what: &'static str) -> impl Fn(std::io::Error) -> CaptureError + '_ {
        move |source| CaptureError::Camera {
            device: self.device.display().to_string(),
            what,
            source,
        }
    }

    /// One frame: its pixel format, width, height, bytes per line and data.
    fn frame(&self) -> Result<(PixelFormat, u32, u32, u32, Vec<u8>), CaptureError> {
        let device = Device::open(&self.device).map_err(self.err("open"))?;
        let formats = device
            .formats(BufType::VIDEO_CAPTURE)
            .map(|f| f.map(|f| f.pixel_format()))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(self.err("list the formats of"))?;
        let format = [PixelFormat::JPEG, PixelFormat::MJPG, PixelFormat::YUYV]
            .into_iter()
            .find(|f| formats.contains(f))
            .ok_or_else(|| CaptureError::CameraFormat {
                device: self.device.display().to_string(),
                found: format!("{formats:?}"),
            })?;
        // Asking for the largest size gets the camera's largest.
        let capture = device
            .video_capture(PixFormat::new(u32::MAX, u32::MAX, format))
            .map_err(self.err("set the format of"))?;
        let f = capture.format();
        let negotiated = (f.pixel_format(), f.width(), f.height(), f.bytes_per_line());
        let mut stream = capture.into_stream().map_err(self.err("start"))?;
        for _ in 0..WARM_UP_FRAMES {
            stream.dequeue(|_| Ok(())).map_err(self.err("read from"))?;
        }
        let bytes = stream
            .dequeue(|buf| Ok(buf.to_vec()))
            .map_err(self.err("read from"))?;
        Ok((
            negotiated.0,
            negotiated.1,
            negotiated.2,
            negotiated.3,
            bytes,
        ))
    }
}

impl PageSource for CameraSource {
    fn capture(&mut self) -> Result<Captured, CaptureError> {
        let (format, width, height, stride, bytes) = self.frame()?;
        let name = self.device.display().to_string();
        let image = if format == PixelFormat::YUYV {
            yuyv_to_rgb(&bytes, width, height, stride).ok_or_else(|| CaptureError::CameraFrame {
                device: name.clone(),
            })?
        } else {
            // MJPG frames leave out the Huffman tables; the decoder fills in
            // the standard ones, and re-encoding stores a plain JPEG any
            // viewer opens.
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
                .map_err(|_| CaptureError::CameraFrame {
                    device: name.clone(),
                })?
                .to_rgb8()
        };
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&image)
            .map_err(|_| CaptureError::CameraFrame {
                device: name.clone(),
            })?;
        let page = PageImage::from_bytes(&name, jpeg).map_err(CaptureError::BadFile)?;
        Ok(Captured { page, file: None })
    }

    fn release(&mut self, _: &Captured) {}
}

/// A YUYV 4:2:2 frame as RGB (BT.601, studio range), or `None` when the
/// buffer is shorter than the format says.
pub fn yuyv_to_rgb(data: &[u8], width: u32, height: u32, stride: u32) -> Option<image::RgbImage> {
    let (w, h, stride) = (
        width as usize,
        height as usize,
        (stride as usize).max(width as usize * 2),
    );
    if w == 0 || h == 0 || w % 2 != 0 || data.len() < stride * (h - 1) + w * 2 {
        return None;
    }
    let mut out = image::RgbImage::new(width, height);
    let convert = |y: u8, u: u8, v: u8| {
        let c = (y as f32 - 16.0) * 1.164;
        let (d, e) = (u as f32 - 128.0, v as f32 - 128.0);
        let clamp = |x: f32| x.round().clamp(0.0, 255.0) as u8;
        image::Rgb([
            clamp(c + 1.596 * e),
            clamp(c - 0.392 * d - 0.813 * e),
            clamp(c + 2.017 * d),
        ])
    };
    for row in 0..h {
        let line = &data[row * stride..row * stride + w * 2];
        for (i, q) in line.chunks_exact(4).enumerate() {
            let (y0, u, y1, v) = (q[0], q[1], q[2], q[3]);
            out.put_pixel(2 * i as u32, row as u32, convert(y0, u, v));
            out.put_pixel(2 * i as u32 + 1, row as u32, convert(y1, u, v));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_converts_grey_white_and_colour_and_refuses_short_frames() {
        // 4x2: black, white / mid grey, and a red-ish pair.
        let stride = 8;
        let frame = [
            16, 128, 235, 128, 126, 128, 126, 128, // row 0
            81, 90, 81, 240, 16, 128, 16, 128, // row 1
        ];
        let img = yuyv_to_rgb(&frame, 4, 2, stride).unwrap();
        assert_eq!(img.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(1, 0).0, [255, 255, 255]);
        let grey = img.get_pixel(2, 0).0;
        assert!(grey.iter().all(|c| (126..=130).contains(c)), "{grey:?}");
        let red = img.get_pixel(0, 1).0;
        assert!(red[0] > 200 && red[1] < 40 && red[2] < 40, "{red:?}");
        assert!(yuyv_to_rgb(&frame[..10], 4, 2, stride).is_none());
        assert!(yuyv_to_rgb(&frame, 3, 2, stride).is_none());
    }

    #[test]
    fn a_missing_camera_is_named_with_what_to_check() {
        let mut cam = CameraSource::new(Path::new("/dev/video-threshold-none"));
        let e = cam.capture().unwrap_err().to_string();
        assert!(e.contains("/dev/video-threshold-none"), "{e}");
        assert!(e.contains("[kiosk] camera"), "{e}");
    }
}
