//! The deletion budget: a pass deletes at most a few resources, and at most a share of what
//! the controller owns; over the budget it deletes nothing.
//!
//! A bad revision (most manifests lost, files emptied) still validates as long as one
//! resource is left, and pruning would then delete everything the others named. The budget
//! turns that into a held pass: every orphan it would delete is `blocked`, with a reason that
//! names the budget, and nothing is deleted until an operator lifts it for one run
//! (`apply --allow-deletions N`) or raises it in the Posture (`deletionBudget`).

use afu9_spec::posture::DeletionBudget;

use crate::plan::{Action, Plan};

/// What a pass is allowed to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// The Posture's budget (its defaults when it sets none).
    Budget(DeletionBudget),
    /// An operator's explicit allowance for this run: at most this many deletions, whatever
    /// the share.
    Explicit(usize),
}

/// A pass held by the budget: what it would have deleted and what it may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    /// The deletions the plan would have made.
    pub deleting: usize,
    /// The most this pass may delete.
    pub limit: usize,
    /// What the limit was computed from, as the reasons say it.
    pub rule: String,
}

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "held by the deletion budget: this pass would delete {} resources, more than the {} it may ({}); nothing is deleted (lift it for one run with `afu9ctl apply --allow-deletions {}`, or raise `deletionBudget` in the Posture)",
            self.deleting, self.limit, self.rule, self.deleting
        )
    }
}

/// Holds every deletion of `plan` when there are more than `allowance` permits: each becomes
/// `blocked` with the reason, and its calls are dropped. Returns the hold, if any.
pub fn enforce(plan: &mut Plan, allowance: Allowance) -> Option<OverBudget> {
    let deleting = plan
        .resources
        .iter()
        .filter(|r| r.action == Action::Delete)
        .count();
    if deleting == 0 {
        return None;
    }
    let (limit, rule) = match allowance {
        Allowance::Explicit(allowed) => (allowed, format!("--allow-deletions {allowed}")),
        Allowance::Budget(budget) => {
            let owned = plan
                .resources
                .iter()
                .filter(|r| !(r.orphan && r.action == Action::Error))
                .count();
            (
                budget.limit(owned),
                format!(
                    "deletionBudget: at most {} resources and {} % of the {owned} owned",
                    budget.max_deletions, budget.max_percent
                ),
            )
        }
    };
    if deleting <= limit {
        return None;
    }
    let held = OverBudget {
        deleting,
        limit,
        rule,
    };
    for resource in plan
        .resources
        .iter_mut()
        .filter(|r| r.action == Action::Delete)
    {
        resource.action = Action::Blocked;
        resource.ops.clear();
        let why = resource.reason.take().unwrap_or_default();
        resource.reason = Some(format!("{why}; {held}"));
    }
    Some(held)
}

#[cfg(test)]
mod tests {
    use afu9_spec::SourceLocation;

    use super::*;
    use crate::plan::ResourcePlan;

    fn plan(managed: usize, deleting: usize) -> Plan {
        let at = SourceLocation::new("x.yaml", 1, 1);
        let mut resources: Vec<ResourcePlan> = (0..managed)
            .map(|n| ResourcePlan::new("EcrRepository", &format!("m{n}"), &at))
            .collect();
        resources.extend((0..deleting).map(|n| ResourcePlan {
            action: Action::Delete,
            orphan: true,
            reason: Some("no manifest names it".to_owned()),
            ..ResourcePlan::new("EcrRepository", &format!("o{n}"), &at)
        }));
        Plan {
            resources,
            partial: None,
        }
    }

    fn deletes(plan: &Plan) -> usize {
        plan.resources
            .iter()
            .filter(|r| r.action == Action::Delete)
            .count()
    }

    #[test]
    fn the_default_budget_allows_the_smaller_of_five_and_a_tenth_of_what_is_owned() {
        let budget = Allowance::Budget(DeletionBudget::default());
        let mut small = plan(8, 1);
        assert_eq!(
            enforce(&mut small, budget),
            None,
            "one of nine: at least one"
        );
        assert_eq!(deletes(&small), 1);
        let mut two = plan(8, 2);
        let held = enforce(&mut two, budget).expect("two of ten is more than 10 %");
        assert_eq!((held.deleting, held.limit), (2, 1));
        let mut large = plan(100, 5);
        assert_eq!(enforce(&mut large, budget), None, "five of 105");
        let mut larger = plan(100, 6);
        assert_eq!(enforce(&mut larger, budget).map(|h| h.limit), Some(5));
    }

    #[test]
    fn over_the_budget_nothing_is_deleted_and_every_orphan_says_why() {
        let mut over = plan(3, 14);
        let held = enforce(&mut over, Allowance::Budget(DeletionBudget::default()));
        assert!(held.is_some());
        assert_eq!(deletes(&over), 0);
        let orphans: Vec<_> = over.resources.iter().filter(|r| r.orphan).collect();
        assert_eq!(orphans.len(), 14);
        for orphan in orphans {
            assert_eq!(orphan.action, Action::Blocked);
            assert!(orphan.ops.is_empty());
            let reason = orphan.reason.as_deref().unwrap_or_default();
            assert!(reason.contains("deletion budget") && reason.contains("--allow-deletions 14"));
        }
    }

    #[test]
    fn an_explicit_allowance_replaces_the_budget_exactly() {
        let mut allowed = plan(3, 14);
        assert_eq!(enforce(&mut allowed, Allowance::Explicit(14)), None);
        assert_eq!(deletes(&allowed), 14);
        let mut short = plan(3, 14);
        assert!(enforce(&mut short, Allowance::Explicit(13)).is_some());
        assert_eq!(deletes(&short), 0);
    }
}
