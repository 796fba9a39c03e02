//! Kubernetes-style status per resource: conditions with reasons and transition times, the
//! revision last reconciled, the last error. Served at `/status`.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::aws::ErrorClass;
use crate::engine::OpResult;
use crate::plan::{Action, Provenance};

/// The condition types every resource carries.
pub const CONDITIONS: [&str; 4] = ["Synced", "Ready", "Drifted", "Terminal"];

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `Synced`, `Ready`, `Drifted` or `Terminal`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `True` or `False`.
    pub status: &'static str,
    /// A `CamelCase` reason.
    pub reason: String,
    /// Human-readable detail.
    pub message: String,
    /// When `status` last changed, RFC 3339.
    pub last_transition_time: String,
}

/// The status of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    /// Manifest kind.
    pub kind: String,
    /// Resource name.
    pub name: String,
    /// The desired-state revision last reconciled.
    pub observed_revision: String,
    /// The four conditions.
    pub conditions: Vec<Condition>,
    /// The last error, if the last reconcile failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The last event that touched it and was reconciled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_event: Option<LastEvent>,
    /// Who made its last drift and how (an event's caller, or the periodic pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_drift: Option<LastDrift>,
}

/// A drift's provenance as `/status` shows it: its fields and the line that says them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastDrift {
    /// Where the drift came from.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// [`Provenance::describe`].
    pub description: String,
}

/// An event as `/status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastEvent {
    /// The API call (`AuthorizeSecurityGroupIngress`).
    pub name: String,
    /// Who made it (`userIdentity.arn`).
    pub principal: Option<String>,
    /// When it was made, RFC 3339.
    pub time: Option<String>,
    /// When its reconcile finished, RFC 3339.
    pub reconciled_at: String,
}

impl ResourceStatus {
    /// Whether condition `kind` is `True`.
    pub fn is(&self, kind: &str) -> bool {
        self.conditions
            .iter()
            .any(|c| c.kind == kind && c.status == "True")
    }
}

/// What one pass found for one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing differed.
    InSync,
    /// Drift was found and every write to fix it succeeded.
    Applied,
    /// Drift remains on purpose: blocked, observe-only, backing off, over the change cap.
    Pending,
    /// A write failed.
    WriteFailed {
        /// Whether the failure waits for a new desired state.
        terminal: bool,
    },
    /// The resource could not be read.
    ObserveFailed {
        /// Whether the failure waits for a new desired state.
        terminal: bool,
    },
}

impl Outcome {
    /// The `Synced`, `Ready`, `Drifted` and `Terminal` conditions, in [`CONDITIONS`] order.
    pub fn conditions(self) -> [bool; 4] {
        match self {
            Self::InSync | Self::Applied => [true, true, false, false],
            Self::Pending => [true, false, true, false],
            Self::WriteFailed { terminal } => [false, false, true, terminal],
            Self::ObserveFailed { terminal } => [false, false, false, terminal],
        }
    }
}

/// What one pass concluded for one resource, before it becomes conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What happened.
    pub outcome: Outcome,
    /// Why, `CamelCase`.
    pub reason: String,
    /// Detail.
    pub message: String,
}

impl Verdict {
    /// The verdict for a resource whose plan had `action` and whose operations (if any ran)
    /// had `results`.
    pub fn from_pass(
        action: Action,
        reason: Option<&str>,
        error_class: Option<ErrorClass>,
        results: Option<&[OpResult]>,
    ) -> Self {
        let message = reason.unwrap_or_default().to_owned();
        let verdict = |outcome, why: &str, message: String| Self {
            outcome,
            reason: why.to_owned(),
            message,
        };
        if let Some(failure) =
            results.and_then(|r| r.iter().find_map(|op| op.result.as_ref().err()))
        {
            let terminal = failure.class == ErrorClass::Terminal;
            return verdict(
                Outcome::WriteFailed { terminal },
                class_reason(failure.class),
                failure.to_string(),
            );
        }
        match action {
            Action::Error => {
                let class = error_class.unwrap_or(ErrorClass::Transient);
                let terminal = class == ErrorClass::Terminal;
                verdict(
                    Outcome::ObserveFailed { terminal },
                    class_reason(class),
                    message,
                )
            }
            Action::Noop => verdict(Outcome::InSync, "InSync", String::new()),
            Action::Blocked => verdict(Outcome::Pending, "Blocked", message),
            Action::Orphaned => verdict(Outcome::Pending, "Orphaned", message),
            _ if results.is_some() => verdict(Outcome::Applied, "Applied", String::new()),
            _ => verdict(Outcome::Pending, "DriftPending", message),
        }
    }

    /// The same verdict with a more precise reason for pending drift (observe-only, backoff,
    /// the change cap).
    #[must_use]
    pub fn pending(mut self, reason: &str, message: String) -> Self {
        if self.outcome == Outcome::Pending {
            reason.clone_into(&mut self.reason);
            self.message = message;
        }
        self
    }

    /// Whether the last reconcile went through without error.
    pub fn synced(&self) -> bool {
        self.outcome.conditions()[0]
    }
}

fn class_reason(class: ErrorClass) -> &'static str {
    match class {
        ErrorClass::Throttled => "Throttled",
        ErrorClass::Transient => "TransientError",
        ErrorClass::Terminal => "TerminalError",
    }
}

/// Every resource's status, by (kind, name).
#[derive(Debug, Default, Clone, Serialize)]
pub struct StatusBoard {
    resources: BTreeMap<(String, String), ResourceStatus>,
}

impl StatusBoard {
    /// Records `verdict` for a resource at `revision`; a condition's transition time moves
    /// only when its status changes.
    pub fn record(&mut self, kind: &str, name: &str, revision: &str, verdict: &Verdict) {
        let now = now_rfc3339();
        let entry = self
            .resources
            .entry((kind.to_owned(), name.to_owned()))
            .or_insert_with(|| ResourceStatus {
                kind: kind.to_owned(),
                name: name.to_owned(),
                observed_revision: String::new(),
                conditions: Vec::new(),
                last_error: None,
                last_event: None,
                last_drift: None,
            });
        revision.clone_into(&mut entry.observed_revision);
        entry.last_error = (!verdict.synced()).then(|| verdict.message.clone());
        let values = verdict.outcome.conditions();
        let conditions = CONDITIONS
            .iter()
            .zip(values)
            .map(|(kind, value)| {
                let status = if value { "True" } else { "False" };
                let since = entry
                    .conditions
                    .iter()
                    .find(|c| c.kind == *kind && c.status == status)
                    .map_or_else(|| now.clone(), |c| c.last_transition_time.clone());
                Condition {
                    kind,
                    status,
                    reason: verdict.reason.clone(),
                    message: verdict.message.clone(),
                    last_transition_time: since,
                }
            })
            .collect();
        entry.conditions = conditions;
    }

    /// Records the last event reconciled for a resource already on the board.
    pub fn record_event(&mut self, kind: &str, name: &str, event: LastEvent) {
        if let Some(status) = self.resources.get_mut(&(kind.to_owned(), name.to_owned())) {
            status.last_event = Some(event);
        }
    }

    /// Records who made a resource's drift, for a resource already on the board.
    pub fn record_drift(&mut self, kind: &str, name: &str, provenance: &Provenance) {
        if let Some(status) = self.resources.get_mut(&(kind.to_owned(), name.to_owned())) {
            status.last_drift = Some(LastDrift {
                provenance: provenance.clone(),
                description: provenance.describe(),
            });
        }
    }

    /// Forgets resources no longer in the desired state.
    pub fn retain(&mut self, keep: &[(String, String)]) {
        self.resources.retain(|key, _| keep.contains(key));
    }

    /// Every status, ordered by kind and name.
    pub fn all(&self) -> impl Iterator<Item = &ResourceStatus> {
        self.resources.values()
    }
}

/// The current time as RFC 3339 UTC (`2026-11-27T20:31:02Z`).
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days.cast_signed() + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
}

/// How many resources of a pass ended up in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Resources in the pass.
    pub resources: usize,
    /// Resources found different from their manifest.
    pub drifted: usize,
    /// Resources whose writes all succeeded.
    pub changed: usize,
    /// Resources whose drift remains on purpose: blocked, observe-only, backing off, over the
    /// change cap.
    pub blocked: usize,
    /// Resources that could not be read or written.
    pub errors: usize,
}

impl Tally {
    /// Counts one resource: whether it was found drifted and what its verdict was.
    pub fn count(&mut self, drifted: bool, verdict: &Verdict) {
        self.resources += 1;
        self.drifted += usize::from(drifted);
        match verdict.outcome {
            Outcome::InSync => {}
            Outcome::Applied => self.changed += 1,
            Outcome::Pending => self.blocked += 1,
            Outcome::WriteFailed { .. } | Outcome::ObserveFailed { .. } => self.errors += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_800_000), "2026-11-27T17:20:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn transition_time_moves_only_when_the_status_changes() {
        let mut board = StatusBoard::default();
        let drifted = Verdict::from_pass(Action::Update, None, None, None);
        board.record("K", "n", "r1", &drifted);
        let first = board.all().next().expect("status").conditions.clone();
        board.record("K", "n", "r2", &drifted);
        let again = board.all().next().expect("status");
        assert_eq!(
            again.conditions, first,
            "same statuses keep their transition times"
        );
        assert_eq!(again.observed_revision, "r2");
        assert!(again.is("Drifted") && !again.is("Ready"));
    }
}
