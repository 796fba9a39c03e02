//! Errors that point at a place in a manifest file.

use std::fmt;
use std::path::PathBuf;

/// A position in a manifest file (1-based line and column; 0 when unknown).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLocation {
    /// The file, as it was given or found while walking a directory.
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
}

impl SourceLocation {
    /// A location in `file` at `line`:`column`.
    pub fn new(file: impl Into<PathBuf>, line: u64, column: u64) -> Self {
        Self {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One problem with the desired state: where, which field, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// Where the problem is.
    pub location: SourceLocation,
    /// The field path inside the document (`spec.tagMutability`), empty for the whole document.
    pub field: String,
    /// A stable rule id for validation rules (`AFU9-ECR-001`), empty for parse errors.
    pub rule: &'static str,
    /// What is wrong, lowercase, one line.
    pub message: String,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
    /// A warning: reported, but the desired state is still valid.
    pub warning: bool,
}

impl ManifestError {
    /// A problem at `location` with `message`.
    pub fn new(location: SourceLocation, message: impl Into<String>) -> Self {
        Self {
            location,
            field: String::new(),
            rule: "",
            message: message.into(),
            hint: None,
            warning: false,
        }
    }

    /// Names the field the problem is in.
    #[must_use]
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }

    /// Names the validation rule that fired.
    #[must_use]
    pub fn rule(mut self, rule: &'static str) -> Self {
        self.rule = rule;
        self
    }

    /// Makes it a warning: reported, without making the desired state invalid.
    #[must_use]
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// Adds a hint on how to fix it.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.location)?;
        if !self.rule.is_empty() {
            write!(f, "[{}] ", self.rule)?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every problem found in a desired state; loading reports them all, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ManifestErrors(pub Vec<ManifestError>);

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let level = if err.warning { "warning" } else { "error" };
            write!(f, "{level}: {err}")?;
        }
        Ok(())
    }
}
