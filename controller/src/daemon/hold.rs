//! Holds: which planned writes must not happen in this pass (observe-only, a resource
//! backing off or waiting after a terminal error, the change cap, the deletion budget), and
//! why; and the holds of a whole pass, which an operator must act on ([`PassHold`]).

use std::collections::BTreeMap;
use std::time::Instant;

use afu9_spec::ManagementPolicy;
use serde::Serialize;

use super::RunOptions;
use super::backoff::Backoff;
use super::shared::Shared;
use crate::engine::budget::{self, Allowance};
use crate::plan::{Action, Plan};

/// Why resources were held back, by (kind, name): a `CamelCase` reason and a message.
pub type Held = BTreeMap<(String, String), (&'static str, String)>;

/// Why a whole pass was held back: what `/status` shows (`held`), the `afu9_held` metric
/// counts, and what a notification reports. An operator acts on it; the loop does not retry
/// it away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum PassHold {
    /// Pruning would delete more than the deletion budget allows: nothing is deleted.
    #[serde(rename = "DeletionBudget", rename_all = "camelCase")]
    DeletionBudget {
        /// The deletions the pass would have made.
        deleting: usize,
        /// The most a pass may delete.
        limit: usize,
        /// The whole explanation, with what to do.
        message: String,
    },
}

impl PassHold {
    /// The metric label of the hold.
    pub fn label(&self) -> &'static str {
        match self {
            Self::DeletionBudget { .. } => "deletion_budget",
        }
    }
}

/// Holds every deletion of a whole pass's `plan` when the Posture's deletion budget is
/// exceeded, marking each orphan in `held`; returns the pass's hold, if any.
pub fn hold_deletions(plan: &mut Plan, budget: Allowance, held: &mut Held) -> Option<PassHold> {
    let over = budget::enforce(plan, budget)?;
    let message = over.to_string();
    tracing::warn!("{message}");
    for resource in plan
        .resources
        .iter()
        .filter(|r| r.orphan && r.action == Action::Blocked)
    {
        if resource
            .reason
            .as_deref()
            .is_some_and(|r| r.ends_with(&message))
        {
            held.insert(
                (resource.kind.to_owned(), resource.name.clone()),
                ("DeletionBudget", message.clone()),
            );
        }
    }
    Some(PassHold::DeletionBudget {
        deleting: over.deleting,
        limit: over.limit,
        message,
    })
}

/// Clears the operations of resources that must not be written in this pass; returns why.
pub fn hold_back(
    plan: &mut Plan,
    revision: &str,
    options: &RunOptions,
    backoff: &Backoff,
    shared: &Shared,
) -> Held {
    let now = Instant::now();
    let mut held = Held::new();
    for resource in &mut plan.resources {
        let key = (resource.kind.to_owned(), resource.name.clone());
        if resource.ops.is_empty() {
            if resource.is_drift() && resource.policy == ManagementPolicy::Observe {
                held.insert(
                    key,
                    (
                        "ObserveOnly",
                        "the manifest's management policy is observe".to_owned(),
                    ),
                );
            }
            continue;
        }
        if options.observe_only {
            held.insert(
                key,
                ("ObserveOnly", "afu9ctl run --observe-only".to_owned()),
            );
        } else if let Some(why) = backoff.holds(&key, revision, now) {
            held.insert(key, ("BackingOff", why));
        } else {
            continue;
        }
        resource.ops.clear();
    }
    let changing = plan.resources.iter().filter(|r| !r.ops.is_empty()).count();
    if let Some(max) = options.max_changes
        && changing > max
    {
        let why = format!(
            "this pass would change {changing} resources, more than --max-changes {max}; nothing was changed"
        );
        tracing::warn!("{why}");
        shared.metrics(|m| m.error("max_changes_exceeded"));
        for resource in plan.resources.iter_mut().filter(|r| !r.ops.is_empty()) {
            resource.ops.clear();
            held.insert(
                (resource.kind.to_owned(), resource.name.clone()),
                ("MaxChangesExceeded", why.clone()),
            );
        }
    }
    held
}
