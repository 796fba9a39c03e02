use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};
use serde_json::json;

use super::*;
use crate::aws::Identity;
use crate::kinds::bucket::Buckets;
use crate::plan::{Action, ResourcePlan};

const BUCKET: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: Bucket
metadata: {name: afu9-audit-logs}
spec:
  blockPublicAccess: {}
  encryption: {type: SSE-KMS, kmsKey: alias/afu9-audit}
  versioning: true
  objectOwnership: BucketOwnerEnforced
  lifecycle: {expireAfterDays: 400}
---
apiVersion: posture.afu9.io/v1alpha1
kind: CloudTrail
metadata: {name: afu9-audit-trail}
spec:
  s3Bucket: afu9-audit-logs
  multiRegion: true
  logFileValidation: true
  kmsKey: alias/afu9-audit
  cloudWatchLogs: {logGroup: /afu9/cloudtrail, role: r}
  guardrailExceptions: [{rule: AFU9-TRAIL-004, reason: test}]
";

const KEY_ARN: &str = "arn:aws:kms:eu-central-1:123456789012:key/1234";

fn state() -> DesiredState {
    let yaml = BUCKET.replace(
        "  lifecycle: {expireAfterDays: 400}",
        "  lifecycle: {expireAfterDays: 400}\n  guardrailExceptions: [{rule: AFU9-S3-010, reason: test}]",
    );
    load_str(Path::new("t.yaml"), &yaml).expect("valid manifests")
}

fn identity() -> Identity {
    Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/t".to_owned(),
    }
}

fn plan_for(have: Option<&BucketObserved>) -> ResourcePlan {
    let state = state();
    let identity = identity();
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: Some(&identity),
    };
    crate::kinds::registered::<Buckets>().plan_one(&cx, &state.buckets[0], have)
}

/// The live bucket exactly as the manifest wants it, its policy as `policy`.
fn in_sync(policy: Value) -> BucketObserved {
    let mut tags = Tags::new();
    tags.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
    BucketObserved {
        region: Some("eu-central-1".to_owned()),
        bucket: Some(LiveBucket {
            block_public_access: Some(PublicAccessBlock::ALL),
            encryption: Some(Some(LiveEncryption {
                algorithm: "aws:kms".to_owned(),
                kms_key: Some("alias/afu9-audit".to_owned()),
                bucket_key: false,
            })),
            versioning: Some(true),
            object_ownership: Some(Some("BucketOwnerEnforced".to_owned())),
            access_logging: None,
            lifecycle: Some(vec![LiveRule {
                id: "afu9-expiry".to_owned(),
                enabled: true,
                prefix: Some(String::new()),
                expire_after_days: Some(400),
                noncurrent_expire_after_days: None,
            }]),
            policy: Some(policy),
            tags,
        }),
        kms_keys: BTreeMap::new(),
    }
}

fn wanted() -> Value {
    let state = state();
    let identity = identity();
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: Some(&identity),
    };
    super::super::policy::wanted_policy(&cx, &state.buckets[0], "eu-central-1")
}

#[test]
fn in_sync_is_a_noop_and_a_reordered_policy_stays_quiet() {
    assert_eq!(plan_for(Some(&in_sync(wanted()))).action, Action::Noop);
    let mut reordered = wanted();
    let statements = reordered["Statement"].as_array_mut().expect("statements");
    statements.reverse();
    // One value instead of a one-element list, a principal spelled as a list.
    statements[1]["Resource"] = json!([statements[1]["Resource"].clone()]);
    statements[0]["Principal"] = json!({"Service": ["cloudtrail.amazonaws.com"]});
    let plan = plan_for(Some(&in_sync(reordered)));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn the_policy_holds_the_tls_denial_and_the_trails_statements() {
    let policy = wanted();
    assert!(super::super::policy::denies_insecure_transport(Some(
        &policy
    )));
    let text = policy.to_string();
    assert!(text.contains("arn:aws:cloudtrail:eu-central-1:123456789012:trail/afu9-audit-trail"));
    assert!(text.contains("s3:GetBucketAcl") && text.contains("aws:SourceAccount"));
}

#[test]
fn each_drift_is_named_and_fixed_by_its_call() {
    let mut have = in_sync(json!({"Version": "2012-10-17", "Statement": []}));
    let bucket = have.bucket.as_mut().expect("bucket");
    bucket.block_public_access = Some(PublicAccessBlock {
        block_public_policy: false,
        ..PublicAccessBlock::ALL
    });
    bucket.encryption = Some(None);
    bucket.versioning = Some(false);
    bucket.lifecycle = Some(Vec::new());
    let plan = plan_for(Some(&have));
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "spec.blockPublicAccess",
            "spec.encryption",
            "spec.versioning",
            "spec.lifecycle",
            "spec.policy"
        ]
    );
    let calls: Vec<&str> = plan.ops.iter().map(|op| op.call()).collect();
    assert_eq!(
        calls,
        [
            "PutPublicAccessBlock",
            "PutBucketEncryption",
            "PutBucketVersioning",
            "PutBucketLifecycleConfiguration",
            "PutBucketPolicy"
        ]
    );
}

#[test]
fn a_key_by_arn_is_the_alias_once_resolved() {
    let mut have = in_sync(wanted());
    let bucket = have.bucket.as_mut().expect("bucket");
    if let Some(Some(encryption)) = bucket.encryption.as_mut() {
        encryption.kms_key = Some(KEY_ARN.to_owned());
    }
    have.kms_keys
        .insert("alias/afu9-audit".to_owned(), KEY_ARN.to_owned());
    assert_eq!(plan_for(Some(&have)).action, Action::Noop);
    have.kms_keys.clear();
    assert_eq!(plan_for(Some(&have)).changes[0].path, "spec.encryption");
}

#[test]
fn a_missing_bucket_is_created_with_every_setting() {
    let plan = plan_for(Some(&BucketObserved {
        region: Some("eu-central-1".to_owned()),
        ..BucketObserved::default()
    }));
    assert_eq!(plan.action, Action::Create);
    let calls: Vec<&str> = plan.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls[0], "CreateBucket");
    assert!(calls.contains(&"PutBucketPolicy"));
    // The tags, the ownership tag among them, come with the bucket: no bucket of ours is
    // ever without them.
    assert!(!calls.contains(&"PutBucketTagging"), "{calls:?}");
    let created = format!("{:?}", plan.ops[0]);
    assert!(
        created.contains(MANAGED_BY_KEY) && created.contains(MANAGED_BY_VALUE),
        "{created}"
    );
}
