//! [`Location`]: where a panic happened.

use std::fmt;

/// Where a panic happened: what the panic hook saw, kept after the hook
/// returned.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Location {
    file: String,
    line: u32,
    column: u32,
}

impl Location {
    pub(crate) fn from_std(location: &std::panic::Location<'_>) -> Self {
        Location {
            file: location.file().to_owned(),
            line: location.line(),
            column: location.column(),
        }
    }

    /// The source file, as `file!()` gives it.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The line, starting at 1.
    #[must_use]
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The column, starting at 1.
    #[must_use]
    pub fn column(&self) -> u32 {
        self.column
    }
}

impl fmt::Display for Location {
    /// `FILE:LINE:COL`, as in the standard panic report.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
impl Location {
    pub(crate) fn new(file: &str, line: u32, column: u32) -> Self {
        Location {
            file: file.to_owned(),
            line,
            column,
        }
    }
}
