//! Label selectors as kubectl writes them: `key=value`, `key==value`, `key!=value`, `key`
//! (the label is set), `!key` (it is not); comma-separated requirements all hold.

use std::collections::BTreeMap;
use std::fmt;

use super::SelectionError;

/// One requirement on a manifest's `metadata.labels`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key=value` (or `key==value`): the label is set to the value.
    Equals(String, String),
    /// `key!=value`: the label is not set to the value (or not set at all, as kubectl).
    NotEquals(String, String),
    /// `key`: the label is set, to anything.
    Exists(String),
    /// `!key`: the label is not set.
    Absent(String),
}

impl Requirement {
    /// Whether `labels` meet the requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Self::Equals(key, value) => labels.get(key) == Some(value),
            Self::NotEquals(key, value) => labels.get(key) != Some(value),
            Self::Exists(key) => labels.contains_key(key),
            Self::Absent(key) => !labels.contains_key(key),
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Equals(key, value) => write!(f, "{key}={value}"),
            Self::NotEquals(key, value) => write!(f, "{key}!={value}"),
            Self::Exists(key) => f.write_str(key),
            Self::Absent(key) => write!(f, "!{key}"),
        }
    }
}

/// Parses one `-l` argument into its requirements.
pub fn parse(text: &str) -> Result<Vec<Requirement>, SelectionError> {
    let malformed = |why: &str| SelectionError::MalformedSelector {
        selector: text.to_owned(),
        why: why.to_owned(),
    };
    if text.trim().is_empty() {
        return Err(malformed("it is empty"));
    }
    text.split(',')
        .map(|part| {
            let part = part.trim();
            if part.is_empty() {
                return Err(malformed("a requirement between commas is empty"));
            }
            let requirement = if let Some((key, value)) = part.split_once("!=") {
                Requirement::NotEquals(key.to_owned(), value.to_owned())
            } else if let Some((key, value)) = part.split_once("==") {
                Requirement::Equals(key.to_owned(), value.to_owned())
            } else if let Some((key, value)) = part.split_once('=') {
                Requirement::Equals(key.to_owned(), value.to_owned())
            } else if let Some(key) = part.strip_prefix('!') {
                Requirement::Absent(key.to_owned())
            } else {
                Requirement::Exists(part.to_owned())
            };
            check(&requirement).map_err(|why| malformed(&format!("`{part}`: {why}")))?;
            Ok(requirement)
        })
        .collect()
}

/// Keys are non-empty words of letters, digits and `-_./`; values the same, or empty.
fn check(requirement: &Requirement) -> Result<(), &'static str> {
    let (key, value) = match requirement {
        Requirement::Equals(key, value) | Requirement::NotEquals(key, value) => (key, Some(value)),
        Requirement::Exists(key) | Requirement::Absent(key) => (key, None),
    };
    let word = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    if key.is_empty() {
        return Err("the label key is missing");
    }
    if !word(key) {
        return Err("a label key has only letters, digits and - _ . /");
    }
    if value.is_some_and(|value| !word(value)) {
        return Err("a label value has only letters, digits and - _ . /");
    }
    Ok(())
}
