//! ESC/POS: the commands Threshold sends a receipt printer and the status
//! bytes it reads back. Builders return bytes; tests check them byte for
//! byte against the Epson ESC/POS reference.

use crate::render::Bitmap;

/// `ESC @`: initialise (clears the buffer and modes).
pub fn initialize() -> Vec<u8> {
    vec![0x1B, 0x40]
}

/// Rows per `GS v 0` command: small bands keep each command within the
/// input buffer of slow printers.
pub const BAND_ROWS: u32 = 128;

/// `GS v 0 m xL xH yL yH d…`: print `bitmap` as raster bands.
pub fn raster(bitmap: &Bitmap) -> Vec<u8> {
    let stride = bitmap.stride();
    let mut out =
        Vec::with_capacity(bitmap.bits().len() + 8 * (bitmap.height() / BAND_ROWS + 1) as usize);
    let mut y = 0;
    while y < bitmap.height() {
        let rows = BAND_ROWS.min(bitmap.height() - y);
        out.extend_from_slice(&[
            0x1D,
            0x76,
            0x30,
            0x00,
            (stride & 0xFF) as u8,
            (stride >> 8) as u8,
            (rows & 0xFF) as u8,
            (rows >> 8) as u8,
        ]);
        let start = y as usize * stride;
        out.extend_from_slice(&bitmap.bits()[start..start + rows as usize * stride]);
        y += rows;
    }
    out
}

/// `ESC d n`: print and feed `n` lines.
pub fn feed_lines(n: u8) -> Vec<u8> {
    vec![0x1B, 0x64, n]
}

/// `GS V 66 n`: feed `n` dots and cut, leaving one point uncut.
pub fn partial_cut(feed: u8) -> Vec<u8> {
    vec![0x1D, 0x56, 0x42, feed]
}

/// Which status `DLE EOT n` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Printer = 1,
    Offline = 2,
    Paper = 4,
}

/// `DLE EOT n`: transmit real-time status.
pub fn status_request(kind: StatusKind) -> Vec<u8> {
    vec![0x10, 0x04, kind as u8]
}

/// What the printer reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    pub offline: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_near_end: bool,
    pub error: bool,
}

/// Why a status byte was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("printer status byte {0:#04x} is not a DLE EOT answer (bits 0 and 7 must be 0, bits 1 and 4 must be 1)")]
pub struct BadStatus(pub u8);

/// Check the fixed bits every `DLE EOT` answer has.
fn checked(b: u8) -> Result<u8, BadStatus> {
    if b & 0b1001_0011 == 0b0001_0010 {
        Ok(b)
    } else {
        Err(BadStatus(b))
    }
}

/// Fold one answer to `kind` into `status`.
pub fn parse_status(kind: StatusKind, byte: u8, status: &mut Status) -> Result<(), BadStatus> {
    let b = checked(byte)?;
    match kind {
        StatusKind::Printer => status.offline = b & 0x08 != 0,
        StatusKind::Offline => {
            status.cover_open = b & 0x04 != 0;
            status.paper_out |= b & 0x20 != 0;
            status.error = b & 0x40 != 0;
        }
        StatusKind::Paper => {
            status.paper_near_end = b & 0x0C != 0;
            status.paper_out |= b & 0x60 != 0;
        }
    }
    Ok(())
}

/// The whole job: initialise, the raster, feed, cut.
pub fn job(bitmap: &Bitmap) -> Vec<u8> {
    let mut out = initialize();
    out.extend(raster(bitmap));
    out.extend(feed_lines(3));
    out.extend(partial_cut(0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_byte_exact() {
        assert_eq!(initialize(), [0x1B, 0x40]);
        assert_eq!(feed_lines(3), [0x1B, 0x64, 0x03]);
        assert_eq!(partial_cut(0), [0x1D, 0x56, 0x42, 0x00]);
        assert_eq!(status_request(StatusKind::Printer), [0x10, 0x04, 0x01]);
        assert_eq!(status_request(StatusKind::Offline), [0x10, 0x04, 0x02]);
        assert_eq!(status_request(StatusKind::Paper), [0x10, 0x04, 0x04]);
    }

    #[test]
    fn raster_bands_carry_width_in_bytes_and_rows_little_endian() {
        let mut b = Bitmap::new(16, 300);
        b.set(0, 0, true);
        b.set(15, 299, true);
        let r = raster(&b);
        // Band 1: 2 bytes wide, 128 rows.
        assert_eq!(&r[..8], &[0x1D, 0x76, 0x30, 0x00, 2, 0, 128, 0]);
        assert_eq!(r[8], 0x80);
        // Three bands: 128 + 128 + 44 rows, 8 header bytes each.
        assert_eq!(r.len(), 3 * 8 + 2 * 300);
        let last = 2 * (8 + 2 * 128);
        assert_eq!(&r[last..last + 8], &[0x1D, 0x76, 0x30, 0x00, 2, 0, 44, 0]);
        assert_eq!(*r.last().unwrap(), 0x01);
        // 576 dots = 72 bytes; 640 rows split into 5 bands.
        let wide = raster(&Bitmap::new(576, 640));
        assert_eq!(&wide[..8], &[0x1D, 0x76, 0x30, 0x00, 72, 0, 128, 0]);
    }

    #[test]
    fn status_bytes_are_read_and_garbage_refused() {
        let mut s = Status::default();
        parse_status(StatusKind::Printer, 0x16, &mut s).unwrap();
        assert!(!s.offline);
        parse_status(StatusKind::Printer, 0x1E, &mut s).unwrap();
        assert!(s.offline);
        parse_status(StatusKind::Offline, 0x32, &mut s).unwrap();
        assert!(s.paper_out && !s.cover_open);
        let mut s = Status::default();
        parse_status(StatusKind::Paper, 0x1E, &mut s).unwrap();
        assert!(s.paper_near_end && !s.paper_out);
        parse_status(StatusKind::Paper, 0x72, &mut s).unwrap();
        assert!(s.paper_out);
        assert_eq!(
            parse_status(StatusKind::Printer, 0xFF, &mut s),
            Err(BadStatus(0xFF))
        );
        assert_eq!(
            parse_status(StatusKind::Printer, 0x00, &mut s),
            Err(BadStatus(0x00))
        );
    }

    #[test]
    fn every_status_byte_is_either_read_or_refused() {
        for kind in [StatusKind::Printer, StatusKind::Offline, StatusKind::Paper] {
            for b in 0..=255u8 {
                let mut s = Status::default();
                let fixed = b & 0b1001_0011 == 0b0001_0010;
                assert_eq!(
                    parse_status(kind, b, &mut s).is_ok(),
                    fixed,
                    "{kind:?} {b:#04x}"
                );
            }
        }
    }
}
