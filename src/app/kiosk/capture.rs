//! Where document pages come from: generated sample pages (the demo source)
//! or the image files a scanner saves into a folder (scan to folder).

use crate::app::{PageImage, PageImageError};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A page taken from a source, not yet recorded.
#[derive(Debug, Clone)]
pub struct Captured {
    pub page: PageImage,
    /// The scanner's file, removed once the page is recorded.
    pub file: Option<PathBuf>,
}

/// Why no page could be taken.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("pages cannot be captured at this kiosk ([kiosk] capture is not set up); staff attach them later")]
    NotConfigured,
    #[error("no new page in {folder}; scan the page, then tap the button again")]
    NothingScanned { folder: String },
    #[error("cannot read the scan folder {folder}: {source}; check [kiosk] capture_folder and its permissions")]
    Folder {
        folder: String,
        source: std::io::Error,
    },
    /// A scanned file that is not a readable image (from a camera, a frame
    /// that does not decode).
    #[error("{0} (a scanned file is renamed to .rejected)")]
    BadFile(PageImageError),
    #[error("cannot {what} the camera {device}: {source}; check [kiosk] camera and that the camera is plugged in")]
    Camera {
        device: String,
        what: &'static str,
        source: std::io::Error,
    },
    #[error("the camera {device} offers none of JPEG, MJPG or YUYV (it offers {found}); use another camera or scan to a folder")]
    CameraFormat { device: String, found: String },
    #[error(
        "the camera {device} sent a frame that cannot be read; try again, and check its cable"
    )]
    CameraFrame { device: String },
}

/// A source of document pages.
pub trait PageSource: Send {
    /// Take the next page.
    fn capture(&mut self) -> Result<Captured, CaptureError>;
    /// The page was recorded (or discarded): let go of its file.
    fn release(&mut self, captured: &Captured);
    /// Whether this kiosk can capture pages at all.
    fn available(&self) -> bool {
        true
    }
}

/// No capture source is set up: the official flow says pages cannot be
/// captured here and staff attach them later (`threshold encounter page`).
#[derive(Debug, Default)]
pub struct NoSource;

impl PageSource for NoSource {
    fn capture(&mut self) -> Result<Captured, CaptureError> {
        Err(CaptureError::NotConfigured)
    }
    fn release(&mut self, _: &Captured) {}
    fn available(&self) -> bool {
        false
    }
}

/// Why this kiosk cannot capture pages, if it cannot: `(where, what is
/// wrong, what to do)`, for the health board.
pub fn capture_problem(loaded: &crate::config::Loaded) -> Option<(String, String, String)> {
    let problem = loaded.config.capture_problem()?;
    Some((
        "[kiosk] capture".into(),
        problem.into(),
        "Set [kiosk] capture = \"folder\" (with capture_folder) or \"camera\" (with camera) and restart; until then staff attach officials' pages with `threshold encounter page`.".into(),
    ))
}

/// Generated sample pages: a letter-sized sheet with a heading, lines of
/// "text", a seal and the page number, so previews look like a document.
#[derive(Debug, Default)]
pub struct DemoSource {
    taken: u32,
}

impl PageSource for DemoSource {
    fn capture(&mut self) -> Result<Captured, CaptureError> {
        self.taken += 1;
        let bytes = demo_page(self.taken);
        let page = PageImage::from_bytes("demo page", bytes).map_err(CaptureError::BadFile)?;
        Ok(Captured { page, file: None })
    }

    fn release(&mut self, _: &Captured) {}
}

/// A PNG of sample page `n`.
pub fn demo_page(n: u32) -> Vec<u8> {
    let (w, h) = (850u32, 1100u32);
    let mut img = image::GrayImage::from_pixel(w, h, image::Luma([250]));
    let mut fill = |x0: u32, y0: u32, x1: u32, y1: u32, v: u8| {
        for y in y0..y1.min(h) {
            for x in x0..x1.min(w) {
                img.put_pixel(x, y, image::Luma([v]));
            }
        }
    };
    fill(80, 80, 770, 130, 40);
    for i in 0..22u32 {
        let width = 560 + (i * 37 + n * 53) % 130;
        fill(80, 180 + i * 34, 80 + width, 194 + i * 34, 110);
    }
    // A seal and the page number as tally bars, so retakes are visible.
    for y in 0..120u32 {
        for x in 0..120u32 {
            let (dx, dy) = (x as i32 - 60, y as i32 - 60);
            let r2 = dx * dx + dy * dy;
            if (2500..3600).contains(&r2) {
                fill(620 + x, 930 + y, 621 + x, 931 + y, 60);
            }
        }
    }
    for i in 0..n.min(12) {
        fill(80 + i * 24, 960, 92 + i * 24, 1040, 30);
    }
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encoding a PNG into memory cannot fail");
    out
}

/// Image files a scanner saves into a folder, oldest first.
#[derive(Debug)]
pub struct FolderSource {
    folder: PathBuf,
}

/// A file younger than this may still be being written by the scanner.
const SETTLE: Duration = Duration::from_millis(500);

impl FolderSource {
    pub fn new(folder: &Path) -> FolderSource {
        FolderSource {
            folder: folder.to_path_buf(),
        }
    }

    fn oldest(&self) -> Result<Option<PathBuf>, CaptureError> {
        let err = |source| CaptureError::Folder {
            folder: self.folder.display().to_string(),
            source,
        };
        let now = SystemTime::now();
        let mut found: Vec<(SystemTime, PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(&self.folder).map_err(err)? {
            let entry = entry.map_err(err)?;
            let path = entry.path();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg")) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            let modified = meta.modified().unwrap_or(now);
            if meta.is_file() && now.duration_since(modified).unwrap_or_default() >= SETTLE {
                found.push((modified, path));
            }
        }
        found.sort();
        Ok(found.into_iter().next().map(|(_, p)| p))
    }
}

impl PageSource for FolderSource {
    fn capture(&mut self) -> Result<Captured, CaptureError> {
        let path = self.oldest()?.ok_or_else(|| CaptureError::NothingScanned {
            folder: self.folder.display().to_string(),
        })?;
        match PageImage::from_file(&path) {
            Ok(page) => Ok(Captured {
                page,
                file: Some(path),
            }),
            Err(e) => {
                // Out of the queue, but kept for whoever looks into it.
                let mut rejected = path.clone().into_os_string();
                rejected.push(".rejected");
                if let Err(err) = std::fs::rename(&path, &rejected) {
                    tracing::error!(file = %path.display(), error = %err, "cannot set a bad scan aside");
                }
                Err(CaptureError::BadFile(e))
            }
        }
    }

    fn release(&mut self, captured: &Captured) {
        // The scan is plaintext on disk; once the encrypted page is
        // committed (or the page was retaken) it must not stay there.
        if let Some(file) = &captured.file {
            if let Err(e) = std::fs::remove_file(file) {
                tracing::error!(file = %file.display(), error = %e, "cannot remove a scanned page after recording it");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_pages_decode_and_differ() {
        let mut s = DemoSource::default();
        let a = s.capture().unwrap();
        let b = s.capture().unwrap();
        assert_eq!((a.page.width, a.page.height), (850, 1100));
        assert_ne!(a.page.bytes, b.page.bytes);
    }

    #[test]
    fn folder_takes_the_oldest_settled_scan_and_sets_bad_files_aside() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = FolderSource::new(dir.path());
        assert!(matches!(
            s.capture(),
            Err(CaptureError::NothingScanned { .. })
        ));
        std::fs::write(dir.path().join("b.jpg"), b"not a jpeg").unwrap();
        std::thread::sleep(Duration::from_millis(30));
        std::fs::write(dir.path().join("a.png"), demo_page(1)).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        // Too fresh: the scanner may still be writing it.
        assert!(matches!(
            s.capture(),
            Err(CaptureError::NothingScanned { .. })
        ));
        std::thread::sleep(SETTLE + Duration::from_millis(50));
        // b.jpg (older) is damaged: refused, set aside, and the next
        // capture moves on to a.png.
        let bad = s.capture().unwrap_err().to_string();
        assert!(bad.contains("b.jpg") && bad.contains(".rejected"), "{bad}");
        let first = s.capture().unwrap();
        assert_eq!(
            first.file.as_deref(),
            Some(dir.path().join("a.png").as_path())
        );
        s.release(&first);
        assert!(!dir.path().join("a.png").exists());
        assert!(dir.path().join("b.jpg.rejected").exists());
        assert!(matches!(
            s.capture(),
            Err(CaptureError::NothingScanned { .. })
        ));
        let missing = FolderSource::new(&dir.path().join("nope")).capture();
        assert!(missing.unwrap_err().to_string().contains("capture_folder"));
    }
}
