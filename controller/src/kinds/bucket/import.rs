//! Importing buckets: every bucket the account lists, with every field the kind manages.
//! The policy's statements beyond the TLS-only one are kept as `additionalStatements`: the
//! delivery statements the writers' manifests generate are the same in meaning and are not
//! repeated when the bucket is planned alongside them.

use afu9_spec::bucket::{
    AccessLogging, BucketEncryption, BucketSpec, Lifecycle, ObjectOwnership, PublicAccessBlock,
};
use serde_json::Value;

use super::{BucketObserved, Buckets, LiveBucket, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};
use crate::permissions::{ArnScope, Grant};

impl Imports for Buckets {
    const FILE: &'static str = "buckets.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, BucketSpec> {
        Box::pin(async move {
            Ok(observe::list_buckets(aws)
                .await?
                .iter()
                .map(|name| (name.clone(), probe()))
                .collect())
        })
    }

    fn import(_cx: ImportContext<'_>, _name: &str, have: &BucketObserved) -> BucketSpec {
        have.bucket.as_ref().map(import).unwrap_or_default()
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

/// A manifest that makes `observe` read every setting.
fn probe() -> BucketSpec {
    BucketSpec {
        block_public_access: Some(PublicAccessBlock::ALL),
        encryption: Some(BucketEncryption::SseS3),
        versioning: Some(true),
        object_ownership: Some(ObjectOwnership::BucketOwnerEnforced),
        access_logging: Some(AccessLogging {
            bucket: String::new(),
            prefix: String::new(),
        }),
        lifecycle: Some(Lifecycle {
            expire_after_days: 1,
            noncurrent_expire_after_days: None,
        }),
        ..BucketSpec::default()
    }
}

fn import(have: &LiveBucket) -> BucketSpec {
    let encryption = have
        .encryption
        .clone()
        .flatten()
        .and_then(|e| match e.algorithm.as_str() {
            "AES256" => Some(BucketEncryption::SseS3),
            "aws:kms" => e.kms_key.map(|kms_key| BucketEncryption::SseKms {
                kms_key,
                bucket_key: Some(e.bucket_key),
            }),
            _ => None,
        });
    let object_ownership = have
        .object_ownership
        .clone()
        .flatten()
        .and_then(|o| match o.as_str() {
            "BucketOwnerEnforced" => Some(ObjectOwnership::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(ObjectOwnership::BucketOwnerPreferred),
            "ObjectWriter" => Some(ObjectOwnership::ObjectWriter),
            _ => None,
        });
    let lifecycle = match have.lifecycle.as_deref() {
        Some([rule]) if rule.enabled && rule.prefix.as_deref() == Some("") => {
            rule.expire_after_days.map(|days| Lifecycle {
                expire_after_days: days,
                noncurrent_expire_after_days: rule.noncurrent_expire_after_days,
            })
        }
        _ => None,
    };
    BucketSpec {
        block_public_access: have.block_public_access,
        encryption,
        versioning: have.versioning,
        object_ownership,
        access_logging: have
            .access_logging
            .clone()
            .flatten()
            .map(|(bucket, prefix)| AccessLogging { bucket, prefix }),
        lifecycle,
        additional_statements: additional_statements(have.policy.as_ref()),
        guardrail_exceptions: Vec::new(),
        tags: manifest_tags(&have.tags),
    }
}

/// The policy's statements but the TLS-only one (which every bucket's policy holds).
fn additional_statements(policy: Option<&Value>) -> Vec<Value> {
    let statements = match policy.and_then(|p| p.get("Statement")) {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    statements
        .into_iter()
        .filter(|s| {
            !super::policy::denies_insecure_transport(Some(&serde_json::json!({"Statement": [s]})))
        })
        .collect()
}
