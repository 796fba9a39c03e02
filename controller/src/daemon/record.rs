//! Recording a pass: plan and report become status conditions, backoff, metrics and a tally
//! of what happened to the resources.

use std::collections::BTreeMap;
use std::time::Instant;

use super::backoff::Backoff;
use super::hold::Held;
use super::shared::Shared;
use super::status::{Tally, Verdict};
use crate::aws::ErrorClass;
use crate::engine::ApplyReport;
use crate::plan::{OpOutcome, Plan};

/// Which resources a pass planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every resource of the desired state: what it did not plan is gone.
    Full,
    /// Only what events touched.
    Targeted,
}

/// Records status, backoff and metrics for every resource of a pass at `revision`; returns
/// the tally.
pub fn record(
    shared: &Shared,
    backoff: &mut Backoff,
    plan: &Plan,
    report: &ApplyReport,
    held: &Held,
    revision: &str,
    scope: Scope,
) -> Tally {
    let now = Instant::now();
    let mut tally = Tally::default();
    let mut verdicts = Vec::with_capacity(plan.resources.len());
    for resource in &plan.resources {
        let key = (resource.kind.to_owned(), resource.name.clone());
        let results = report
            .resources
            .iter()
            .find(|r| r.kind == resource.kind && r.name == resource.name)
            .map(|r| r.ops.as_slice());
        let mut verdict = Verdict::from_pass(
            resource.action,
            resource.reason.as_deref(),
            resource.error_class,
            results,
        );
        if let Some((reason, message)) = held.get(&key) {
            verdict = verdict.pending(reason, message.clone());
        }
        if resource.is_drift() {
            shared.metrics(|m| m.drift(resource.kind));
        }
        if let Some(results) = results {
            let done = results
                .iter()
                .filter(|op| matches!(op.result, Ok(OpOutcome::Done)))
                .count() as u64;
            shared.metrics(|m| m.changes(resource.kind, done));
            match results.iter().find_map(|op| op.result.as_ref().err()) {
                Some(err) => {
                    backoff.failed(key.clone(), err.class, revision, now);
                    shared.metrics(|m| m.error(class_label(err.class)));
                }
                None => backoff.succeeded(&key),
            }
        }
        if let Some(class) = resource.error_class {
            shared.metrics(|m| m.error(class_label(class)));
        }
        tally.count(resource.is_drift(), &verdict);
        verdicts.push((key, verdict, resource.provenance.as_ref()));
    }
    let counts = shared.update_status(|board| {
        for ((kind, name), verdict, provenance) in &verdicts {
            board.record(kind, name, revision, verdict);
            if let Some(provenance) = provenance {
                board.record_drift(kind, name, provenance);
            }
        }
        if scope == Scope::Full {
            let keys: Vec<(String, String)> = verdicts.into_iter().map(|(key, _, _)| key).collect();
            board.retain(&keys);
        }
        let mut counts: BTreeMap<(String, &'static str, &'static str), i64> = BTreeMap::new();
        for status in board.all() {
            for condition in &status.conditions {
                *counts
                    .entry((status.kind.clone(), condition.kind, condition.status))
                    .or_default() += 1;
            }
        }
        counts
    });
    shared.metrics(|m| m.resources(&counts));
    tally
}

fn class_label(class: ErrorClass) -> &'static str {
    match class {
        ErrorClass::Throttled => "throttled",
        ErrorClass::Transient => "transient",
        ErrorClass::Terminal => "terminal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Action;

    #[test]
    fn a_pass_whose_every_resource_failed_to_be_read_counts_errors_not_zero() {
        let mut tally = Tally::default();
        for _ in 0..3 {
            let failed = Verdict::from_pass(
                Action::Error,
                Some("connection refused"),
                Some(ErrorClass::Transient),
                None,
            );
            tally.count(false, &failed);
        }
        tally.count(true, &Verdict::from_pass(Action::Blocked, None, None, None));
        tally.count(false, &Verdict::from_pass(Action::Noop, None, None, None));
        assert_eq!(
            tally,
            Tally {
                resources: 5,
                drifted: 1,
                changed: 0,
                blocked: 1,
                errors: 3,
            }
        );
    }
}
