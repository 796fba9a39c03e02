//! The resource kinds, one folder each (`observe.rs`: batched SDK reads; `plan.rs`: the pure
//! comparison that reports a `Delta`; `apply.rs`: one operation per AWS write call), and the
//! one list that registers them with the engine.

pub mod cloudtrail;
pub mod db_instance;
pub mod ecr;
pub mod ecs;
pub mod ecs_cluster;
pub mod event_source;
pub mod iam;
pub mod kms_key;
pub mod load_balancer;
pub mod log_metric_filter;
pub mod metric_alarm;
pub mod posture;
#[cfg(test)]
pub mod round_trip;
pub mod secrets;
pub mod security_group;
pub mod sns_topic;

use crate::engine::ErasedKind;

/// Every kind this release manages, in dependency order. Apply orders resources by the
/// dependencies each kind declares (`ManagedKind::depends_on`); this order decides which way
/// a dependency waits: on an earlier resource for all its calls (policies before the roles
/// that attach them, roles before the task definitions that name them), on a later one only
/// for its creation (groups that reference each other).
pub fn standard() -> Vec<Box<dyn ErasedKind>> {
    vec![
        Box::new(posture::AccountSettings),
        Box::new(kms_key::KmsKeys),
        Box::new(iam::policy::IamPolicies),
        Box::new(iam::role::IamRoles::default()),
        Box::new(secrets::Secrets::default()),
        Box::new(ecr::EcrRepositories),
        Box::new(security_group::SecurityGroups),
        Box::new(ecs::EcsTaskDefinitions),
        Box::new(ecs_cluster::EcsClusters),
        Box::new(db_instance::DbInstances),
        Box::new(sns_topic::SnsTopics),
        Box::new(cloudtrail::CloudTrails),
        Box::new(log_metric_filter::LogMetricFilters),
        Box::new(metric_alarm::MetricAlarms),
        Box::new(event_source::EventSources),
        Box::new(load_balancer::LoadBalancers),
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
        // `Posture` too: its account-wide settings are a kind of their own.
        let declared: BTreeSet<&str> = afu9_spec::KINDS.iter().copied().collect();
        assert_eq!(
            unique, declared,
            "every kind declared in afu9_spec::kinds must be registered in kinds::standard()"
        );
    }
}
