//! What a pass's writes achieved, read back from AWS: the audit trail and the recent changes
//! record the live value after the call, never the value the plan wanted.
//!
//! After an apply that wrote, the resources written are planned again (a targeted plan:
//! their own reads only). A field the new plan no longer shows converged (`applied`, its
//! wanted value confirmed live); a field it still shows did not, and its live value is what
//! is recorded (`blocked` when the resource is blocked, as when only the application can
//! fix it; `notConverged` otherwise); a resource that could not be read back is
//! `unverified`, with no value after.

use std::collections::{BTreeMap, BTreeSet};

use afu9_spec::DesiredState;
use serde::Serialize;
use serde_json::Value;

use crate::aws::Aws;
use crate::engine::{ApplyReport, Engine};
use crate::events::{EventKey, Target};
use crate::plan::{Action, Change, Plan};

/// A resource as read back after the apply: the fields still differing, and whether it is
/// blocked; or why it could not be read.
type ReadBack = Result<(Vec<Change>, bool), String>;

/// The resources of a pass read back after its writes, by (kind, name).
#[derive(Debug, Default)]
pub struct Achieved {
    read_back: BTreeMap<(String, String), ReadBack>,
}

/// One field as the audit trail and the recent changes record it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recorded {
    /// The field, in the manifest's vocabulary.
    pub path: String,
    /// The value found before the call (masked when sensitive).
    pub before: Option<Value>,
    /// The value AWS holds after the call, as read back (masked when sensitive); `None`
    /// when absent or not read back.
    pub after: Option<Value>,
    /// Whether the values are never shown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// `applied`, `blocked`, `notConverged`, `unverified` or `failed`.
    pub outcome: &'static str,
}

impl Achieved {
    /// Plans again the resources `report` wrote to (orphans aside: they are gone), against
    /// `state`.
    pub async fn read_back(
        engine: &Engine,
        aws: &Aws,
        state: &DesiredState,
        plan: &Plan,
        report: &ApplyReport,
    ) -> Self {
        let orphans: BTreeSet<(&str, &str)> = plan
            .resources
            .iter()
            .filter(|r| r.orphan)
            .map(|r| (r.kind, r.name.as_str()))
            .collect();
        let targets: BTreeSet<Target> = report
            .resources
            .iter()
            .filter(|r| !r.ops.is_empty() && !orphans.contains(&(r.kind, r.name.as_str())))
            .map(|r| Target {
                kind: r.kind,
                key: EventKey::Name(r.name.clone()),
            })
            .collect();
        if targets.is_empty() {
            return Self::default();
        }
        let again = engine.plan_targets(aws, state, &targets).await;
        let read_back = again
            .resources
            .into_iter()
            .map(|r| {
                let found = if r.action == Action::Error {
                    Err(r.reason.unwrap_or_default())
                } else {
                    Ok((r.changes, r.action == Action::Blocked))
                };
                ((r.kind.to_owned(), r.name), found)
            })
            .collect();
        Self { read_back }
    }

    /// How `change`, planned for the resource `name` of `kind`, is recorded after an apply
    /// whose calls on it all succeeded (`written`) or not.
    pub fn record(&self, kind: &str, name: &str, change: &Change, written: bool) -> Recorded {
        let read_back = self.read_back.get(&(kind.to_owned(), name.to_owned()));
        let left = match read_back {
            Some(Ok((changes, blocked))) => {
                Some((changes.iter().find(|c| c.path == change.path), *blocked))
            }
            _ => None,
        };
        let (after, outcome) = match left {
            None => (None, if written { "unverified" } else { "failed" }),
            Some((Some(still), blocked)) => (
                still.before.clone(),
                match (written, blocked) {
                    (false, _) => "failed",
                    (true, true) => "blocked",
                    (true, false) => "notConverged",
                },
            ),
            Some((None, _)) => (
                change.after.clone(),
                if written { "applied" } else { "failed" },
            ),
        };
        Recorded {
            path: change.path.clone(),
            before: change.before.clone(),
            after,
            sensitive: change.sensitive,
            outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn achieved(changes: Vec<Change>, blocked: bool) -> Achieved {
        let mut read_back = BTreeMap::new();
        read_back.insert(("K".to_owned(), "n".to_owned()), Ok((changes, blocked)));
        Achieved { read_back }
    }

    #[test]
    fn a_field_still_differing_after_the_call_is_recorded_with_its_live_value_not_as_applied() {
        let env = Change::sensitive(
            "spec.containers.app.environment.DATABASE_PASSWORD",
            true,
            false,
        );
        let recorded = achieved(vec![env.clone()], true).record("K", "n", &env, true);
        assert_eq!(recorded.outcome, "blocked");
        assert_eq!(recorded.after, Some(Value::from(Change::MASK)));
        let other = Change::new("spec.user", Some("root".into()), Some("1000".into()));
        let recorded = achieved(vec![env], true).record("K", "n", &other, true);
        assert_eq!(
            (recorded.outcome, recorded.after),
            ("applied", Some("1000".into()))
        );
    }

    #[test]
    fn a_field_not_read_back_has_no_value_after() {
        let change = Change::new("spec.x", Some(1.into()), Some(2.into()));
        let recorded = Achieved::default().record("K", "n", &change, true);
        assert_eq!((recorded.outcome, recorded.after), ("unverified", None));
        let recorded = achieved(Vec::new(), false).record("K", "n", &change, false);
        assert_eq!(recorded.outcome, "failed");
    }
}
