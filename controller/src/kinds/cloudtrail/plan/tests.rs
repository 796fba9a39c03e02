use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::super::CloudTrails;
use super::*;
use crate::aws::Identity;
use crate::plan::{Action, ResourcePlan};

const TRAIL: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: CloudTrail\nmetadata: {name: afu9-audit-trail}\nspec:\n  s3Bucket: afu9-audit-logs\n  multiRegion: true\n  logFileValidation: true\n  kmsKey: alias/afu9-audit\n  cloudWatchLogs: {logGroup: /afu9/cloudtrail, role: afu9-cloudtrail-logs}\n";
const GROUP_ARN: &str = "arn:aws:logs:eu-central-1:123456789012:log-group:/afu9/cloudtrail:*";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/afu9-cloudtrail-logs";
const KEY_ARN: &str = "arn:aws:kms:eu-central-1:123456789012:key/k-1";

fn owned() -> Tags {
    [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
        .into_iter()
        .collect()
}

/// The live trail as `TRAIL` wants it, its key reported as the key ARN (as AWS does) and
/// the manifest's alias resolved to it.
fn in_sync() -> CloudTrailObserved {
    CloudTrailObserved {
        trail: Some(LiveTrail {
            arn: "arn:aws:cloudtrail:eu-central-1:123456789012:trail/afu9-audit-trail".to_owned(),
            s3_bucket: "afu9-audit-logs".to_owned(),
            multi_region: true,
            log_file_validation: true,
            kms_key: Some(KEY_ARN.to_owned()),
            log_group: Some("/afu9/cloudtrail".to_owned()),
            role_arn: Some(ROLE_ARN.to_owned()),
            logging: true,
            management_events: (true, true),
            tags: owned(),
            ..LiveTrail::default()
        }),
        bucket_exists: None,
        bucket_access_logging: None,
        log_group_arn: Some(GROUP_ARN.to_owned()),
        kms_key_arn: Some(KEY_ARN.to_owned()),
    }
}

fn planned(observed: &CloudTrailObserved) -> ResourcePlan {
    let state = load_str(Path::new("t.yaml"), TRAIL).expect("valid");
    let id = Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/afu9".to_owned(),
    };
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: Some(&id),
    };
    crate::kinds::registered::<CloudTrails>().plan_one(&cx, &state.cloud_trails[0], Some(observed))
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn an_alias_that_resolves_to_the_live_key_arn_is_in_sync() {
    let plan = planned(&in_sync());
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    let mut unresolved = in_sync();
    unresolved.kms_key_arn = Some("arn:aws:kms:eu-central-1:123456789012:key/other".to_owned());
    let plan = planned(&unresolved);
    assert_eq!(
        (plan.action, paths(&plan)),
        (Action::Update, vec!["spec.kmsKey"])
    );
    assert_eq!(calls(&plan), ["UpdateTrail"]);
}

#[test]
fn each_drift_is_named_and_fixed_by_its_call() {
    let mut observed = in_sync();
    let trail = observed.trail.as_mut().expect("trail");
    trail.logging = false;
    trail.log_file_validation = false;
    trail.multi_region = false;
    trail.management_events = (false, true);
    let plan = planned(&observed);
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        paths(&plan),
        [
            "spec.multiRegion",
            "spec.logFileValidation",
            "spec.managementEvents",
            "spec.logging"
        ]
    );
    assert_eq!(
        calls(&plan),
        ["UpdateTrail", "PutEventSelectors", "StartLogging"]
    );
}

#[test]
fn a_missing_bucket_or_log_group_blocks_the_create_with_no_call() {
    let missing = CloudTrailObserved {
        bucket_exists: Some(false),
        ..CloudTrailObserved::default()
    };
    let plan = planned(&missing);
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("bucket afu9-audit-logs does not exist"))
    );
    assert!(plan.ops.is_empty());
    let no_group = CloudTrailObserved {
        bucket_exists: Some(true),
        ..CloudTrailObserved::default()
    };
    let plan = planned(&no_group);
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("log group /afu9/cloudtrail"))
    );
    let ready = CloudTrailObserved {
        bucket_exists: Some(true),
        log_group_arn: Some(GROUP_ARN.to_owned()),
        ..CloudTrailObserved::default()
    };
    let plan = planned(&ready);
    assert_eq!(plan.action, Action::Create);
    assert_eq!(calls(&plan), ["CreateTrail", "StartLogging"]);
}

#[test]
fn an_unowned_trail_is_blocked_with_no_call() {
    let mut observed = in_sync();
    let trail = observed.trail.as_mut().expect("trail");
    trail.tags = Tags::new();
    trail.logging = false;
    let plan = planned(&observed);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
}

#[test]
fn a_delivery_role_managed_with_a_path_is_passed_by_its_arn_with_that_path() {
    let role = "---\napiVersion: posture.afu9.io/v1alpha1\nkind: IamRole\nmetadata: {name: afu9-cloudtrail-logs}\nspec:\n  path: /service-role/\n  trustPolicy: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n";
    let state = load_str(Path::new("t.yaml"), &format!("{TRAIL}{role}")).expect("valid");
    let id = Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/afu9".to_owned(),
    };
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: Some(&id),
    };
    let ready = CloudTrailObserved {
        bucket_exists: Some(true),
        log_group_arn: Some(GROUP_ARN.to_owned()),
        ..CloudTrailObserved::default()
    };
    let plan = crate::kinds::registered::<CloudTrails>().plan_one(
        &cx,
        &state.cloud_trails[0],
        Some(&ready),
    );
    assert_eq!(calls(&plan), ["CreateTrail", "StartLogging"]);
    let create = format!("{:?}", plan.ops[0]);
    let with_path = "arn:aws:iam::123456789012:role/service-role/afu9-cloudtrail-logs";
    assert!(
        create.contains(with_path),
        "the delivery role's ARN must carry the IamRole manifest's path ({with_path}): {create}"
    );
    let mut other = in_sync();
    let trail = other.trail.as_mut().expect("trail");
    trail.role_arn = Some("arn:aws:iam::123456789012:role/other-role".to_owned());
    let plan = crate::kinds::registered::<CloudTrails>().plan_one(
        &cx,
        &state.cloud_trails[0],
        Some(&other),
    );
    assert_eq!(calls(&plan), ["UpdateTrail"]);
    let update = format!("{:?}", plan.ops[0]);
    assert!(
        update.contains(with_path),
        "an update names the role by its ARN with the path: {update}"
    );
}
