//! The audit and log-delivery buckets and the log groups end to end against the emulator
//! (`Bucket`, `LogGroup`, with the trail that writes to them): created from nothing with the
//! trail after its bucket and group, each drift injected through the SDK named field by field
//! and fixed by one apply, the next plan empty; equivalent rewrites quiet (a bucket policy
//! re-ordered and re-spelled, a key by ARN instead of alias); a pruned bucket that holds
//! objects blocked and kept; the calls of a steady pass counted.

use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan};
use afu9_controller::report::{Status, evaluate, exceptions};
use afu9_e2e::{Emulator, REGION};
use afu9_spec::DesiredState;
use afu9_spec::exceptions::Date;
use afu9_spec::load::load_str;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration, ObjectOwnership,
    OwnershipControls, OwnershipControlsRule, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
    VersioningConfiguration,
};
use serde_json::{Value, json};

const AUDIT: &str = "afu9-audit-logs";
const ACCESS: &str = "afu9-access-logs";
const ALB: &str = "afu9-alb-logs";
const GROUP: &str = "/afu9/cloudtrail";
const TRAIL: &str = "afu9-audit-trail";

const MANIFESTS: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: Posture
metadata: {name: afu9}
spec:
  region: eu-central-1
  s3BlockPublicAccess: {}
  exceptions:
    - control: S3.17
      resources: [{kind: Bucket, name: afu9-alb-logs}, {kind: Bucket, name: afu9-access-logs}]
      reason: ELB and S3 server access logs reach only an SSE-S3 bucket
      owner: afu9-platform
      ticket: AFU9-SEC-14
      expires: 2999-12-31
    - control: S3.9
      resources: [{kind: Bucket, name: afu9-access-logs}]
      reason: the server access log bucket would log into itself
      owner: afu9-platform
      ticket: AFU9-SEC-14
      expires: 2999-12-31
---
apiVersion: posture.afu9.io/v1alpha1
kind: KmsKey
metadata: {name: afu9-logs}
spec:
  description: AFU-9 log groups
  rotation: true
  policy:
    Version: "2012-10-17"
    Statement:
      - {Sid: Account, Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "kms:*", Resource: "*"}
      - {Sid: Logs, Effect: Allow, Principal: {Service: logs.eu-central-1.amazonaws.com}, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*"}
---
apiVersion: posture.afu9.io/v1alpha1
kind: Bucket
metadata: {name: afu9-access-logs}
spec:
  blockPublicAccess: {}
  encryption: {type: SSE-S3}
  versioning: true
  objectOwnership: BucketOwnerEnforced
  lifecycle: {expireAfterDays: 365}
---
apiVersion: posture.afu9.io/v1alpha1
kind: Bucket
metadata: {name: afu9-audit-logs}
spec:
  blockPublicAccess: {}
  encryption: {type: SSE-KMS, kmsKey: alias/afu9-audit}
  versioning: true
  objectOwnership: BucketOwnerEnforced
  accessLogging: {bucket: afu9-access-logs, prefix: audit/}
  lifecycle: {expireAfterDays: 2557, noncurrentExpireAfterDays: 90}
---
apiVersion: posture.afu9.io/v1alpha1
kind: Bucket
metadata: {name: afu9-alb-logs}
spec:
  blockPublicAccess: {}
  encryption: {type: SSE-S3}
  versioning: true
  objectOwnership: BucketOwnerEnforced
  accessLogging: {bucket: afu9-access-logs, prefix: alb/}
  guardrailExceptions:
    - {rule: AFU9-S3-003, reason: "ELB access logs reach only an SSE-S3 bucket; this test has no LoadBalancer manifest to say so"}
---
apiVersion: posture.afu9.io/v1alpha1
kind: LogGroup
metadata: {name: /afu9/cloudtrail}
spec: {retentionDays: 365, kmsKey: alias/afu9-logs}
---
apiVersion: posture.afu9.io/v1alpha1
kind: CloudTrail
metadata: {name: afu9-audit-trail}
spec:
  s3Bucket: afu9-audit-logs
  multiRegion: true
  logFileValidation: true
  kmsKey: alias/afu9-audit
  cloudWatchLogs: {logGroup: /afu9/cloudtrail, role: afu9-cloudtrail-logs}
"#;

fn desired() -> DesiredState {
    load_str(Path::new("buckets.yaml"), MANIFESTS).expect("valid manifests")
}

fn engine() -> Engine {
    Engine::new(afu9_controller::kinds::standard())
}

fn drifted(plan: &Plan) -> Vec<String> {
    plan.resources
        .iter()
        .filter(|r| r.is_drift() || r.action == Action::Error)
        .map(|r| {
            format!(
                "{} {}: {:?} {:?} {:?}",
                r.kind, r.name, r.action, r.reason, r.changes
            )
        })
        .collect()
}

/// The change paths of `kind` `name` in `plan`.
fn paths(plan: &Plan, kind: &str, name: &str) -> Vec<String> {
    let resource = plan
        .resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("{kind} {name} is not in the plan"));
    resource.changes.iter().map(|c| c.path.clone()).collect()
}

/// What the manifests refer to but do not manage: the trail's key (by alias) and its
/// delivery role. Returns the key's ARN.
/// The live facts of bucket `name` in `plan`: (control, holds).
fn facts<'a>(plan: &'a Plan, name: &str) -> Vec<(&'a str, bool)> {
    plan.resources
        .iter()
        .find(|r| r.kind == "Bucket" && r.name == name)
        .map(|r| r.facts.iter().map(|f| (f.control, f.holds)).collect())
        .unwrap_or_default()
}

/// Item 5 (the trail, its buckets, log groups and the account's Block Public Access) judged
/// on `plan` with the Posture's exceptions: its status, and each failing live fact as
/// `Kind name control`, sorted (the drift it also fails on is what `paths` shows).
fn audit_item(state: &DesiredState, plan: &Plan) -> (Status, Vec<String>) {
    let mut report = evaluate(state, plan);
    exceptions::accept(
        &mut report,
        state,
        Date::parse("2026-12-06").expect("a date"),
    );
    let item = report
        .items
        .into_iter()
        .find(|item| item.number == 5)
        .expect("item 5");
    let mut failing: Vec<String> = item
        .evidence
        .iter()
        .filter(|e| e.fails())
        .filter_map(|e| Some(format!("{} {} {}", e.kind, e.name, e.rule.as_deref()?)))
        .collect();
    failing.sort();
    (item.status, failing)
}

async fn seed(emulator: &Emulator) -> String {
    emulator
        .iam()
        .create_role()
        .role_name("afu9-cloudtrail-logs")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .expect("create the delivery role");
    let kms = emulator.kms();
    let key = kms
        .create_key()
        .send()
        .await
        .expect("create a key")
        .key_metadata
        .expect("key metadata");
    kms.create_alias()
        .alias_name("alias/afu9-audit")
        .target_key_id(&key.key_id)
        .send()
        .await
        .expect("create the alias");
    key.arn.expect("key ARN")
}

/// Seeds, applies from nothing, asserts the next plan is empty; returns the audit key ARN.
async fn converged(emulator: &Emulator, aws: &Aws, state: &DesiredState) -> String {
    let key = seed(emulator).await;
    let engine = engine();
    let plan = engine.plan(aws, state).await;
    let created: Vec<String> = plan
        .resources
        .iter()
        .filter(|r| r.action == Action::Create)
        .map(|r| format!("{} {}", r.kind, r.name))
        .collect();
    assert_eq!(
        created,
        [
            "KmsKey afu9-logs",
            "Bucket afu9-access-logs",
            "Bucket afu9-audit-logs",
            "Bucket afu9-alb-logs",
            "LogGroup /afu9/cloudtrail",
            "CloudTrail afu9-audit-trail"
        ],
        "{:?}",
        drifted(&plan)
    );
    let report = engine.apply(aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(aws, state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    key
}

async fn policy(emulator: &Emulator, bucket: &str) -> Value {
    let text = emulator
        .s3()
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .expect("get policy")
        .policy
        .expect("a policy");
    serde_json::from_str(&text).expect("policy JSON")
}

#[tokio::test]
async fn buckets_and_log_groups_are_created_before_the_trail_and_a_steady_pass_is_counted() {
    let emulator = Emulator::start();
    let aws = Aws::from_config(&emulator.sdk_config());
    let state = desired();
    converged(&emulator, &aws, &state).await;

    let trail = emulator
        .cloudtrail()
        .get_trail()
        .name(TRAIL)
        .send()
        .await
        .expect("the trail exists")
        .trail
        .expect("trail");
    assert_eq!(trail.s3_bucket_name.as_deref(), Some(AUDIT));
    let audit = policy(&emulator, AUDIT).await.to_string();
    assert!(audit.contains("aws:SecureTransport"), "{audit}");
    assert!(
        audit.contains(&format!(
            "arn:aws:cloudtrail:{REGION}:123456789012:trail/{TRAIL}"
        )),
        "{audit}"
    );
    let access = policy(&emulator, ACCESS).await.to_string();
    assert!(access.contains("logging.s3.amazonaws.com"), "{access}");
    let logging = emulator
        .s3()
        .get_bucket_logging()
        .bucket(AUDIT)
        .send()
        .await
        .expect("logging")
        .logging_enabled
        .expect("access logging on");
    assert_eq!(logging.target_bucket, ACCESS);
    let group = emulator
        .logs()
        .describe_log_groups()
        .log_group_name_prefix(GROUP)
        .send()
        .await
        .expect("groups")
        .log_groups
        .unwrap_or_default()
        .remove(0);
    assert_eq!(group.retention_in_days, Some(365));
    assert!(
        group
            .kms_key_id
            .is_some_and(|k| k.starts_with("arn:aws:kms:"))
    );

    let counting = Aws::from_config(&emulator.sdk_config());
    let steady = engine().plan(&counting, &state).await;
    assert!(drifted(&steady).is_empty(), "{:?}", drifted(&steady));
    let calls = counting.calls.by_operation();
    let s3: u64 = calls
        .iter()
        .filter(|(call, _)| call.starts_with("S3."))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(calls.get("S3.ListBuckets"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("S3.GetBucketPolicy"), Some(&3), "{calls:?}");
    assert_eq!(
        calls.get("S3.GetBucketLifecycleConfiguration"),
        Some(&2),
        "{calls:?}"
    );
    // One list, then per bucket policy, tags, block, encryption, versioning, ownership
    // (6 × 3), logging (2) and lifecycle (2); the trail's HeadBucket is not asked once it
    // delivers there, and its read of the bucket's logging (CloudTrail.7) is the bucket's.
    assert_eq!(s3, 1 + 6 * 3 + 2 + 2, "{calls:?}");
    // The account's Block Public Access: one read (the account id from the one STS call).
    assert_eq!(
        calls.get("S3 Control.GetPublicAccessBlock"),
        Some(&1),
        "{calls:?}"
    );
    // The KmsKey's own read and the log group's alias (CloudWatch Logs reports the key's
    // ARN); the bucket's and the trail's keys read back as written, so no look-up.
    assert_eq!(calls.get("KMS.DescribeKey"), Some(&2), "{calls:?}");
    let groups = calls
        .get("CloudWatch Logs.DescribeLogGroups")
        .copied()
        .unwrap_or_default();
    // The group's own read, and the trail's look-up of its delivery group.
    assert_eq!(groups, 2, "{calls:?}");
    assert_eq!(
        calls.get("CloudWatch Logs.ListTagsForResource"),
        Some(&1),
        "{calls:?}"
    );
}

/// Every drift the drift test names: the audit bucket unencrypted, public, unversioned, with
/// ACLs on, no access logging, no expiry and no TLS denial; the ALB bucket's access logging
/// off; the trail's group keeping its events a month (its key cannot be taken off in the
/// emulator: `DisassociateKmsKey` fails there; a group without its key is the next test's); the account's
/// Block Public Access letting public policies in.
async fn weaken(emulator: &Emulator, aws: &Aws) {
    let s3 = emulator.s3();
    s3.put_bucket_logging()
        .bucket(AUDIT)
        .bucket_logging_status(aws_sdk_s3::types::BucketLoggingStatus::builder().build())
        .send()
        .await
        .expect("the audit bucket's access logging off");
    let account = aws.identity().await.expect("identity").account.clone();
    aws.s3control()
        .put_public_access_block()
        .account_id(account)
        .public_access_block_configuration(
            aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(false)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .expect("the account lets public policies in");
    s3.delete_bucket_encryption()
        .bucket(AUDIT)
        .send()
        .await
        .expect("unencrypt");
    s3.delete_public_access_block()
        .bucket(AUDIT)
        .send()
        .await
        .expect("no BPA");
    s3.put_bucket_versioning()
        .bucket(AUDIT)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .expect("versioning off");
    s3.put_bucket_ownership_controls()
        .bucket(AUDIT)
        .ownership_controls(
            OwnershipControls::builder()
                .rules(
                    OwnershipControlsRule::builder()
                        .object_ownership(ObjectOwnership::ObjectWriter)
                        .build()
                        .expect("rule"),
                )
                .build()
                .expect("controls"),
        )
        .send()
        .await
        .expect("ACLs on");
    s3.delete_bucket_lifecycle()
        .bucket(AUDIT)
        .send()
        .await
        .expect("no expiry");
    // A policy without the TLS denial (the CloudTrail statements kept).
    let mut weakened = policy(emulator, AUDIT).await;
    weakened["Statement"]
        .as_array_mut()
        .expect("statements")
        .retain(|s| s["Effect"] != "Deny");
    s3.put_bucket_policy()
        .bucket(AUDIT)
        .policy(weakened.to_string())
        .send()
        .await
        .expect("weaken the policy");
    s3.put_bucket_logging()
        .bucket(ALB)
        .bucket_logging_status(aws_sdk_s3::types::BucketLoggingStatus::builder().build())
        .send()
        .await
        .expect("access logging off");
    emulator
        .logs()
        .put_retention_policy()
        .log_group_name(GROUP)
        .retention_in_days(30)
        .send()
        .await
        .expect("a month's retention");
}

#[tokio::test]
async fn each_drift_is_named_field_by_field_and_fixed_by_one_apply() {
    let emulator = Emulator::start();
    let aws = Aws::from_config(&emulator.sdk_config());
    let state = desired();
    converged(&emulator, &aws, &state).await;
    // Converged, the item fails nowhere: the SSE-S3 log buckets and the access-log bucket's
    // own logging are accepted risks (an accepted item, not a passing one).
    assert_eq!(
        audit_item(&state, &engine().plan(&aws, &state).await),
        (Status::Accepted, vec![])
    );
    weaken(&emulator, &aws).await;

    let engine = engine();
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(
        paths(&plan, "Bucket", AUDIT),
        [
            "spec.blockPublicAccess",
            "spec.encryption",
            "spec.versioning",
            "spec.objectOwnership",
            "spec.accessLogging",
            "spec.lifecycle",
            "spec.policy"
        ]
    );
    assert_eq!(paths(&plan, "Bucket", ALB), ["spec.accessLogging"]);
    assert_eq!(paths(&plan, "LogGroup", GROUP), ["spec.retentionDays"]);
    assert_eq!(
        paths(&plan, "Posture", "afu9"),
        [
            "spec.s3BlockPublicAccess.blockPublicPolicy",
            "spec.s3BlockPublicAccess.restrictPublicBuckets"
        ]
    );
    // The live facts the trail item cites fail on the audit bucket, whatever its manifest says.
    assert_eq!(
        facts(&plan, AUDIT),
        [
            ("S3.8", false),
            ("S3.5", false),
            ("S3.14", false),
            ("S3.9", false),
            ("S3.17", false)
        ]
    );
    // The item fails on each resource and control, read off the account.
    let (status, failing) = audit_item(&state, &plan);
    assert_eq!(status, Status::Fail);
    assert_eq!(
        failing,
        [
            "Bucket afu9-alb-logs S3.9",
            "Bucket afu9-audit-logs S3.14",
            "Bucket afu9-audit-logs S3.17",
            "Bucket afu9-audit-logs S3.5",
            "Bucket afu9-audit-logs S3.8",
            "Bucket afu9-audit-logs S3.9",
            "CloudTrail afu9-audit-trail CloudTrail.7",
            "LogGroup /afu9/cloudtrail CloudWatch.16",
            "Posture afu9 S3.1",
        ]
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(&aws, &state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    assert_eq!(
        facts(&again, AUDIT),
        [
            ("S3.8", true),
            ("S3.5", true),
            ("S3.14", true),
            ("S3.9", true),
            ("S3.17", true)
        ]
    );
    assert_eq!(audit_item(&state, &again), (Status::Accepted, vec![]));
    assert!(
        policy(&emulator, AUDIT)
            .await
            .to_string()
            .contains("aws:SecureTransport")
    );
}

#[tokio::test]
async fn equivalent_rewrites_stay_quiet() {
    let emulator = Emulator::start();
    let aws = Aws::from_config(&emulator.sdk_config());
    let state = desired();
    let key_arn = converged(&emulator, &aws, &state).await;
    let s3 = emulator.s3();
    // The policy re-ordered, single values as lists and back, the principal as a list.
    let mut rewritten = policy(&emulator, AUDIT).await;
    let statements = rewritten["Statement"].as_array_mut().expect("statements");
    statements.reverse();
    for statement in statements.iter_mut() {
        if let Some(Value::String(action)) = statement.get("Action").cloned() {
            statement["Action"] = json!([action]);
        }
        if let Some(Value::String(service)) = statement.pointer("/Principal/Service").cloned() {
            statement["Principal"] = json!({"Service": [service]});
        }
    }
    s3.put_bucket_policy()
        .bucket(AUDIT)
        .policy(rewritten.to_string())
        .send()
        .await
        .expect("rewrite the policy");
    // The key by its ARN instead of the manifest's alias.
    s3.put_bucket_encryption()
        .bucket(AUDIT)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::AwsKms)
                                .kms_master_key_id(&key_arn)
                                .build()
                                .expect("default"),
                        )
                        .build(),
                )
                .build()
                .expect("configuration"),
        )
        .send()
        .await
        .expect("the key by ARN");
    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine().plan(&counting, &state).await;
    assert!(drifted(&plan).is_empty(), "{:?}", drifted(&plan));
    // The alias was resolved to tell: one DescribeKey beyond the steady pass's two (the
    // KmsKey's own read, the log group's alias).
    assert_eq!(
        counting.calls.by_operation().get("KMS.DescribeKey"),
        Some(&3)
    );
}

#[tokio::test]
async fn a_log_group_without_its_key_is_named_and_encrypted() {
    let emulator = Emulator::start();
    let aws = Aws::from_config(&emulator.sdk_config());
    let state = desired();
    seed(&emulator).await;
    // The group exists before the manifests, without a key and retention.
    emulator
        .logs()
        .create_log_group()
        .log_group_name(GROUP)
        .tags("managed-by", "afu9-posture")
        .send()
        .await
        .expect("create the group");
    let plan = engine().plan(&aws, &state).await;
    assert_eq!(
        paths(&plan, "LogGroup", GROUP),
        ["spec.retentionDays", "spec.kmsKey"]
    );
    let resource = plan
        .resources
        .iter()
        .find(|r| r.kind == "LogGroup")
        .expect("the group");
    let calls: Vec<&str> = resource.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls, ["PutRetentionPolicy", "AssociateKmsKey"]);
    // Kept forever (CloudWatch.16 holds) but not encrypted with a key.
    let group_facts = |plan: &Plan| -> Vec<(&'static str, bool)> {
        plan.resources
            .iter()
            .find(|r| r.kind == "LogGroup")
            .map(|r| r.facts.iter().map(|f| (f.control, f.holds)).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        group_facts(&plan),
        [("CloudWatch.16", true), ("AFU9.LOGS.1", false)]
    );
    assert!(
        audit_item(&state, &plan)
            .1
            .contains(&"LogGroup /afu9/cloudtrail AFU9.LOGS.1".to_owned())
    );

    // One apply encrypts it (with the key the same apply creates) and the next plan is empty.
    let engine = engine();
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(&aws, &state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    assert_eq!(
        group_facts(&again),
        [("CloudWatch.16", true), ("AFU9.LOGS.1", true)]
    );
    let group = emulator
        .logs()
        .describe_log_groups()
        .log_group_name_prefix(GROUP)
        .send()
        .await
        .expect("groups")
        .log_groups
        .unwrap_or_default()
        .remove(0);
    assert!(
        group
            .kms_key_id
            .is_some_and(|k| k.starts_with("arn:aws:kms:")),
        "the key by ARN, as CloudWatch Logs takes it"
    );
}

#[tokio::test]
async fn a_pruned_bucket_holding_objects_is_blocked_never_deleted() {
    let emulator = Emulator::start();
    let aws = Aws::from_config(&emulator.sdk_config());
    let state = desired();
    converged(&emulator, &aws, &state).await;
    let s3 = emulator.s3();
    for orphan in ["afu9-old-logs", "afu9-empty-logs"] {
        s3.create_bucket()
            .bucket(orphan)
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(REGION))
                    .build(),
            )
            .send()
            .await
            .expect("create an orphan");
        s3.put_bucket_tagging()
            .bucket(orphan)
            .tagging(
                Tagging::builder()
                    .tag_set(
                        Tag::builder()
                            .key("managed-by")
                            .value("afu9-posture")
                            .build()
                            .expect("tag"),
                    )
                    .build()
                    .expect("tagging"),
            )
            .send()
            .await
            .expect("tag the orphan");
    }
    s3.put_object()
        .bucket("afu9-old-logs")
        .key("AWSLogs/evidence.json.gz")
        .body(b"{}".to_vec().into())
        .send()
        .await
        .expect("an object");

    let engine = engine();
    let plan = engine.plan_with_orphans(&aws, &state, true).await;
    let orphan = |name: &str| {
        plan.resources
            .iter()
            .find(|r| r.kind == "Bucket" && r.name == name)
            .unwrap_or_else(|| panic!("{name} is no orphan: {:?}", drifted(&plan)))
    };
    let held = orphan("afu9-old-logs");
    assert_eq!(held.action, Action::Blocked);
    assert!(
        held.reason
            .as_deref()
            .is_some_and(|r| r.contains("holds objects"))
    );
    assert_eq!(orphan("afu9-empty-logs").action, Action::Delete);
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let left: Vec<String> = s3
        .list_buckets()
        .send()
        .await
        .expect("list")
        .buckets()
        .iter()
        .filter_map(|b| b.name.clone())
        .collect();
    assert!(left.contains(&"afu9-old-logs".to_owned()), "{left:?}");
    assert!(!left.contains(&"afu9-empty-logs".to_owned()), "{left:?}");
}
