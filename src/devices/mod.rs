//! Peripherals on serial ports: the GSM modem (used by the alerts), the
//! receipt printer, the scanner, the door sign and the panic button. Each
//! is a narrow trait with a serial implementation; simulators speaking the
//! same protocols on pseudo-terminals are in `sim` (feature `simulate`).

pub mod health;
pub mod hub;
pub mod lines;
pub mod modem;
pub mod panic;
pub mod printer;
pub mod sign;
#[cfg(feature = "simulate")]
pub mod sim;
pub mod speech;
