//! Pure types and rules: check-ins, encounters, document kinds, policy
//! profiles and the warrant checklist. No I/O, no SQL, no UI.

pub mod account;
pub mod anchor;
pub mod catalogue;
pub mod chain;
pub mod checkin;
pub mod clock;
pub mod document;
pub mod encounter;
pub mod guidance;
pub mod language;
pub mod policy;
pub mod role;
pub mod shipping;
pub mod stats;

/// Something wrong with a value at a key path such as `contacts[2].email`.
/// Config and profile loaders turn the path into a file, line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path with `[i]` for array elements.
    pub path: String,
    /// What was found and what is allowed.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}
