//! Errors that name the offending field and say what would be valid.

use std::fmt;

/// One problem with a spec: where (`model[3].units`) and what (`= 100000 exceeds the limit of
/// 4096`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{} {}", self.path, self.message) }
    }
}

impl std::error::Error for SpecError {}

impl SpecError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

/// Collects errors while validation walks a spec, with the checks every field shares.
#[derive(Debug, Default)]
pub struct Errors {
    pub list: Vec<SpecError>,
}

impl Errors {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.list.push(SpecError::new(path, message));
    }

    /// An integer in `min..=max`, named `limit` in the message when it is too large.
    pub fn int(&mut self, path: String, value: u64, min: u64, max: u64, limit: &str) -> bool {
        if value < min {
            self.push(path, format!("= {value} is too small: use at least {min}"));
            false
        } else if value > max {
            self.push(path, format!("= {value} exceeds the limit of {max} ({limit})"));
            false
        } else {
            true
        }
    }

    /// A finite number in `min..=max` (or `min..max` when `max_open`).
    pub fn real(&mut self, path: String, value: f32, min: f32, max: f32, max_open: bool) -> bool {
        let upper = if max_open { value < max } else { value <= max };
        if !value.is_finite() {
            self.push(path, format!("= {value} is not a finite number: use a value from {min} to {max}"));
            false
        } else if value < min || !upper {
            let to = if max_open { format!("below {max}") } else { format!("at most {max}") };
            self.push(path, format!("= {value} is out of range: use a value from {min}, {to}"));
            false
        } else {
            true
        }
    }
}
