//! Incident containment for a role: `revokeSessionsIssuedBefore`. The controller keeps IAM's
//! revoke-older-sessions inline policy on the role — exactly the statement IAM's console
//! writes (`AWSRevokeOlderSessions`: deny `*` on `*` when `aws:TokenIssueTime` is before the
//! time) — and removes it once the time is further back than the role's maximum session
//! duration: every session it denies has expired by then.
//!
//! A revocation in force is never narrowed: one found on the role with a later time than the
//! manifest's (revoked from the console during the incident), or with no manifest asking for
//! it, is kept until its own sessions have expired, and the plan says so.

use afu9_spec::iam::REVOKE_POLICY;
use afu9_spec::time::{format_utc, parse_utc};
use serde_json::{Value, json};

use super::IamRoleObserved;
use super::apply::RoleOp;
use crate::plan::Change;

/// What the revocation adds to a role's plan: a put that goes first (a deny restricts), a
/// removal that goes last (it loosens), and why something is left as it is.
#[derive(Debug, Default)]
pub(super) struct Revocation {
    /// `PutRolePolicy` of the deny, with the other restricting calls.
    pub put: Option<RoleOp>,
    /// `DeleteRolePolicy` of an expired deny, after every grant.
    pub remove: Option<RoleOp>,
    /// Why a deny is kept or a manifest line has no effect any more.
    pub note: Option<String>,
}

/// IAM's revoke-older-sessions document for sessions issued before `before`.
pub(super) fn document(before: i64) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": format_utc(before)}},
        },
    })
}

/// The time a revoke-older-sessions document denies sessions before (its statement written
/// as one object or a list of one, with or without milliseconds).
pub(super) fn issued_before(document: &Value) -> Option<i64> {
    let statement = match document.get("Statement")? {
        Value::Array(items) => items.first()?,
        other => other,
    };
    statement
        .get("Condition")?
        .get("DateLessThan")?
        .get("aws:TokenIssueTime")?
        .as_str()
        .and_then(parse_utc)
}

/// The revocation `wanted` (the manifest's time) asks of the live role `have`, whose sessions
/// last at most `max_session` seconds (the longer of the live and wanted durations);
/// `changes` gets the field's change.
pub(super) fn plan(
    role: &str,
    wanted: Option<&str>,
    max_session: i32,
    have: &IamRoleObserved,
    changes: &mut Vec<Change>,
) -> Revocation {
    let now = have.observed_at;
    let bound = i64::from(max_session.max(have.max_session_duration));
    let live = have.inline_policies.get(REVOKE_POLICY);
    let live_time = live.and_then(issued_before);
    let live_active = live_time.filter(|t| t + bound > now);
    let wanted = wanted.and_then(parse_utc);
    let path = "spec.revokeSessionsIssuedBefore";
    let mut revocation = Revocation::default();
    match (wanted.filter(|t| t + bound > now), live_active) {
        (Some(want), Some(in_force)) if in_force > want => {
            revocation.note = Some(format!(
                "the role already denies sessions issued before {}, later than the manifest's \
                 {}: kept (a revocation in force is never narrowed)",
                format_utc(in_force),
                format_utc(want)
            ));
        }
        (Some(want), _) => {
            let document = document(want);
            if let Some(mut change) = crate::refs::iam::document_change(path, live, &document) {
                change.before = live_time.map(|t| format_utc(t).into());
                change.after = Some(format_utc(want).into());
                changes.push(change);
                revocation.put = Some(RoleOp::PutRolePolicy {
                    role: role.to_owned(),
                    policy: REVOKE_POLICY.to_owned(),
                    document: document.to_string(),
                    after_create: false,
                });
            }
        }
        (None, Some(in_force)) => {
            revocation.note = Some(format!(
                "the role carries {REVOKE_POLICY} (sessions issued before {} denied) that the \
                 manifest does not ask for: kept until those sessions have expired, at {}",
                format_utc(in_force),
                format_utc(in_force + bound)
            ));
        }
        (None, None) if live.is_some() => {
            changes.push(Change::new(
                path,
                live_time.map(|t| format_utc(t).into()),
                None,
            ));
            revocation.remove = Some(RoleOp::DeleteRolePolicy {
                role: role.to_owned(),
                policy: REVOKE_POLICY.to_owned(),
            });
            revocation.note = Some(format!(
                "{REVOKE_POLICY} removed: revoked sessions have all expired (the longest lasts \
                 {bound} seconds)"
            ));
        }
        (None, None) => {
            if let Some(want) = wanted {
                revocation.note = Some(format!(
                    "revokeSessionsIssuedBefore {}: revoked sessions have all expired; the line \
                     can be removed from the manifest",
                    format_utc(want)
                ));
            }
        }
    }
    revocation
}

#[cfg(test)]
mod tests;
