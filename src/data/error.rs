//! The error type of the data module.

use std::fmt;

/// Why data could not be loaded or built. Every variant names what went wrong in words a
/// user can act on; no data input ever panics.
#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    /// A gzip stream could not be decompressed (or decompressed past the size limit).
    Gzip {
        /// The file being read.
        file: String,
        /// What the decoder reported.
        message: String,
    },
    /// A line of a text file could not be parsed.
    Parse {
        /// The file being read.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong with the line.
        message: String,
    },
    /// The file parsed but its shape disagrees with its header or companion file.
    Shape {
        /// The file being read.
        file: String,
        /// What disagreed.
        message: String,
    },
    /// A [`crate::data::FeatureSet`] with every input switched off.
    NoFeatures,
    /// A data set the web page downloads on demand has not been downloaded (yet).
    NotLoaded {
        /// The file that is missing.
        file: String,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Gzip { file, message } => {
                write!(f, "{file}: cannot decompress: {message}")
            }
            DataError::Parse {
                file,
                line,
                message,
            } => write!(f, "{file}, line {line}: {message}"),
            DataError::Shape { file, message } => write!(f, "{file}: {message}"),
            DataError::NoFeatures => write!(f, "at least one input feature must be selected"),
            DataError::NotLoaded { file } => {
                write!(
                    f,
                    "{file}: not downloaded yet (choose the data set again to fetch it)"
                )
            }
        }
    }
}

impl std::error::Error for DataError {}

impl From<DataError> for crate::error::Error {
    fn from(e: DataError) -> Self {
        crate::error::Error::Data(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_names_file_and_line() {
        let e = DataError::Parse {
            file: "iris.csv".into(),
            line: 7,
            message: "bad number".into(),
        };
        let s = e.to_string();
        assert!(s.contains("iris.csv") && s.contains("line 7"), "{s}");
    }
}
