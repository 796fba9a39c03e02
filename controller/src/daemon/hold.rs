//! Holds: which planned writes must not happen in this pass (observe-only, a resource
//! backing off or waiting after a terminal error, the change cap), and why.

use std::collections::BTreeMap;
use std::time::Instant;

use afu9_spec::ManagementPolicy;

use super::RunOptions;
use super::backoff::Backoff;
use super::shared::Shared;
use crate::plan::Plan;

/// Why resources were held back, by (kind, name): a `CamelCase` reason and a message.
pub type Held = BTreeMap<(String, String), (&'static str, String)>;

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
