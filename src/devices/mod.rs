//! Peripherals on serial ports. This version has the GSM modem, which the
//! alerts use for text messages.

pub mod modem;
