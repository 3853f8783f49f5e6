//! `[devices.*]`: the serial peripherals at the desk. Any may be absent;
//! a configured one that is not plugged in is a warning, never an error.

use super::*;

/// The peripherals.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Devices {
    #[serde(default)]
    pub printer: Option<PrinterSettings>,
    #[serde(default)]
    pub scanner: Option<ScannerSettings>,
    #[serde(default)]
    pub sign: Option<SignSettings>,
    #[serde(default)]
    pub panic: Option<PanicSettings>,
}

/// The receipt printer (ESC/POS).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSettings {
    /// A stable udev name, e.g. `/dev/threshold-printer`.
    pub port: PathBuf,
    #[serde(default = "default_printer_baud")]
    pub baud: u32,
    /// Paper width.
    #[serde(default)]
    pub paper: Paper,
}

fn default_printer_baud() -> u32 {
    19200
}

/// Roll width.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Paper {
    #[serde(rename = "58mm")]
    Mm58,
    #[default]
    #[serde(rename = "80mm")]
    Mm80,
}

impl Paper {
    /// Printable width in dots at 203 dpi.
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => crate::render::receipt::WIDTH_58MM,
            Paper::Mm80 => crate::render::receipt::WIDTH_80MM,
        }
    }
}

/// The barcode/QR scanner (staff badges, appointment codes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerSettings {
    pub port: PathBuf,
    #[serde(default = "default_scanner_baud")]
    pub baud: u32,
    /// What ends a scan: `cr`, `lf` or `crlf`.
    #[serde(default)]
    pub line_end: LineEnd,
}

fn default_scanner_baud() -> u32 {
    9600
}

/// A scanner's line terminator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnd {
    #[default]
    Cr,
    Lf,
    Crlf,
}

/// The door sign's display module.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignSettings {
    pub port: PathBuf,
    #[serde(default = "default_sign_baud")]
    pub baud: u32,
    /// Display size in dots.
    #[serde(default = "default_sign_width")]
    pub width: u32,
    #[serde(default = "default_sign_height")]
    pub height: u32,
}

fn default_sign_baud() -> u32 {
    115200
}
fn default_sign_width() -> u32 {
    400
}
fn default_sign_height() -> u32 {
    300
}

/// The panic button's microcontroller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanicSettings {
    pub port: PathBuf,
    #[serde(default = "default_scanner_baud")]
    pub baud: u32,
}

const BAUDS: [u32; 8] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

impl Config {
    pub(super) fn device_problems(&self, p: &mut Vec<Problem>) {
        let d = &self.devices;
        let bauds = [
            ("devices.printer.baud", d.printer.as_ref().map(|x| x.baud)),
            ("devices.scanner.baud", d.scanner.as_ref().map(|x| x.baud)),
            ("devices.sign.baud", d.sign.as_ref().map(|x| x.baud)),
            ("devices.panic.baud", d.panic.as_ref().map(|x| x.baud)),
        ];
        for (key, baud) in bauds {
            if let Some(b) = baud {
                if !BAUDS.contains(&b) {
                    p.push(Problem::new(
                        key,
                        crate::msg!(
                            "found {found}; allowed: {allowed}",
                            found = b,
                            allowed = BAUDS.map(|b| b.to_string()).join(", ")
                        ),
                    ));
                }
            }
        }
        if let Some(s) = &d.sign {
            for (key, v, max) in [
                ("devices.sign.width", s.width, 2048),
                ("devices.sign.height", s.height, 2048),
            ] {
                if !(64..=max).contains(&v) {
                    p.push(Problem::new(
                        key,
                        crate::msg!(
                            "found {found}; allowed: 64 to {max} dots",
                            found = v,
                            max = max
                        ),
                    ));
                }
            }
        }
    }

    pub(super) fn device_warnings(&self, w: &mut Vec<Problem>) {
        let d = &self.devices;
        let ports = [
            ("devices.printer.port", d.printer.as_ref().map(|x| &x.port)),
            ("devices.scanner.port", d.scanner.as_ref().map(|x| &x.port)),
            ("devices.sign.port", d.sign.as_ref().map(|x| &x.port)),
            ("devices.panic.port", d.panic.as_ref().map(|x| &x.port)),
        ];
        for (key, port) in ports {
            if let Some(port) = port {
                if !port.exists() {
                    w.push(Problem::new(
                        key,
                        crate::msg!(
                            "{port} is not there now; the device is used when it appears",
                            port = port.display()
                        ),
                    ));
                }
            }
        }
    }
}
