//! Notifications: what a pass found and did, told where people already look (an SNS topic,
//! webhooks such as a Slack channel), configured in the Posture (`spec.notifications`).
//!
//! A pass becomes at most one [`Notice`] per [`EventKind`] ([`notices`]), each naming its
//! resources, what changed and what was done. A [`Notifier`] sends them from a background
//! task through a bounded queue: the reconcile never waits for a target, a full queue drops
//! (and logs) rather than blocks, and each target is rate-limited and retried with backoff.
//! Values the plan marks sensitive are never put in a message, and a webhook's URL (a
//! credential, read from the environment variable the Posture names) never leaves the
//! request: not in a log line, an error or a message.

mod message;
mod send;
mod targets;
#[cfg(test)]
mod tests;

pub use message::{SUBJECT_LIMIT, json_message, slack_body, subject};
pub use send::{Notifier, SendPolicy};
pub use targets::{Targets, TargetsError, WebhookTarget};

use serde::Serialize;
use serde_json::Value;

use crate::engine::ApplyReport;
use crate::plan::{Action, OpOutcome, Plan, ResourcePlan};

/// What a notice is about. One notice per pass per kind.
///
/// To add an event (a pass held by a lease, an exception about to expire): a variant here, its [`EventKind::title`] and [`EventKind::as_str`], and where the daemon
/// builds its notice (a resource falls into one kind only, so move the resources it takes
/// from the kind that had them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    /// Drift found and left as is on purpose for now: observe-only, backing off, over the
    /// change cap.
    DriftFound,
    /// Drift found and every write that fixes it succeeded.
    Fixed,
    /// Drift found that the controller must not fix: not owned, unavailable, a guardrail.
    Blocked,
    /// A resource could not be read or written, or the pass was refused.
    PassFailed,
    /// The whole pass was held back and waits for an operator (pruning over the deletion
    /// budget).
    Held,
}

impl EventKind {
    /// The name in the JSON message (`driftFound`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DriftFound => "driftFound",
            Self::Fixed => "fixed",
            Self::Blocked => "blocked",
            Self::PassFailed => "passFailed",
            Self::Held => "held",
        }
    }

    /// A few words for a subject line.
    pub fn title(self) -> &'static str {
        match self {
            Self::DriftFound => "drift found, not fixed yet",
            Self::Fixed => "drift fixed",
            Self::Blocked => "drift blocked",
            Self::PassFailed => "pass failed",
            Self::Held => "pass held",
        }
    }
}

/// One message: an event kind, the pass it comes from, its resources.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// What happened.
    pub event: EventKind,
    /// The desired-state revision of the pass.
    pub revision: String,
    /// When the pass finished, RFC 3339.
    pub time: String,
    /// Said of the whole pass (why it was refused), when not of a resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The resources, in plan order.
    pub resources: Vec<NoticeResource>,
}

/// One resource in a notice.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeResource {
    /// The manifest kind.
    pub kind: String,
    /// The resource's name.
    pub name: String,
    /// What differed: field, live and wanted values (sensitive values left out).
    pub changes: Vec<NoticeChange>,
    /// What was done, in words (`fixed: PutImageTagMutability`).
    pub done: String,
}

/// One field that differed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoticeChange {
    /// The field (`spec.imageTagMutability`).
    pub field: String,
    /// The live value (absent: not there, or sensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Value>,
    /// The value the manifest wants (absent: to be removed, or sensitive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wanted: Option<Value>,
    /// Whether the values are secret and so not shown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// What a pass is made of, for [`notices`].
pub struct PassFacts<'a> {
    /// The desired-state revision.
    pub revision: &'a str,
    /// When it finished, RFC 3339.
    pub time: &'a str,
    /// The plan, as applied.
    pub plan: &'a Plan,
    /// What the apply did.
    pub report: &'a ApplyReport,
    /// Why a resource's drift was held back this pass (observe-only, backoff, change cap).
    pub held: &'a dyn Fn(&str, &str) -> Option<String>,
}

/// The notices of one pass: at most one per event kind, each with its resources, in
/// [`EventKind`] order. A resource in sync is in none.
pub fn notices(facts: &PassFacts<'_>) -> Vec<Notice> {
    let mut by_kind: std::collections::BTreeMap<EventKind, Vec<NoticeResource>> =
        std::collections::BTreeMap::new();
    for resource in &facts.plan.resources {
        if let Some((event, done)) = classify(facts, resource) {
            by_kind.entry(event).or_default().push(NoticeResource {
                kind: resource.kind.to_owned(),
                name: resource.name.clone(),
                changes: resource
                    .changes
                    .iter()
                    .map(|c| NoticeChange {
                        field: c.path.clone(),
                        live: c.before.clone().filter(|_| !c.sensitive),
                        wanted: c.after.clone().filter(|_| !c.sensitive),
                        sensitive: c.sensitive,
                    })
                    .collect(),
                done,
            });
        }
    }
    by_kind
        .into_iter()
        .map(|(event, resources)| Notice {
            event,
            revision: facts.revision.to_owned(),
            time: facts.time.to_owned(),
            detail: None,
            resources,
        })
        .collect()
}

/// The notice of a pass that was refused before it planned (the target account's guard).
pub fn refused(revision: &str, time: &str, why: String) -> Notice {
    Notice {
        event: EventKind::PassFailed,
        revision: revision.to_owned(),
        time: time.to_owned(),
        detail: Some(why),
        resources: Vec::new(),
    }
}

/// The notice of a pass held back as a whole, and why (with what the operator can do).
pub fn held(revision: &str, time: &str, why: String) -> Notice {
    Notice {
        event: EventKind::Held,
        revision: revision.to_owned(),
        time: time.to_owned(),
        detail: Some(why),
        resources: Vec::new(),
    }
}

/// The event a resource's pass falls into and what was done, or `None` when there is
/// nothing to tell (in sync, an orphan left alone).
fn classify(facts: &PassFacts<'_>, resource: &ResourcePlan) -> Option<(EventKind, String)> {
    if resource.action == Action::Error {
        let why = resource.reason.as_deref().unwrap_or("it could not be read");
        return Some((EventKind::PassFailed, format!("not read: {why}")));
    }
    if !resource.is_drift() {
        return None;
    }
    if let Some(why) = (facts.held)(resource.kind, &resource.name) {
        return Some((EventKind::DriftFound, format!("left as is: {why}")));
    }
    if resource.action == Action::Blocked {
        let why = resource.reason.as_deref().unwrap_or("blocked");
        return Some((EventKind::Blocked, format!("blocked: {why}")));
    }
    let results = facts
        .report
        .resources
        .iter()
        .find(|r| r.kind == resource.kind && r.name == resource.name)?;
    if let Some(err) = results.ops.iter().find_map(|op| op.result.as_ref().err()) {
        return Some((EventKind::PassFailed, format!("write failed: {err}")));
    }
    let calls: Vec<&str> = results
        .ops
        .iter()
        .filter(|op| matches!(op.result, Ok(OpOutcome::Done | OpOutcome::AlreadyDone(_))))
        .map(|op| op.call)
        .collect();
    if calls.is_empty() || results.skipped > 0 {
        return Some((EventKind::DriftFound, "left as is: not applied".to_owned()));
    }
    Some((EventKind::Fixed, format!("fixed: {}", calls.join(", "))))
}
