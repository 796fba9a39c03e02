//! The resource kinds, one folder each (`observe.rs`: batched SDK reads; `plan.rs`: the pure
//! comparison that reports a `Delta`; `apply.rs`: one operation per AWS write call), and the
//! one list that registers them with the engine.

pub mod bucket;
pub mod cloudtrail;
pub mod db_instance;
pub mod ecr;
pub mod ecs;
pub mod ecs_cluster;
pub mod event_source;
pub mod iam;
pub mod kms_key;
pub mod load_balancer;
pub mod log_group;
pub mod log_metric_filter;
pub mod metric_alarm;
pub mod posture;
#[cfg(test)]
pub mod round_trip;
pub mod secrets;
pub mod security_group;
pub mod sns_topic;
pub mod web_acl;

use crate::engine::{ErasedKind, Kind};

/// Every kind this release manages, in dependency order, each with what it can do and why
/// not where it cannot. Apply orders resources by the dependencies each kind declares
/// (`ManagedKind::depends_on`); this order decides which way a dependency waits: on an
/// earlier resource for all its calls (policies before the roles that attach them, roles
/// before the task definitions that name them), on a later one only for its creation
/// (groups that reference each other).
#[expect(clippy::too_many_lines, reason = "one registration line per kind")]
pub fn standard() -> Vec<Box<dyn ErasedKind>> {
    const ADOPTED: &str = "adopted, never created: the application's stack owns it";
    vec![
        Kind::new(posture::AccountSettings)
            .untagged("account settings carry no tags, and there is no ownership to check")
            .imports()
            .never_prunes("account settings are not a resource of their own")
            .evented()
            .attests()
            .into(),
        Kind::new(kms_key::KmsKeys)
            .tagged()
            .imports()
            .keeps_orphans(
                "a KMS key is never deleted, as what it encrypted could not be read again: \
                 schedule its deletion by hand (ScheduleKeyDeletion) once nothing uses it",
            )
            .evented()
            .attests_nothing(
                "no checklist item cites a KMS control: key rotation is a guardrail (AFU9-KMS-)",
            )
            .into(),
        Kind::new(iam::policy::IamPolicies)
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(iam::role::IamRoles::default())
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(secrets::Secrets::default())
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(ecr::EcrRepositories)
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(security_group::SecurityGroups)
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(ecs::EcsTaskDefinitions)
            .untagged(
                "a family's tags live on each revision, which the next revision copies as \
                 they are; the family belongs to the application's deployment",
            )
            .imports()
            .never_prunes("task definitions carry no ownership tag")
            .evented()
            .attests()
            .into(),
        Kind::new(ecs_cluster::EcsClusters)
            .tagged()
            .imports()
            .never_prunes(ADOPTED)
            .evented()
            .attests()
            .into(),
        Kind::new(db_instance::DbInstances)
            .tagged()
            .imports()
            .never_prunes(ADOPTED)
            .evented()
            .attests()
            .into(),
        Kind::new(sns_topic::SnsTopics)
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(bucket::Buckets)
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(log_group::LogGroups)
            .tagged()
            .imports()
            .keeps_orphans(
                "a log group's events could not be read again: delete it by hand \
                 (DeleteLogGroup) once nothing needs them",
            )
            .evented()
            .attests()
            .into(),
        Kind::new(cloudtrail::CloudTrails)
            .tagged()
            .imports()
            .keeps_orphans(
                "the trail is the account's audit record (Security Hub CloudTrail.1): delete \
                 it by hand if it must go",
            )
            .evented()
            .attests()
            .into(),
        Kind::new(log_metric_filter::LogMetricFilters)
            .untagged("AWS metric filters carry no tags: the name on its log group is the claim")
            .imports()
            .never_prunes("metric filters carry no tags")
            .evented()
            .attests_nothing(
                "a filter is evidence through the alarm that reads its metric (CloudWatch.15)",
            )
            .into(),
        Kind::new(metric_alarm::MetricAlarms)
            .tagged()
            .imports()
            .prunes()
            .evented()
            .attests()
            .into(),
        Kind::new(event_source::EventSources)
            .tagged()
            .imports()
            .never_prunes("the event source feeds a running controller, so it is never pruned")
            .no_events(
                "an event cannot report that its own delivery broke (a deleted rule sends \
                 nothing): the periodic pass repairs the event source",
            )
            .attests_nothing("the controller's own event plumbing: no checklist item is about it")
            .into(),
        Kind::new(load_balancer::LoadBalancers)
            .tagged()
            .imports()
            .never_prunes(ADOPTED)
            .evented()
            .attests()
            .into(),
        Kind::new(web_acl::WebAcls)
            .tagged()
            .imports()
            .keeps_orphans(
                "a web ACL may protect what no manifest names (WAF's emulator cannot list what \
                 an ACL protects): delete it by hand once it protects nothing",
            )
            .evented()
            .attests()
            .into(),
    ]
}

/// The registration of kind `K` in [`standard`], for tests that plan or import one resource
/// as a pass does, or that register it over another instance (`Kind::with`).
///
/// # Panics
/// When `K` is not registered.
pub fn registered<K: crate::engine::ManagedKind>() -> Kind<K> {
    standard()
        .into_iter()
        .find(|kind| kind.kind() == K::KIND)
        .and_then(|kind| kind.into_any().downcast::<Kind<K>>().ok())
        .map_or_else(|| panic!("{} is not registered", K::KIND), |kind| *kind)
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

    #[test]
    fn each_census_type_matches_the_arns_aws_gives_its_kind_and_no_other() {
        use crate::engine::Imports;
        let samples = [
            (
                <super::log_group::LogGroups as Imports>::TAGGED,
                "arn:aws:logs:eu-central-1:123456789012:log-group:/ecs/afu9:*",
            ),
            (
                <super::metric_alarm::MetricAlarms as Imports>::TAGGED,
                "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:afu9-secret-read",
            ),
            (
                <super::kms_key::KmsKeys as Imports>::TAGGED,
                "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ),
            (
                <super::sns_topic::SnsTopics as Imports>::TAGGED,
                "arn:aws:sns:eu-central-1:123456789012:afu9-security-alerts",
            ),
        ];
        for (tagged, own) in samples {
            let tagged = tagged.expect("the kind declares its census type");
            for (_, arn) in samples {
                assert_eq!(tagged.matches(arn), arn == own, "{tagged:?} against {arn}");
            }
        }
        let kms = <super::kms_key::KmsKeys as Imports>::TAGGED.expect("declared");
        assert!(!kms.matches("arn:aws:kms:eu-central-1:123456789012:alias/afu9-logs"));
    }

    #[test]
    fn the_kinds_listen_to_the_sources_eventbridge_names() {
        // EventBridge's `source` of CloudTrail API-call events, service by service: the
        // pattern of the deployed rule and the routing of received events both use these.
        let expected: BTreeSet<&str> = [
            "aws.cloudtrail",
            "aws.cloudwatch",
            "aws.ec2",
            "aws.ecr",
            "aws.ecs",
            "aws.elasticloadbalancing",
            "aws.iam",
            "aws.kms",
            "aws.logs",
            "aws.rds",
            "aws.s3",
            "aws.secretsmanager",
            "aws.sns",
            "aws.wafv2",
        ]
        .into_iter()
        .collect();
        let declared: BTreeSet<&str> = standard()
            .iter()
            .map(|kind| kind.events().source)
            .filter(|source| !source.is_empty())
            .collect();
        assert_eq!(declared, expected);
    }

    #[test]
    fn every_kind_provides_or_declines_each_capability() {
        for kind in standard() {
            assert_eq!(
                kind.undeclared(),
                Vec::<&str>::new(),
                "{}: say what it can do (`.tagged()`) or why not (`.untagged(\"…\")`)",
                kind.kind()
            );
        }
    }
}
