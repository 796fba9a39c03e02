//! The pure part of the bucket kind: compare a manifest with a live bucket, field by field,
//! and the calls that converge it.

use afu9_spec::Resource;
use afu9_spec::bucket::{BucketEncryption, BucketSpec, Lifecycle, PublicAccessBlock};
use serde_json::{Value, json};

use super::apply::BucketOp;
use super::policy::wanted_policy;
use super::{BucketObserved, LiveBucket, LiveEncryption, LiveRule};
use crate::diff::compare_field;
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};
use crate::refs::iam::document_change;
use crate::refs::kms::same_key;

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<BucketSpec>,
    have: Option<&BucketObserved>,
) -> Delta {
    let observed = have.cloned().unwrap_or_default();
    let region = observed
        .region
        .clone()
        .or_else(|| cx.state.posture.region.clone())
        .unwrap_or_else(|| "us-east-1".to_owned());
    let policy = wanted_policy(cx, want, &region);
    match &observed.bucket {
        None => plan_create(cx, want, &region, &policy),
        Some(bucket) => plan_update(want, &observed, bucket, &policy),
    }
}

fn plan_create(
    cx: &PlanContext<'_>,
    want: &Resource<BucketSpec>,
    region: &str,
    policy: &Value,
) -> Delta {
    let spec = &want.spec;
    let name = || want.name().to_owned();
    let mut delta = Delta::missing();
    delta.op(BucketOp::CreateBucket {
        bucket: name(),
        region: (region != "us-east-1").then(|| region.to_owned()),
        ownership: spec.object_ownership,
        tags: cx.state.desired_tags(&spec.tags),
    });
    let empty = LiveBucket {
        block_public_access: spec.block_public_access.map(|_| PublicAccessBlock {
            block_public_acls: false,
            ignore_public_acls: false,
            block_public_policy: false,
            restrict_public_buckets: false,
        }),
        encryption: spec.encryption.as_ref().map(|_| None),
        versioning: spec.versioning.map(|_| false),
        object_ownership: spec.object_ownership.map(|o| Some(o.as_str().to_owned())),
        access_logging: spec.access_logging.as_ref().map(|_| None),
        lifecycle: spec.lifecycle.map(|_| Vec::new()),
        ..LiveBucket::default()
    };
    if let Some(ownership) = spec.object_ownership {
        delta.change(Change::new(
            "spec.objectOwnership",
            None,
            Some(ownership.as_str().into()),
        ));
    }
    converge(want, &BucketObserved::default(), &empty, policy, &mut delta);
    for change in &mut delta.changes {
        change.before = None;
    }
    delta
}

fn plan_update(
    want: &Resource<BucketSpec>,
    observed: &BucketObserved,
    bucket: &LiveBucket,
    policy: &Value,
) -> Delta {
    let mut delta = Delta::exists();
    converge(want, observed, bucket, policy, &mut delta);
    delta
}

/// The changes and calls that take `live` to the manifest, in the order the calls must run:
/// the policy that lets the delivering services in last, after the settings it relies on.
fn converge(
    want: &Resource<BucketSpec>,
    observed: &BucketObserved,
    live: &LiveBucket,
    policy: &Value,
    delta: &mut Delta,
) {
    let spec = &want.spec;
    let bucket = || want.name().to_owned();
    if let (Some(block), Some(have)) = (spec.block_public_access, live.block_public_access)
        && block != have
    {
        delta.change(Change::new(
            "spec.blockPublicAccess",
            Some(block_value(have)),
            Some(block_value(block)),
        ));
        delta.op(BucketOp::PutPublicAccessBlock {
            bucket: bucket(),
            block,
        });
    }
    if let (Some(encryption), Some(have)) = (&spec.encryption, &live.encryption)
        && !same_encryption(encryption, have.as_ref(), observed)
    {
        delta.change(Change::new(
            "spec.encryption",
            Some(have.as_ref().map_or(Value::Null, live_encryption_value)),
            Some(serde_json::to_value(encryption).unwrap_or(Value::Null)),
        ));
        delta.op(BucketOp::PutBucketEncryption {
            bucket: bucket(),
            encryption: encryption.clone(),
        });
    }
    if let Some(have) = live.versioning
        && compare_field(&mut delta.changes, "spec.versioning", spec.versioning, have)
    {
        delta.op(BucketOp::PutBucketVersioning {
            bucket: bucket(),
            enabled: spec.versioning.unwrap_or_default(),
        });
    }
    if let (Some(ownership), Some(have)) = (spec.object_ownership, &live.object_ownership)
        && have.as_deref() != Some(ownership.as_str())
    {
        delta.change(Change::new(
            "spec.objectOwnership",
            Some(have.as_deref().map_or(Value::Null, Value::from)),
            Some(ownership.as_str().into()),
        ));
        delta.op(BucketOp::PutBucketOwnershipControls {
            bucket: bucket(),
            ownership,
        });
    }
    if let (Some(logging), Some(have)) = (&spec.access_logging, &live.access_logging) {
        let wanted = (logging.bucket.clone(), logging.prefix.clone());
        if have.as_ref() != Some(&wanted) {
            let value =
                |(bucket, prefix): &(String, String)| json!({"bucket": bucket, "prefix": prefix});
            delta.change(Change::new(
                "spec.accessLogging",
                Some(have.as_ref().map_or(Value::Null, value)),
                Some(value(&wanted)),
            ));
            delta.op(BucketOp::PutBucketLogging {
                bucket: bucket(),
                target: logging.bucket.clone(),
                prefix: logging.prefix.clone(),
            });
        }
    }
    if let (Some(lifecycle), Some(rules)) = (spec.lifecycle, &live.lifecycle) {
        let have = lifecycle_value(rules);
        let wanted = serde_json::to_value(lifecycle).unwrap_or(Value::Null);
        if have != wanted {
            delta.change(Change::new("spec.lifecycle", Some(have), Some(wanted)));
            delta.op(BucketOp::PutBucketLifecycleConfiguration {
                bucket: bucket(),
                lifecycle,
            });
        }
    }
    if let Some(change) = document_change("spec.policy", live.policy.as_ref(), policy) {
        delta.change(change);
        delta.op(BucketOp::PutBucketPolicy {
            bucket: bucket(),
            document: policy.to_string(),
        });
    }
}

fn block_value(block: PublicAccessBlock) -> Value {
    serde_json::to_value(block).unwrap_or(Value::Null)
}

fn live_encryption_value(live: &LiveEncryption) -> Value {
    match (live.algorithm.as_str(), &live.kms_key) {
        ("AES256", _) => json!({"type": "SSE-S3"}),
        ("aws:kms", Some(key)) => {
            json!({"type": "SSE-KMS", "kmsKey": key, "bucketKey": live.bucket_key})
        }
        (other, _) => json!({"type": other}),
    }
}

fn same_encryption(
    want: &BucketEncryption,
    have: Option<&LiveEncryption>,
    observed: &BucketObserved,
) -> bool {
    let Some(have) = have else { return false };
    match want {
        BucketEncryption::SseS3 => have.algorithm == "AES256",
        BucketEncryption::SseKms {
            kms_key,
            bucket_key,
        } => {
            have.algorithm == "aws:kms"
                && have
                    .kms_key
                    .as_deref()
                    .is_some_and(|live| same_key(kms_key, live, &observed.kms_keys))
                && bucket_key.is_none_or(|b| b == have.bucket_key)
        }
    }
}

/// The live lifecycle as the manifest writes it when it is one enabled whole-bucket rule;
/// otherwise the rules as they are (which no manifest states).
fn lifecycle_value(rules: &[LiveRule]) -> Value {
    match rules {
        [rule] if rule.enabled && rule.prefix.as_deref() == Some("") => {
            match rule.expire_after_days {
                Some(days) => serde_json::to_value(Lifecycle {
                    expire_after_days: days,
                    noncurrent_expire_after_days: rule.noncurrent_expire_after_days,
                })
                .unwrap_or(Value::Null),
                None => json!({"rules": [rule.id]}),
            }
        }
        [] => Value::Null,
        rules => json!({"rules": rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>()}),
    }
}

#[cfg(test)]
mod tests;
