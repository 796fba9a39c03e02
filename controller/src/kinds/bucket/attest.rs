//! What a live bucket proves about the logs it keeps, read off S3 whatever the manifest says:
//! public access is blocked at the bucket (S3.8, all four settings), requests without TLS are
//! denied by its policy (S3.5), it keeps versions (S3.14), its server access is logged
//! (S3.9) and new objects are encrypted with a KMS key (S3.17). A bucket that does not exist
//! proves nothing; a field the manifest does not manage is not read, and proves nothing
//! either (its fact fails as unread).

use afu9_spec::Resource;
use afu9_spec::bucket::BucketSpec;
use serde_json::{Value, json};

use super::{BucketObserved, Buckets, LiveBucket};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for Buckets {
    fn facts(_want: &Resource<BucketSpec>, have: &BucketObserved) -> Vec<Fact> {
        let Some(bucket) = &have.bucket else {
            return Vec::new();
        };
        vec![
            public_access(bucket),
            tls_only(bucket),
            versioning(bucket),
            access_logging(bucket),
            kms_encryption(bucket),
        ]
    }
}

fn public_access(bucket: &LiveBucket) -> Fact {
    let block = bucket.block_public_access.as_ref();
    let all = block.is_some_and(|b| {
        b.block_public_acls
            && b.ignore_public_acls
            && b.block_public_policy
            && b.restrict_public_buckets
    });
    Fact::judged(
        "S3.8",
        "blockPublicAccess",
        Some(block.map_or(Value::Null, |b| {
            json!({
                "blockPublicAcls": b.block_public_acls,
                "ignorePublicAcls": b.ignore_public_acls,
                "blockPublicPolicy": b.block_public_policy,
                "restrictPublicBuckets": b.restrict_public_buckets,
            })
        })),
        all,
        (
            "public access is blocked at the bucket (all four settings)",
            "public access is not blocked at the bucket (not all four settings on)",
        ),
    )
}

fn tls_only(bucket: &LiveBucket) -> Fact {
    let denies = bucket
        .policy
        .as_ref()
        .is_some_and(|policy| statements(policy).any(denies_plain_http));
    Fact::judged(
        "S3.5",
        "policy",
        Some(Value::Bool(denies)),
        denies,
        (
            "the policy denies requests without TLS (aws:SecureTransport false)",
            "no statement of the policy denies requests without TLS",
        ),
    )
}

fn versioning(bucket: &LiveBucket) -> Fact {
    Fact::judged(
        "S3.14",
        "versioning",
        bucket.versioning.map(Value::Bool),
        bucket.versioning == Some(true),
        (
            "versioning is enabled: an overwritten or deleted log can be recovered",
            "versioning is not enabled: an overwritten or deleted log is lost",
        ),
    )
}

fn access_logging(bucket: &LiveBucket) -> Fact {
    let target = bucket.access_logging.as_ref();
    Fact::judged(
        "S3.9",
        "accessLogging",
        target.map(|logging| {
            logging.as_ref().map_or(
                Value::Null,
                |(bucket, prefix)| json!({"bucket": bucket, "prefix": prefix}),
            )
        }),
        target.is_some_and(Option::is_some),
        (
            "server access logging is on: every request to the bucket is recorded",
            "server access logging is off (or was not read): requests to the bucket leave no record",
        ),
    )
}

fn kms_encryption(bucket: &LiveBucket) -> Fact {
    let encryption = bucket.encryption.as_ref();
    let kms = encryption
        .and_then(Option::as_ref)
        .is_some_and(|e| e.algorithm.starts_with("aws:kms"));
    Fact::judged(
        "S3.17",
        "encryption",
        encryption.map(|e| {
            e.as_ref().map_or(
                Value::Null,
                |e| json!({"algorithm": e.algorithm, "kmsKey": e.kms_key}),
            )
        }),
        kms,
        (
            "new objects are encrypted with a KMS key",
            "new objects are not encrypted with a KMS key (SSE-S3 or none, or not read)",
        ),
    )
}

/// A policy's statements, one or a list.
fn statements(policy: &Value) -> impl Iterator<Item = &Value> {
    match policy.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
    .into_iter()
}

/// A `Deny` under `Bool` `aws:SecureTransport` `false` (keys in any case, the value a
/// string or a list of one).
fn denies_plain_http(statement: &Value) -> bool {
    let deny = statement.get("Effect").and_then(Value::as_str) == Some("Deny");
    let plain = statement
        .get("Condition")
        .and_then(|c| c.get("Bool"))
        .and_then(Value::as_object)
        .is_some_and(|block| {
            block.iter().any(|(key, value)| {
                key.eq_ignore_ascii_case("aws:SecureTransport")
                    && match value {
                        Value::Array(list) => list.len() == 1 && denies_value(&list[0]),
                        other => denies_value(other),
                    }
            })
        });
    deny && plain
}

fn denies_value(value: &Value) -> bool {
    match value {
        Value::String(s) => s.eq_ignore_ascii_case("false"),
        Value::Bool(b) => !b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_denial_is_found_in_any_of_its_written_forms_and_only_as_a_deny() {
        let deny = |condition: Value| {
            json!({"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                "Resource": "*", "Condition": {"Bool": condition}}]})
        };
        for condition in [
            json!({"aws:SecureTransport": "false"}),
            json!({"AWS:securetransport": ["false"]}),
            json!({"aws:SecureTransport": false}),
        ] {
            assert!(
                statements(&deny(condition.clone())).any(denies_plain_http),
                "{condition}"
            );
        }
        assert!(!statements(&deny(json!({"aws:SecureTransport": "true"}))).any(denies_plain_http));
        let allow = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}});
        assert!(!statements(&allow).any(denies_plain_http));
    }
}
