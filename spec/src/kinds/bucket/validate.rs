//! Rules for `Bucket` manifests: the guardrails of Security Hub's S3 controls, each of which a bucket may break only with
//! a named exception, and what the delivering services require (ELB access logs and S3
//! server access logs only reach an SSE-S3 bucket).

use std::collections::BTreeSet;

use super::{BucketEncryption, BucketSpec, ObjectOwnership, PublicAccessBlock};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: not all four Block Public Access flags on (Security Hub S3.8).
pub const NO_BLOCK_PUBLIC_ACCESS: &str = "AFU9-S3-002";
/// Guardrail: no default encryption with a KMS key (S3.17).
pub const NO_ENCRYPTION: &str = "AFU9-S3-003";
/// A bucket that ELB access logs or S3 server access logs go to is encrypted with KMS.
pub const KMS_FOR_A_LOG_TARGET: &str = "AFU9-S3-004";
/// Guardrail: versioning not on (S3.14).
pub const NO_VERSIONING: &str = "AFU9-S3-005";
/// Guardrail: ACLs not turned off (`objectOwnership: BucketOwnerEnforced`, S3.12).
pub const OWNERSHIP: &str = "AFU9-S3-006";
/// Guardrail: a trail's bucket without server access logging (CloudTrail.7, S3.9).
pub const NO_ACCESS_LOGGING: &str = "AFU9-S3-010";

/// The guardrails, their Security Hub control and what breaking them means.
const GUARDRAILS: &[(&str, &str, &str)] = &[
    (
        NO_BLOCK_PUBLIC_ACCESS,
        "S3.8",
        "not every Block Public Access flag is on",
    ),
    (
        NO_ENCRYPTION,
        "S3.17",
        "new objects are not encrypted with a KMS key",
    ),
    (NO_VERSIONING, "S3.14", "versioning is not on"),
    (
        OWNERSHIP,
        "S3.12",
        "ACLs are not off (objectOwnership: BucketOwnerEnforced)",
    ),
    (
        NO_ACCESS_LOGGING,
        "CloudTrail.7",
        "a trail's bucket has no server access logging",
    ),
];

impl Validate for BucketSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for bucket in &state.buckets {
            check(state, bucket, errors);
            check_tags(&bucket.source, &bucket.spec.tags, errors);
        }
    }
}

/// Which services deliver logs to `bucket` and can only write to an SSE-S3 bucket: the
/// manifests that say so, by kind and name.
pub fn sse_s3_writers(state: &DesiredState, bucket: &str) -> Vec<String> {
    let balancers = state
        .load_balancers
        .iter()
        .filter(|lb| {
            lb.spec
                .access_logs
                .as_ref()
                .is_some_and(|l| l.bucket == bucket)
        })
        .map(|lb| format!("LoadBalancer {} (access logs)", lb.name()));
    let buckets = state
        .buckets
        .iter()
        .filter(|b| {
            b.spec
                .access_logging
                .as_ref()
                .is_some_and(|l| l.bucket == bucket)
        })
        .map(|b| format!("Bucket {} (server access logs)", b.name()));
    balancers.chain(buckets).collect()
}

/// S3 bucket names: 3-63 lowercase letters, digits, `.` and `-`, starting and ending with a
/// letter or digit.
fn is_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

fn check(state: &DesiredState, bucket: &Resource<BucketSpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(bucket);
    let spec = &bucket.spec;
    if !is_bucket_name(bucket.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-S3-001",
                format!("`{}` is not a valid bucket name", bucket.name()),
            )
            .hint("3-63 lowercase letters, digits, `.` or `-`, starting and ending with a letter or digit"),
        );
    }
    let writers = sse_s3_writers(state, bucket.name());
    if let Some(BucketEncryption::SseKms { kms_key, .. }) = &spec.encryption {
        if kms_key.trim().is_empty() {
            errors.push(error(
                "spec.encryption.kmsKey",
                "AFU9-S3-007",
                "must not be empty".to_owned(),
            ));
        }
        if !writers.is_empty() {
            errors.push(
                error(
                    "spec.encryption",
                    KMS_FOR_A_LOG_TARGET,
                    format!(
                        "{} can only deliver to a bucket encrypted with SSE-S3",
                        writers.join(", ")
                    ),
                )
                .hint("use `encryption: {type: SSE-S3}` for a log-delivery bucket"),
            );
        }
    }
    if let Some(logging) = &spec.access_logging
        && (logging.bucket.trim().is_empty() || logging.bucket == bucket.name())
    {
        errors.push(error(
            "spec.accessLogging.bucket",
            "AFU9-S3-011",
            "access logs go to another bucket, never to the bucket itself".to_owned(),
        ));
    }
    if let Some(lifecycle) = spec.lifecycle
        && (lifecycle.expire_after_days == 0 || lifecycle.noncurrent_expire_after_days == Some(0))
    {
        errors.push(error(
            "spec.lifecycle",
            "AFU9-S3-008",
            "expiry is at least one day".to_owned(),
        ));
    }
    for (index, statement) in spec.additional_statements.iter().enumerate() {
        if !statement.is_object() || statement.get("Effect").is_none() {
            errors.push(error(
                &format!("spec.additionalStatements[{index}]"),
                "AFU9-S3-012",
                "a statement is an object with an Effect".to_owned(),
            ));
        }
    }
    check_guardrails(state, bucket, &writers, errors);
}

fn check_guardrails(
    state: &DesiredState,
    bucket: &Resource<BucketSpec>,
    writers: &[String],
    errors: &mut Vec<ManifestError>,
) {
    let error = rule_error(bucket);
    let spec = &bucket.spec;
    let excepted = excepted(bucket, errors);
    let trail_bucket = state
        .cloud_trails
        .iter()
        .any(|t| t.spec.s3_bucket == bucket.name());
    let broken = [
        (
            NO_BLOCK_PUBLIC_ACCESS,
            "spec.blockPublicAccess",
            !spec.block_public_access.is_some_and(PublicAccessBlock::all),
        ),
        (
            NO_ENCRYPTION,
            "spec.encryption",
            match spec.encryption {
                None => true,
                Some(BucketEncryption::SseS3) => writers.is_empty(),
                Some(BucketEncryption::SseKms { .. }) => false,
            },
        ),
        (
            NO_VERSIONING,
            "spec.versioning",
            spec.versioning != Some(true),
        ),
        (
            OWNERSHIP,
            "spec.objectOwnership",
            spec.object_ownership != Some(ObjectOwnership::BucketOwnerEnforced),
        ),
        (
            NO_ACCESS_LOGGING,
            "spec.accessLogging",
            trail_bucket && spec.access_logging.is_none(),
        ),
    ];
    for (rule, field, is_broken) in broken {
        if !is_broken || excepted.contains(rule) {
            continue;
        }
        let (_, control, what) = GUARDRAILS
            .iter()
            .find(|(id, ..)| *id == rule)
            .expect("every guardrail is listed");
        errors.push(
            error(field, rule, format!("{what}; Security Hub {control}")).hint(format!(
                "if this is intended, add guardrailExceptions: [{{rule: {rule}, reason: ...}}]"
            )),
        );
    }
}

/// The guardrails the bucket's exceptions lift; an exception naming no bucket guardrail, or
/// without a reason, is an error.
fn excepted<'a>(
    bucket: &'a Resource<BucketSpec>,
    errors: &mut Vec<ManifestError>,
) -> BTreeSet<&'a str> {
    let error = rule_error(bucket);
    let mut excepted = BTreeSet::new();
    for (index, exception) in bucket.spec.guardrail_exceptions.iter().enumerate() {
        let known = GUARDRAILS.iter().any(|(rule, ..)| *rule == exception.rule);
        if known && !exception.reason.trim().is_empty() {
            excepted.insert(exception.rule.as_str());
        } else {
            errors.push(
                error(
                    &format!("spec.guardrailExceptions[{index}]"),
                    "AFU9-S3-009",
                    "an exception names a bucket guardrail and gives a reason".to_owned(),
                )
                .hint(format!(
                    "the bucket guardrails are {}",
                    GUARDRAILS
                        .iter()
                        .map(|(rule, ..)| *rule)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    excepted
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::load_str;

    const GOOD: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: Bucket\nmetadata: {name: afu9-audit-logs}\nspec:\n  blockPublicAccess: {}\n  encryption: {type: SSE-KMS, kmsKey: alias/afu9-audit}\n  versioning: true\n  objectOwnership: BucketOwnerEnforced\n";

    fn rules_fired(yaml: &str) -> Vec<&'static str> {
        match load_str(Path::new("t.yaml"), yaml) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.0.iter().map(|e| e.rule).collect(),
        }
    }

    #[test]
    fn a_protected_bucket_passes_and_each_guardrail_fires() {
        assert!(rules_fired(GOOD).is_empty(), "{:?}", rules_fired(GOOD));
        let bare =
            "apiVersion: posture.afu9.io/v1alpha1\nkind: Bucket\nmetadata: {name: b-1}\nspec: {}\n";
        assert_eq!(
            rules_fired(bare),
            ["AFU9-S3-002", "AFU9-S3-003", "AFU9-S3-005", "AFU9-S3-006"]
        );
        let open = GOOD.replace(
            "blockPublicAccess: {}",
            "blockPublicAccess: {blockPublicPolicy: false}",
        );
        assert_eq!(rules_fired(&open), ["AFU9-S3-002"]);
    }

    #[test]
    fn log_delivery_buckets_take_sse_s3_and_only_they() {
        let lb = "---\napiVersion: posture.afu9.io/v1alpha1\nkind: LoadBalancer\nmetadata: {name: afu9-alb}\nspec: {accessLogs: {bucket: afu9-audit-logs}}\n";
        assert!(rules_fired(&format!("{GOOD}{lb}")).contains(&"AFU9-S3-004"));
        let sse_s3 = GOOD.replace(
            "{type: SSE-KMS, kmsKey: alias/afu9-audit}",
            "{type: SSE-S3}",
        );
        assert_eq!(rules_fired(&sse_s3), ["AFU9-S3-003"]);
        assert!(rules_fired(&format!("{sse_s3}{lb}")).is_empty());
    }

    #[test]
    fn bucket_names() {
        for good in ["afu9-audit-logs", "a.b-c", "abc"] {
            assert!(super::is_bucket_name(good), "{good}");
        }
        for bad in ["ab", "-abc", "Abc", "a_b_c"] {
            assert!(!super::is_bucket_name(bad), "{bad}");
        }
    }
}
