//! The recent changes: a bounded ring buffer of the fields the last passes wrote, as the
//! audit trail records them, for the status page (`GET /` and `/changes`). A sensitive change
//! carries no value (the plan already leaves them out).

use std::collections::VecDeque;

use serde::Serialize;
use serde_json::Value;

use super::status::now_rfc3339;
use super::verify::Achieved;
use crate::engine::ApplyReport;
use crate::plan::Plan;

/// How many changes are kept; older ones are dropped first.
pub const CAPACITY: usize = 200;

/// Values are cut to this many characters (an IAM policy can be kilobytes).
const VALUE_CHARS: usize = 160;

/// One field written by one resource's operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEntry {
    /// When the pass wrote it, RFC 3339 UTC.
    pub time: String,
    /// The desired-state revision applied.
    pub revision: String,
    /// Manifest kind.
    pub kind: String,
    /// Resource name.
    pub name: String,
    /// The field, in the manifest's vocabulary (`spec.scanOnPush`); `-` when the operations
    /// listed no field.
    pub field: String,
    /// The value found, as display text (cut to 160 characters); `None` when absent or
    /// sensitive.
    pub before: Option<String>,
    /// The value written, as display text; `None` when removed or sensitive.
    pub after: Option<String>,
    /// Whether the values are never shown.
    pub sensitive: bool,
    /// What the field became, as read back after the pass: `applied`, `blocked`,
    /// `notConverged`, `unverified` (not read back), or `failed` (a call failed).
    pub outcome: &'static str,
}

/// The last [`CAPACITY`] changes.
#[derive(Debug, Default)]
pub struct RecentChanges {
    entries: VecDeque<ChangeEntry>,
}

impl RecentChanges {
    /// Adds the changes of every resource that had operations in `report`, each as
    /// `achieved` read it back after the pass.
    pub fn record(
        &mut self,
        revision: &str,
        plan: &Plan,
        report: &ApplyReport,
        achieved: &Achieved,
    ) {
        let time = now_rfc3339();
        for result in report.resources.iter().filter(|r| !r.ops.is_empty()) {
            let written = result.ops.iter().all(|op| op.result.is_ok()) && result.skipped == 0;
            let outcome = if written { "applied" } else { "failed" };
            let changes = plan
                .resources
                .iter()
                .find(|r| r.kind == result.kind && r.name == result.name)
                .map(|r| r.changes.as_slice())
                .unwrap_or_default();
            let entry = |field: &str, before, after, sensitive, outcome| ChangeEntry {
                time: time.clone(),
                revision: revision.to_owned(),
                kind: result.kind.to_owned(),
                name: result.name.clone(),
                field: field.to_owned(),
                before,
                after,
                sensitive,
                outcome,
            };
            if changes.is_empty() {
                self.push(entry("-", None, None, false, outcome));
            }
            for change in changes {
                let recorded = achieved.record(result.kind, &result.name, change, written);
                let (before, after) = if recorded.sensitive {
                    (None, None)
                } else {
                    (
                        recorded.before.as_ref().map(display),
                        recorded.after.as_ref().map(display),
                    )
                };
                self.push(entry(
                    &recorded.path,
                    before,
                    after,
                    recorded.sensitive,
                    recorded.outcome,
                ));
            }
        }
    }

    /// The changes, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &ChangeEntry> {
        self.entries.iter().rev()
    }

    fn push(&mut self, entry: ChangeEntry) {
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }
}

/// A value as text: strings bare, anything else as compact JSON, cut to [`VALUE_CHARS`].
fn display(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > VALUE_CHARS {
        let mut cut: String = text.chars().take(VALUE_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> ChangeEntry {
        ChangeEntry {
            time: String::new(),
            revision: String::new(),
            kind: "K".to_owned(),
            name: n.to_string(),
            field: "spec.x".to_owned(),
            before: None,
            after: None,
            sensitive: false,
            outcome: "applied",
        }
    }

    #[test]
    fn the_buffer_keeps_the_newest_entries_up_to_its_capacity() {
        let mut changes = RecentChanges::default();
        for n in 0..CAPACITY + 5 {
            changes.push(entry(n));
        }
        let names: Vec<&str> = changes.newest_first().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), CAPACITY);
        assert_eq!(names[0], (CAPACITY + 4).to_string());
        assert_eq!(names[CAPACITY - 1], "5");
    }

    #[test]
    fn long_values_are_cut_and_strings_shown_bare() {
        assert_eq!(display(&Value::from("IMMUTABLE")), "IMMUTABLE");
        assert_eq!(display(&serde_json::json!({"a": 1})), r#"{"a":1}"#);
        let long = display(&Value::from("x".repeat(500)));
        assert_eq!(long.chars().count(), VALUE_CHARS);
        assert!(long.ends_with('…'));
    }
}
