//! Plan and apply output: text for a terminal, Markdown for a pull request, JSON for machines;
//! validation findings as SARIF for code scanning.

pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use serde_json::Value;

/// The output formats of `plan` and `apply`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Human-readable, coloured on a terminal.
    #[default]
    Text,
    /// A pull-request comment.
    Markdown,
    /// Machine-readable.
    Json,
}

/// What a partial plan says first (Terraform: "Resource targeting is in effect").
pub(crate) fn partial_warning(selection: &str) -> String {
    format!(
        "Resource targeting is in effect ({selection}): only the chosen resources and what \
         they depend on were observed and planned; drift elsewhere is not shown."
    )
}

/// What an in-sync plan says: of the whole account, or of the chosen resources only.
pub(crate) fn in_sync(plan: &crate::plan::Plan) -> &'static str {
    if plan.partial.is_some() {
        "No changes. The chosen resources match the desired state."
    } else {
        "No changes. The account matches the desired state."
    }
}

/// What the plan says about orphans, when it found any: how many pruning deletes or left
/// alone, and how to prune. `None` without orphans.
pub(crate) fn orphans_line(plan: &crate::plan::Plan) -> Option<String> {
    let s = plan.summary();
    match (s.delete, s.orphaned) {
        (0, 0) => None,
        (delete, 0) => Some(format!(
            "Orphans: {delete} to delete, after every other change."
        )),
        (delete, left) => Some(format!(
            "Orphans: {delete} to delete, {left} left alone (pruning is off: `apply --prune`, \
             or `prune: true` in the Posture, deletes them)."
        )),
    }
}

/// A value as one line: strings quoted, documents as compact JSON, absence as `(none)`.
pub(crate) fn inline(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_owned(), Value::to_string)
}

/// Whether a change is best shown as a line diff: both sides present, one a document.
/// An added or removed document reads better on one line.
pub(crate) fn is_document(before: Option<&Value>, after: Option<&Value>) -> bool {
    let structured = |v: &Value| v.is_object() || v.is_array();
    matches!((before, after), (Some(b), Some(a)) if structured(b) || structured(a))
}

/// A unified line diff of two values pretty-printed as JSON, `-`/`+`/` ` prefixed.
pub(crate) fn document_diff(before: Option<&Value>, after: Option<&Value>) -> Vec<(char, String)> {
    let pretty = |v: Option<&Value>| {
        v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
            .unwrap_or_default()
    };
    let (old, new) = (pretty(before), pretty(after));
    similar::TextDiff::from_lines(&old, &new)
        .iter_all_changes()
        .map(|change| {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            (sign, change.value().trim_end_matches('\n').to_owned())
        })
        .collect()
}

/// `+` for an added field, `-` for a removed one, `~` for a changed one.
pub(crate) fn change_sign(before: Option<&Value>, after: Option<&Value>) -> char {
    match (before, after) {
        (None, _) => '+',
        (_, None) => '-',
        _ => '~',
    }
}

#[cfg(test)]
mod tests;
