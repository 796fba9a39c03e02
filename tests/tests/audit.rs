//! The audit kinds end to end against the emulator (`CloudTrail`, `LogMetricFilter`,
//! `MetricAlarm`, `SnsTopic`, as desired-state/audit.yaml declares them): created from
//! nothing, drift injected through the SDK named field by field, fixed by one apply, the next
//! plan empty; equivalent spellings quiet; a missing bucket or log group blocked with its
//! reason; resources afu9-posture does not own left alone.

use std::collections::BTreeMap;
use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan};
use afu9_e2e::audit::{AuditKeys, BUCKET, LOG_GROUP, seed_audit_prerequisites};
use afu9_e2e::{ACCOUNT_ID, Emulator, REGION, repo_root};
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
use aws_sdk_cloudwatchlogs::types::MetricTransformation;

const TRAIL: &str = "afu9-audit-trail";
const TOPIC: &str = "afu9-security-alerts";
const FILTER: &str = "afu9-secret-access";
const GUIDE_PATTERN: &str =
    "{ ($.eventName = GetSecretValue) && ($.requestParameters.secretId = afu9/*) }";

fn audit_text() -> String {
    std::fs::read_to_string(repo_root().join("desired-state/audit.yaml")).expect("audit.yaml")
}

fn desired(yaml: &str) -> DesiredState {
    load_str(Path::new("desired-state/audit.yaml"), yaml).expect("valid audit manifests")
}

fn engine() -> Engine {
    Engine::new(afu9_controller::kinds::standard())
}

fn topic_arn() -> String {
    format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:{TOPIC}")
}

/// The change paths of `name` in `plan` (of any kind), with its action and reason.
fn changes_of<'a>(
    plan: &'a Plan,
    kind: &str,
    name: &str,
) -> (Action, Vec<&'a str>, Option<&'a str>) {
    let resource = plan
        .resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("{kind} {name} is not in the plan"));
    assert_ne!(
        resource.action,
        Action::Error,
        "{name}: {:?}",
        resource.reason
    );
    (
        resource.action,
        resource.changes.iter().map(|c| c.path.as_str()).collect(),
        resource.reason.as_deref(),
    )
}

fn drifted(plan: &Plan) -> Vec<String> {
    plan.resources
        .iter()
        .filter(|r| r.is_drift() || r.action == Action::Error)
        .map(|r| format!("{} {}: {:?} {:?}", r.kind, r.name, r.action, r.reason))
        .collect()
}

/// Seeds the prerequisites, applies the audit posture from nothing, checks the next plan is
/// empty, and returns the keys.
async fn converged(
    emulator: &Emulator,
    engine: &Engine,
    aws: &Aws,
    state: &DesiredState,
) -> AuditKeys {
    let keys = seed_audit_prerequisites(emulator).await;
    let plan = engine.plan(aws, state).await;
    assert_eq!(plan.summary().create, 14, "{:?}", drifted(&plan));
    let report = engine.apply(aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(aws, state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    keys
}

async fn filter_pattern(emulator: &Emulator, name: &str) -> String {
    emulator
        .logs()
        .describe_metric_filters()
        .log_group_name(LOG_GROUP)
        .filter_name_prefix(name)
        .send()
        .await
        .expect("describe filters")
        .metric_filters
        .unwrap_or_default()
        .into_iter()
        .rfind(|f| f.filter_name.as_deref() == Some(name))
        .and_then(|f| f.filter_pattern)
        .unwrap_or_default()
}

async fn put_filter(emulator: &Emulator, pattern: &str) {
    emulator
        .logs()
        .put_metric_filter()
        .log_group_name(LOG_GROUP)
        .filter_name(FILTER)
        .filter_pattern(pattern)
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name("SecretAccessCount")
                .metric_namespace("AFU9/Security")
                .metric_value("1")
                .build()
                .expect("transformation"),
        )
        .send()
        .await
        .expect("put filter");
}

/// Raises the threshold and drops the actions of the alarm `name`, as someone in the
/// console would (`PutMetricAlarm` replaces the whole alarm).
async fn weaken_alarm(emulator: &Emulator, name: &str) {
    emulator
        .cloudwatch()
        .put_metric_alarm()
        .alarm_name(name)
        .alarm_description("the guide's alarm: an AFU-9 secret was read")
        .metric_name("SecretAccessCount")
        .namespace("AFU9/Security")
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(50.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .send()
        .await
        .expect("weaken the alarm");
}

/// Every drift the issue names, out of band: logging stopped, validation off, the trail
/// single-region, read events dropped, the filter pattern edited, the alarm threshold raised
/// and its actions removed, the topic's encryption removed.
async fn inject_every_drift(emulator: &Emulator) {
    let cloudtrail = emulator.cloudtrail();
    cloudtrail
        .stop_logging()
        .name(TRAIL)
        .send()
        .await
        .expect("stop logging");
    cloudtrail
        .update_trail()
        .name(TRAIL)
        .enable_log_file_validation(false)
        .is_multi_region_trail(false)
        .send()
        .await
        .expect("update trail");
    cloudtrail
        .put_event_selectors()
        .trail_name(TRAIL)
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .expect("drop read events");
    put_filter(emulator, "{ $.eventName = GetSecretValue }").await;
    weaken_alarm(emulator, FILTER).await;
    emulator
        .sns()
        .set_topic_attributes()
        .topic_arn(topic_arn())
        .attribute_name("KmsMasterKeyId")
        .attribute_value("")
        .send()
        .await
        .expect("remove encryption");
}

/// The account itself, read without the controller, is as the manifests say.
async fn assert_account_converged(emulator: &Emulator) {
    let cloudtrail = emulator.cloudtrail();
    let trail = cloudtrail
        .get_trail()
        .name(TRAIL)
        .send()
        .await
        .expect("get trail")
        .trail
        .expect("trail");
    assert_eq!(trail.is_multi_region_trail, Some(true));
    assert_eq!(trail.log_file_validation_enabled, Some(true));
    let status = cloudtrail
        .get_trail_status()
        .name(TRAIL)
        .send()
        .await
        .expect("status");
    assert_eq!(status.is_logging, Some(true));
    assert_eq!(filter_pattern(emulator, FILTER).await, GUIDE_PATTERN);
    let alarm = emulator
        .cloudwatch()
        .describe_alarms()
        .alarm_names(FILTER)
        .send()
        .await
        .expect("alarms")
        .metric_alarms
        .unwrap_or_default()
        .remove(0);
    assert_eq!(alarm.threshold, Some(1.0));
    assert_eq!(alarm.alarm_actions, Some(vec![topic_arn()]));
    let attributes = emulator
        .sns()
        .get_topic_attributes()
        .topic_arn(topic_arn())
        .send()
        .await
        .expect("attributes")
        .attributes
        .unwrap_or_default();
    assert_eq!(
        attributes.get("KmsMasterKeyId").map(String::as_str),
        Some("alias/afu9-alerts")
    );
}

#[tokio::test]
async fn every_drift_is_planned_field_by_field_fixed_by_one_apply_and_gone() {
    let emulator = Emulator::start();
    let state = desired(&audit_text());
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    converged(&emulator, &engine, &aws, &state).await;

    inject_every_drift(&emulator).await;

    let plan = engine.plan(&aws, &state).await;
    let (action, paths, _) = changes_of(&plan, "CloudTrail", TRAIL);
    assert_eq!(action, Action::Update);
    assert_eq!(
        paths,
        [
            "spec.multiRegion",
            "spec.logFileValidation",
            "spec.managementEvents",
            "spec.logging"
        ]
    );
    let (action, paths, _) = changes_of(&plan, "LogMetricFilter", FILTER);
    assert_eq!((action, paths), (Action::Update, vec!["spec.pattern"]));
    let (action, paths, _) = changes_of(&plan, "MetricAlarm", FILTER);
    assert_eq!(action, Action::Update);
    assert_eq!(paths, ["spec.threshold", "spec.alarmActions"]);
    let (action, paths, _) = changes_of(&plan, "SnsTopic", TOPIC);
    assert_eq!((action, paths), (Action::Update, vec!["spec.kmsKey"]));
    assert_eq!(drifted(&plan).len(), 4, "{:?}", drifted(&plan));

    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    assert_account_converged(&emulator).await;

    let again = engine.plan(&aws, &state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    assert!(engine.apply(&aws, &again).await.resources.is_empty());
}

#[tokio::test]
async fn equivalent_spellings_stay_quiet() {
    let emulator = Emulator::start();
    let text = audit_text();
    let state = desired(&text);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    let keys = converged(&emulator, &engine, &aws, &state).await;

    // AWS reports a trail's key as its key ARN, whatever alias it was set with.
    emulator
        .cloudtrail()
        .update_trail()
        .name(TRAIL)
        .kms_key_id(&keys.audit)
        .send()
        .await
        .expect("key as ARN");
    // The same pattern, spaced differently.
    put_filter(
        &emulator,
        "{($.eventName=GetSecretValue)&&\n  ($.requestParameters.secretId = afu9/*)}",
    )
    .await;
    // The topic's key as an alias ARN.
    emulator
        .sns()
        .set_topic_attributes()
        .topic_arn(topic_arn())
        .attribute_name("KmsMasterKeyId")
        .attribute_value(format!(
            "arn:aws:kms:{REGION}:{ACCOUNT_ID}:alias/afu9-alerts"
        ))
        .send()
        .await
        .expect("key as alias ARN");
    let plan = engine.plan(&aws, &state).await;
    assert!(drifted(&plan).is_empty(), "{:?}", drifted(&plan));

    // Alarm actions by ARN rather than by SnsTopic name mean the same.
    let by_arn = desired(&text.replace(
        "alarmActions: [afu9-security-alerts]",
        &format!("alarmActions: [\"{}\"]", topic_arn()),
    ));
    let plan = engine.plan(&aws, &by_arn).await;
    assert!(drifted(&plan).is_empty(), "{:?}", drifted(&plan));
}

#[tokio::test]
async fn a_missing_bucket_or_log_group_is_blocked_with_its_reason() {
    let emulator = Emulator::start();
    let state = desired(&audit_text());
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();

    let plan = engine.plan(&aws, &state).await;
    let (action, _, reason) = changes_of(&plan, "CloudTrail", TRAIL);
    assert_eq!(action, Action::Blocked);
    assert!(
        reason.is_some_and(|r| r.contains(&format!("bucket {BUCKET} does not exist"))),
        "{reason:?}"
    );
    let (action, _, reason) = changes_of(&plan, "LogMetricFilter", FILTER);
    assert_eq!(action, Action::Blocked);
    assert!(
        reason.is_some_and(|r| r.contains(&format!("log group {LOG_GROUP} does not exist"))),
        "{reason:?}"
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let trails = emulator
        .cloudtrail()
        .describe_trails()
        .send()
        .await
        .expect("trails")
        .trail_list
        .unwrap_or_default();
    assert!(trails.is_empty(), "a trail was created without its bucket");

    // The bucket alone: now the log group blocks the trail.
    emulator.create_audit_bucket().await;
    let plan = engine.plan(&aws, &state).await;
    let (action, _, reason) = changes_of(&plan, "CloudTrail", TRAIL);
    assert_eq!(action, Action::Blocked);
    assert!(reason.is_some_and(|r| r.contains(LOG_GROUP)), "{reason:?}");
}

/// A trail, topic and alarm of the manifests' names that someone else created (no
/// ownership tag), and a filter on the trail's log group that no manifest names.
async fn seed_unowned(emulator: &Emulator) {
    seed_audit_prerequisites(emulator).await;
    let cloudtrail = emulator.cloudtrail();
    cloudtrail
        .create_trail()
        .name(TRAIL)
        .s3_bucket_name(BUCKET)
        .send()
        .await
        .expect("someone else's trail");
    emulator
        .sns()
        .create_topic()
        .name(TOPIC)
        .send()
        .await
        .expect("someone else's topic");
    weaken_alarm(emulator, FILTER).await;
    // A filter on the same log group that no manifest names.
    emulator
        .logs()
        .put_metric_filter()
        .log_group_name(LOG_GROUP)
        .filter_name("someone-elses-filter")
        .filter_pattern("ERROR")
        .metric_transformations(
            MetricTransformation::builder()
                .metric_name("Errors")
                .metric_namespace("Other")
                .metric_value("1")
                .build()
                .expect("transformation"),
        )
        .send()
        .await
        .expect("other filter");
}

/// Nothing that [`seed_unowned`] created was changed.
async fn assert_unowned_untouched(emulator: &Emulator) {
    let cloudtrail = emulator.cloudtrail();
    let trail = cloudtrail
        .get_trail()
        .name(TRAIL)
        .send()
        .await
        .expect("trail")
        .trail
        .expect("trail");
    assert_eq!(
        trail.log_file_validation_enabled,
        Some(false),
        "an unowned trail was changed"
    );
    let status = cloudtrail
        .get_trail_status()
        .name(TRAIL)
        .send()
        .await
        .expect("status");
    assert_eq!(
        status.is_logging,
        Some(false),
        "an unowned trail was started"
    );
    let attributes = emulator
        .sns()
        .get_topic_attributes()
        .topic_arn(topic_arn())
        .send()
        .await
        .expect("attributes")
        .attributes
        .unwrap_or_default();
    assert!(
        !attributes.contains_key("KmsMasterKeyId"),
        "an unowned topic was changed"
    );
    let alarm = emulator
        .cloudwatch()
        .describe_alarms()
        .alarm_names(FILTER)
        .send()
        .await
        .expect("alarms")
        .metric_alarms
        .unwrap_or_default()
        .remove(0);
    assert_eq!(alarm.threshold, Some(50.0), "an unowned alarm was changed");
    assert_eq!(
        filter_pattern(emulator, "someone-elses-filter").await,
        "ERROR"
    );
}

#[tokio::test]
async fn resources_afu9_posture_does_not_own_are_left_alone() {
    let emulator = Emulator::start();
    seed_unowned(&emulator).await;
    let state = desired(&audit_text());
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();

    let plan = engine.plan(&aws, &state).await;
    for (kind, name) in [
        ("CloudTrail", TRAIL),
        ("SnsTopic", TOPIC),
        ("MetricAlarm", FILTER),
    ] {
        let (action, _, reason) = changes_of(&plan, kind, name);
        assert_eq!(action, Action::Blocked, "{kind} {name}");
        assert!(
            reason.is_some_and(|r| r.contains("not created by afu9-posture")),
            "{reason:?}"
        );
    }
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    assert_unowned_untouched(&emulator).await;
}

#[tokio::test]
async fn a_steady_state_plan_makes_few_calls_per_kind() {
    let emulator = Emulator::start();
    let state = desired(&audit_text());
    let engine = engine();
    converged(
        &emulator,
        &engine,
        &Aws::from_config(&emulator.sdk_config()),
        &state,
    )
    .await;

    // A whole pass, as `plan` makes it: the orphan search reads the same listings.
    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan_with_orphans(&counting, &state, false).await;
    assert!(plan.resources.iter().all(|r| !r.orphan), "{plan:?}");
    assert!(drifted(&plan).is_empty(), "{:?}", drifted(&plan));
    let calls = counting.calls.by_operation();
    let mut by_service: BTreeMap<String, u64> = BTreeMap::new();
    for (operation, count) in &calls {
        let service = operation.split('.').next().unwrap_or_default().to_owned();
        *by_service.entry(service).or_default() += count;
    }
    let expected: BTreeMap<String, u64> = [
        // DescribeTrails, ListTags, GetTrailStatus, GetEventSelectors (the key alias is
        // compared as text here; against AWS, which answers with the key ARN, one
        // DescribeKey more).
        ("CloudTrail", 4),
        // One DescribeLogGroups for the trail's delivery, and for the filters' one log
        // group one DescribeLogGroups and one DescribeMetricFilters. No orphan search of log
        // groups (no LogGroup manifest here): the census shows none owned, so neither the
        // listing nor the bootstrap's group's tags are read.
        ("CloudWatch Logs", 3),
        // One DescribeAlarms for the six alarms, one ListTagsForResource each.
        ("CloudWatch", 7),
        // ListTopics, GetTopicAttributes, ListTagsForResource, ListSubscriptionsByTopic.
        ("SNS", 4),
        // The caller's account, once, for the role ARN and the topic ARNs.
        ("STS", 1),
        // The orphan search of the tracked kinds without a manifest here, one listing each:
        // EC2 the groups and the VPCs, ECR, Secrets Manager, IAM policies and roles; and
        // IAM account details once, for the bootstrap's delivery role no manifest names
        // (`ListRoles` shows no tags).
        ("EC2", 2),
        ("ECR", 1),
        ("Secrets Manager", 1),
        ("IAM", 3),
        // The census of owned resources, for the tracked kinds without a manifest here that
        // it covers (keys, log groups): it shows none owned, so KMS is not called at all
        // (without it: `ListAliases`, `ListKeys`, and the bootstrap's two keys read whole,
        // 10 calls, to learn from their tags that nobody here owns them).
        ("Resource Groups Tagging API", 1),
        // The web ACLs' listing: a tracked kind without a manifest here.
        ("WAFV2", 1),
        // The orphan search of buckets (no Bucket manifest here): `ListBuckets`, then the
        // bootstrap's bucket read whole (eight reads, its tags among them) to tell its
        // owner, as the keys are: the listing shows no tags (the trail's read of that
        // bucket's server access logging, CloudTrail.7, shares its one GetBucketLogging).
        ("S3", 9),
    ]
    .into_iter()
    .map(|(service, count)| (service.to_owned(), count))
    .collect();
    assert_eq!(by_service, expected, "{calls:?}");
}
