//! A door sign on a pty: it reads frames, checks their size and CRC,
//! answers `OK` or `ERR …` and `PONG`, and keeps what it shows (written as
//! a PNG when given a file).

use super::Pty;
use crate::render::Bitmap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the simulated sign shows and has seen.
#[derive(Debug, Default)]
pub struct SignState {
    pub shown: Option<Bitmap>,
    pub frames: usize,
    pub refused: usize,
}

pub struct SignSim {
    pub path: PathBuf,
    pub state: Arc<Mutex<SignState>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SignSim {
    pub fn start(width: u32, height: u32, out: Option<PathBuf>) -> std::io::Result<SignSim> {
        let pty = Pty::new()?;
        let path = pty.path.clone();
        let state = Arc::new(Mutex::new(SignState::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || run(pty, width, height, state, stop, out))
        };
        Ok(SignSim {
            path,
            state,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for SignSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(
    mut pty: Pty,
    width: u32,
    height: u32,
    state: Arc<Mutex<SignState>>,
    stop: Arc<AtomicBool>,
    out: Option<PathBuf>,
) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    let size = (width / 8 * height) as usize;
    while !stop.load(Ordering::Relaxed) {
        if let Ok(n) = pty.master.read(&mut chunk) {
            buf.extend_from_slice(&chunk[..n]);
        }
        while let Some(nl) = buf.iter().position(|b| *b == b'\n') {
            let head = String::from_utf8_lossy(&buf[..nl]).to_string();
            if head == "PING" {
                buf.drain(..=nl);
                let _ = pty
                    .master
                    .write_all(format!("PONG {width} {height}\n").as_bytes());
                continue;
            }
            let dims: Vec<u32> = head
                .strip_prefix("SIGN ")
                .map(|r| r.split(' ').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_default();
            if dims.len() != 2 {
                buf.drain(..=nl);
                continue;
            }
            let want = (dims[0] / 8 * dims[1]) as usize;
            let end = nl + 1 + want;
            let Some(tail) = buf
                .get(end..)
                .and_then(|t| t.iter().position(|b| *b == b'\n'))
            else {
                break;
            };
            let bits = buf[nl + 1..end].to_vec();
            let trailer = String::from_utf8_lossy(&buf[end..end + tail]).to_string();
            buf.drain(..end + tail + 1);
            let mut s = state.lock().unwrap();
            s.frames += 1;
            let answer = if dims != [width, height] || want != size {
                format!(
                    "ERR size {}x{} but this sign is {width}x{height}\n",
                    dims[0], dims[1]
                )
            } else if trailer != format!("END {:08x}", crc32fast::hash(&bits)) {
                "ERR crc\n".to_string()
            } else {
                let mut b = Bitmap::new(width, height);
                for y in 0..height {
                    for x in 0..width {
                        b.set(
                            x,
                            y,
                            bits[(y * width / 8 + x / 8) as usize] & (0x80 >> (x % 8)) != 0,
                        );
                    }
                }
                if let Some(file) = &out {
                    let _ = std::fs::write(file, b.to_png());
                }
                s.shown = Some(b);
                "OK\n".to_string()
            };
            if answer != "OK\n" {
                s.refused += 1;
            }
            let _ = pty.master.write_all(answer.as_bytes());
        }
    }
}
