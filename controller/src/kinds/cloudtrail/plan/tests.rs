use std::path::Path;

use afu9_spec::load::load_str;

use super::*;
use crate::aws::Identity;
use crate::plan::Existence;

const TRAIL: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: CloudTrail\nmetadata: {name: afu9-audit-trail}\nspec:\n  s3Bucket: afu9-audit-logs\n  multiRegion: true\n  logFileValidation: true\n  kmsKey: alias/afu9-audit\n  cloudWatchLogs: {logGroup: /afu9/cloudtrail, role: afu9-cloudtrail-logs}\n";
const GROUP_ARN: &str = "arn:aws:logs:eu-central-1:123456789012:log-group:/afu9/cloudtrail:*";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/afu9-cloudtrail-logs";

fn identity() -> Identity {
    Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
    }
}

fn in_sync() -> CloudTrailObserved {
    CloudTrailObserved {
        trail: Some(LiveTrail {
            arn: "arn:aws:cloudtrail:eu-central-1:123456789012:trail/afu9-audit-trail".to_owned(),
            s3_bucket: "afu9-audit-logs".to_owned(),
            multi_region: true,
            log_file_validation: true,
            kms_key: Some("arn:aws:kms:eu-central-1:123456789012:key/k-1".to_owned()),
            log_group: Some("/afu9/cloudtrail".to_owned()),
            role_arn: Some(ROLE_ARN.to_owned()),
            logging: true,
            management_events: (true, true),
            ..LiveTrail::default()
        }),
        bucket_exists: None,
        log_group_arn: Some(GROUP_ARN.to_owned()),
        kms_key_arn: Some("arn:aws:kms:eu-central-1:123456789012:key/k-1".to_owned()),
    }
}

fn paths(observed: &CloudTrailObserved) -> (Existence, Vec<String>, Vec<&'static str>) {
    let state = load_str(Path::new("t.yaml"), TRAIL).expect("valid");
    let id = identity();
    let cx = PlanContext {
        state: &state,
        identity: Some(&id),
    };
    let delta = plan(&cx, &state.cloud_trails[0], Some(observed));
    (
        delta.existence.clone(),
        delta.changes.iter().map(|c| c.path.clone()).collect(),
        delta.ops.iter().map(|op| op.call()).collect(),
    )
}

#[test]
fn an_alias_that_resolves_to_the_live_key_arn_is_in_sync() {
    let (existence, changes, ops) = paths(&in_sync());
    assert_eq!(existence, Existence::Exists);
    assert!(changes.is_empty(), "{changes:?}");
    assert!(ops.is_empty());
}

#[test]
fn each_drift_is_named_and_fixed_by_its_call() {
    let mut observed = in_sync();
    let trail = observed.trail.as_mut().expect("trail");
    trail.logging = false;
    trail.log_file_validation = false;
    trail.multi_region = false;
    trail.management_events = (false, true);
    let (_, changes, ops) = paths(&observed);
    assert_eq!(
        changes,
        [
            "spec.multiRegion",
            "spec.logFileValidation",
            "spec.managementEvents",
            "spec.logging"
        ]
    );
    assert_eq!(ops, ["UpdateTrail", "PutEventSelectors", "StartLogging"]);
}

#[test]
fn a_missing_bucket_or_log_group_blocks_the_create() {
    let missing = CloudTrailObserved {
        bucket_exists: Some(false),
        ..CloudTrailObserved::default()
    };
    let (existence, _, ops) = paths(&missing);
    assert!(
        matches!(existence, Existence::Unavailable(reason) if reason.contains("bucket afu9-audit-logs does not exist"))
    );
    assert!(ops.is_empty());
    let no_group = CloudTrailObserved {
        bucket_exists: Some(true),
        ..CloudTrailObserved::default()
    };
    let (existence, _, _) = paths(&no_group);
    assert!(
        matches!(existence, Existence::Unavailable(reason) if reason.contains("log group /afu9/cloudtrail"))
    );
    let ready = CloudTrailObserved {
        bucket_exists: Some(true),
        log_group_arn: Some(GROUP_ARN.to_owned()),
        ..CloudTrailObserved::default()
    };
    let (existence, _, ops) = paths(&ready);
    assert_eq!(existence, Existence::Missing);
    assert_eq!(ops, ["CreateTrail", "StartLogging"]);
}
