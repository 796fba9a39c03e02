//! The resource kinds, one folder each (`observe.rs`: batched SDK reads; `plan.rs`: the pure
//! comparison that reports a `Delta`; `apply.rs`: one operation per AWS write call), and the
//! one list that registers them with the engine.

pub mod cloudtrail;
pub mod ecr;
pub mod ecs;
pub mod iam;
pub mod log_metric_filter;
pub mod metric_alarm;
pub mod secrets;
pub mod security_group;
pub mod sns_topic;

use crate::engine::ErasedKind;

/// Every kind this release manages, in dependency order: a kind's resources are applied
/// after those of the kinds before it (policies before the roles that attach them, roles
/// and secrets before the task definitions that name them, groups before nothing).
pub fn standard() -> Vec<Box<dyn ErasedKind>> {
    vec![
        Box::new(iam::policy::IamPolicies),
        Box::new(iam::role::IamRoles::default()),
        Box::new(secrets::Secrets::default()),
        Box::new(ecr::EcrRepositories),
        Box::new(security_group::SecurityGroups),
        Box::new(ecs::EcsTaskDefinitions),
        Box::new(sns_topic::SnsTopics),
        Box::new(cloudtrail::CloudTrails),
        Box::new(log_metric_filter::LogMetricFilters),
        Box::new(metric_alarm::MetricAlarms),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::standard;

    #[test]
    fn every_declared_kind_is_registered_once() {
        let registered: Vec<&str> = standard().iter().map(|kind| kind.kind()).collect();
        let unique: BTreeSet<&str> = registered.iter().copied().collect();
        assert_eq!(
            unique.len(),
            registered.len(),
            "registered twice: {registered:?}"
        );
        let declared: BTreeSet<&str> = afu9_spec::KINDS
            .iter()
            .copied()
            .filter(|kind| *kind != "Posture")
            .collect();
        assert_eq!(
            unique, declared,
            "every kind declared in afu9_spec::kinds must be registered in kinds::standard()"
        );
    }
}
