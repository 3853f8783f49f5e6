//! A real X display for the kiosk window (Debian's `xvfb`), with its
//! framebuffer written to a file so a test can see what the window drew.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Xvfb.
pub struct Xvfb {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
    fb: tempfile::TempDir,
}

impl Xvfb {
    /// Start a 1080×1920 portrait screen. `None` (with a note) when Xvfb
    /// is not installed here; under CI that is a failure, since `.ci/run`
    /// installs it.
    pub fn start() -> Option<Xvfb> {
        let fb = tempfile::tempdir().unwrap();
        let spawned = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1080x1920x24",
                "-nolisten",
                "tcp",
                "-fbdir",
            ])
            .arg(fb.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    std::env::var_os("CI").is_none(),
                    "Xvfb is needed under CI (`apt-get install xvfb`): {e}"
                );
                eprintln!("skipping the kiosk window: Xvfb is not installed ({e})");
                return None;
            }
        };
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n: u32 = line
            .trim()
            .parse()
            .expect("Xvfb printed its display number");
        Some(Xvfb {
            child,
            display: format!(":{n}"),
            fb,
        })
    }

    /// What the screen shows now.
    pub fn screen(&self) -> image::RgbImage {
        let data = std::fs::read(self.fb.path().join("Xvfb_screen0")).unwrap();
        let word = |i: usize| u32::from_be_bytes(data[i * 4..i * 4 + 4].try_into().unwrap());
        // XWD: header_size, version, format, depth, width, height, ...,
        // bits_per_pixel (11), bytes_per_line (12), ..., masks (14-16),
        // ncolors (19); then the colormap, then the pixels.
        let (header, width, height) = (word(0) as usize, word(4), word(5));
        let (bpp, line) = (word(11), word(12) as usize);
        assert_eq!(bpp, 32, "a 24-bit screen stores 32 bits per pixel");
        let (rm, gm, bm) = (word(14), word(15), word(16));
        let pixels = header + word(19) as usize * 12;
        let little = word(7) == 0;
        image::RgbImage::from_fn(width, height, |x, y| {
            let at = pixels + y as usize * line + x as usize * 4;
            let b: [u8; 4] = data[at..at + 4].try_into().unwrap();
            let p = if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            };
            let c = |m: u32| ((p & m) >> m.trailing_zeros()) as u8;
            image::Rgb([c(rm), c(gm), c(bm)])
        })
    }

    /// Wait up to `within` for a window that draws a screen (many colours,
    /// not a blank root window); the picture when it does.
    pub fn wait_for_kiosk(&self, within: Duration) -> Option<image::RgbImage> {
        let end = Instant::now() + within;
        while Instant::now() < end {
            let shot = self.screen();
            let mut colours = std::collections::HashSet::new();
            for p in shot.pixels().step_by(53) {
                colours.insert(p.0);
            }
            if colours.len() > 50 {
                return Some(shot);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
