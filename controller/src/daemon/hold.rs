//! Holds: which planned writes must not happen in this pass (observe-only, a resource
//! backing off or waiting after a terminal error, the change cap, the deletion budget), and
//! why; and the holds of a whole pass, which an operator must act on ([`PassHold`]).

use std::collections::BTreeMap;
use std::time::Instant;

use afu9_spec::ManagementPolicy;

use super::RunOptions;
use super::backoff::Backoff;
use super::pass_hold::PassHold;
use super::shared::Shared;
use crate::engine::budget::{self, Allowance};
use crate::plan::{Action, Plan};

/// Why resources were held back, by (kind, name): a `CamelCase` reason and a message.
pub type Held = BTreeMap<(String, String), (&'static str, String)>;

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
