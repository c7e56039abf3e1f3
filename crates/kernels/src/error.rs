//! The crate's error type: errors are values with a clear message.

use std::fmt;

/// Anything that can go wrong in gradlab, with a message fit to show a user.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// A GPU adapter or device could not be had, or was lost.
    Gpu(String),
    /// An experiment configuration value is out of range or inconsistent.
    Config(String),
    /// A data set could not be read.
    Data(String),
    /// A file (model, link) does not match what was expected.
    Format(String),
    /// Training produced NaN or Inf.
    NonFinite {
        /// The step at which it was detected.
        step: u64,
        /// Where it was seen (loss, or a parameter name).
        what: String,
    },
    /// Reading or writing a file failed.
    Io(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Gpu(m) => write!(f, "GPU: {m}"),
            Error::Config(m) => write!(f, "invalid configuration: {m}"),
            Error::Data(m) => write!(f, "data: {m}"),
            Error::Format(m) => write!(f, "format: {m}"),
            Error::NonFinite { step, what } => write!(
                f,
                "training diverged at step {step}: {what} is NaN or infinite (try a lower learning rate)"
            ),
            Error::Io(m) => write!(f, "I/O: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
