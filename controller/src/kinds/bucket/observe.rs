//! Reading buckets: one `ListBuckets` for all of them, then per existing bucket the reads of
//! what its manifest manages, at once: `GetBucketPolicy` and `GetBucketTagging` always,
//! `GetPublicAccessBlock`, `GetBucketEncryption`, `GetBucketVersioning`,
//! `GetBucketOwnershipControls`, `GetBucketLogging` and `GetBucketLifecycleConfiguration`
//! when managed; KMS `DescribeKey` only when a wanted alias and the live key differ in text.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::bucket::{BucketEncryption, BucketSpec, PublicAccessBlock};
use afu9_spec::tags::Tags;
use aws_sdk_s3::Client;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;

use super::{BucketObserved, LiveBucket, LiveEncryption, LiveRule};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::refs::kms::resolve_aliases;

/// How many buckets are read at once (each with up to eight reads in flight).
const CONCURRENCY: usize = 8;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<BucketSpec>],
) -> Result<Vec<Option<BucketObserved>>, AwsError> {
    let live = list_buckets(aws).await?;
    let reads = want.iter().map(|resource| async {
        let bucket = if live.contains(resource.name()) {
            Some(Box::pin(read_bucket(aws, &resource.spec, resource.name())).await?)
        } else {
            None
        };
        let kms_keys = match (&resource.spec.encryption, &bucket) {
            (Some(BucketEncryption::SseKms { kms_key, .. }), Some(bucket)) => {
                match bucket.encryption.as_ref().and_then(Option::as_ref) {
                    Some(LiveEncryption {
                        kms_key: Some(live),
                        ..
                    }) if crate::diff::kms::canonical_kms_key(live)
                        != crate::diff::kms::canonical_kms_key(kms_key) =>
                    {
                        resolve_aliases(aws, &[kms_key, live]).await?
                    }
                    _ => BTreeMap::new(),
                }
            }
            _ => BTreeMap::new(),
        };
        Ok(Some(BucketObserved {
            region: aws.region.clone(),
            bucket,
            kms_keys,
        }))
    });
    windowed(reads, CONCURRENCY).await
}

/// The names of every bucket the account has (`ListBuckets`, paginated), listed once per pass
/// for observation, the orphan search and import.
pub(super) async fn list_buckets(aws: &Aws) -> Result<Arc<BTreeSet<String>>, AwsError> {
    aws.listing("S3.ListBuckets", || read_bucket_names(aws.s3()))
        .await
}

async fn read_bucket_names(s3: &Client) -> Result<BTreeSet<String>, AwsError> {
    let mut names = BTreeSet::new();
    let mut token = None;
    loop {
        let page = s3
            .list_buckets()
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk("list buckets", "ListBuckets", &err))?;
        names.extend(page.buckets().iter().filter_map(|b| b.name.clone()));
        token = page.continuation_token.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(names);
        }
    }
}

/// `Ok(None)` when the call answered `absent` (nothing configured), the output otherwise.
fn or_absent<T, E>(
    result: Result<T, SdkError<E, Response>>,
    name: &str,
    call: &'static str,
    absent: &[&str],
) -> Result<Option<T>, AwsError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(err) => {
            let err = AwsError::from_sdk(format!("observe bucket {name}"), call, &err);
            if absent.iter().any(|code| err.is_code(code)) {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

async fn read_bucket(aws: &Aws, spec: &BucketSpec, name: &str) -> Result<LiveBucket, AwsError> {
    let s3 = aws.s3();
    let (
        policy,
        tags,
        block_public_access,
        encryption,
        (versioning, object_ownership),
        access_logging,
        lifecycle,
    ) = futures_util::try_join!(
        read_policy(s3, name),
        read_tags(s3, name),
        read_block(s3, spec, name),
        read_encryption(s3, spec, name),
        read_settings(s3, spec, name),
        read_logging(aws, spec, name),
        read_lifecycle(s3, spec, name),
    )?;
    Ok(LiveBucket {
        block_public_access,
        encryption,
        versioning,
        object_ownership,
        access_logging,
        lifecycle,
        policy,
        tags,
    })
}

/// The bucket policy, decoded; `None` when there is none.
async fn read_policy(s3: &Client, name: &str) -> Result<Option<Value>, AwsError> {
    let output = or_absent(
        s3.get_bucket_policy().bucket(name).send().await,
        name,
        "GetBucketPolicy",
        &["NoSuchBucketPolicy"],
    )?;
    output
        .and_then(|o| o.policy)
        .map(|text| {
            crate::refs::iam::decode(&format!("observe bucket {name}"), "GetBucketPolicy", &text)
        })
        .transpose()
}

/// Every tag of the bucket (none when it has no tag set).
async fn read_tags(s3: &Client, name: &str) -> Result<Tags, AwsError> {
    let output = or_absent(
        s3.get_bucket_tagging().bucket(name).send().await,
        name,
        "GetBucketTagging",
        &["NoSuchTagSet"],
    )?;
    Ok(output
        .map(|o| o.tag_set.into_iter().map(|t| (t.key, t.value)).collect())
        .unwrap_or_default())
}

/// Block Public Access, when the manifest manages it.
async fn read_block(
    s3: &Client,
    spec: &BucketSpec,
    name: &str,
) -> Result<Option<PublicAccessBlock>, AwsError> {
    if spec.block_public_access.is_none() {
        return Ok(None);
    }
    let output = or_absent(
        s3.get_public_access_block().bucket(name).send().await,
        name,
        "GetPublicAccessBlock",
        &["NoSuchPublicAccessBlockConfiguration"],
    )?;
    let config = output.and_then(|o| o.public_access_block_configuration);
    Ok(Some(config.map_or(NONE_BLOCKED, |c| PublicAccessBlock {
        block_public_acls: c.block_public_acls.unwrap_or_default(),
        ignore_public_acls: c.ignore_public_acls.unwrap_or_default(),
        block_public_policy: c.block_public_policy.unwrap_or_default(),
        restrict_public_buckets: c.restrict_public_buckets.unwrap_or_default(),
    })))
}

/// Default encryption, when the manifest manages it.
async fn read_encryption(
    s3: &Client,
    spec: &BucketSpec,
    name: &str,
) -> Result<Option<Option<LiveEncryption>>, AwsError> {
    if spec.encryption.is_none() {
        return Ok(None);
    }
    let output = or_absent(
        s3.get_bucket_encryption().bucket(name).send().await,
        name,
        "GetBucketEncryption",
        &["ServerSideEncryptionConfigurationNotFoundError"],
    )?;
    let rule = output
        .and_then(|o| o.server_side_encryption_configuration)
        .and_then(|c| c.rules.into_iter().next());
    Ok(Some(rule.and_then(|rule| {
        let default = rule.apply_server_side_encryption_by_default?;
        Some(LiveEncryption {
            algorithm: default.sse_algorithm.as_str().to_owned(),
            kms_key: default.kms_master_key_id.filter(|k| !k.is_empty()),
            bucket_key: rule.bucket_key_enabled.unwrap_or_default(),
        })
    })))
}

/// Versioning and object ownership, each when the manifest manages it.
async fn read_settings(
    s3: &Client,
    spec: &BucketSpec,
    name: &str,
) -> Result<(Option<bool>, Option<Option<String>>), AwsError> {
    let versioning = match spec.versioning {
        Some(_) => Some(
            s3.get_bucket_versioning()
                .bucket(name)
                .send()
                .await
                .map_err(|err| {
                    AwsError::from_sdk(
                        format!("observe bucket {name}"),
                        "GetBucketVersioning",
                        &err,
                    )
                })?
                .status
                .is_some_and(|s| s.as_str() == "Enabled"),
        ),
        None => None,
    };
    let object_ownership = match spec.object_ownership {
        Some(_) => Some(
            or_absent(
                s3.get_bucket_ownership_controls().bucket(name).send().await,
                name,
                "GetBucketOwnershipControls",
                &["OwnershipControlsNotFoundError"],
            )?
            .and_then(|o| o.ownership_controls)
            .and_then(|c| c.rules.into_iter().next())
            .map(|rule| rule.object_ownership.as_str().to_owned()),
        ),
        None => None,
    };
    Ok((versioning, object_ownership))
}

/// Server access logging's target, when the manifest manages it (the read the trail
/// delivering here shares).
async fn read_logging(
    aws: &Aws,
    spec: &BucketSpec,
    name: &str,
) -> Result<Option<Option<(String, String)>>, AwsError> {
    if spec.access_logging.is_none() {
        return Ok(None);
    }
    let target = crate::refs::buckets::access_logging(aws, name).await?;
    Ok(Some(target.as_ref().clone()))
}

/// The lifecycle rules, when the manifest manages them.
async fn read_lifecycle(
    s3: &Client,
    spec: &BucketSpec,
    name: &str,
) -> Result<Option<Vec<LiveRule>>, AwsError> {
    if spec.lifecycle.is_none() {
        return Ok(None);
    }
    let output = or_absent(
        s3.get_bucket_lifecycle_configuration()
            .bucket(name)
            .send()
            .await,
        name,
        "GetBucketLifecycleConfiguration",
        &["NoSuchLifecycleConfiguration"],
    )?;
    Ok(Some(
        output
            .and_then(|o| o.rules)
            .unwrap_or_default()
            .iter()
            .map(live_rule)
            .collect(),
    ))
}

/// Block Public Access when a bucket has none configured.
const NONE_BLOCKED: PublicAccessBlock = PublicAccessBlock {
    block_public_acls: false,
    ignore_public_acls: false,
    block_public_policy: false,
    restrict_public_buckets: false,
};

fn live_rule(rule: &aws_sdk_s3::types::LifecycleRule) -> LiveRule {
    let days = |d: Option<i32>| d.and_then(|d| u32::try_from(d).ok());
    #[expect(
        deprecated,
        reason = "a rule written with the old top-level Prefix still applies"
    )]
    let old_prefix = rule.prefix.clone();
    let prefix = match &rule.filter {
        Some(filter) if filter.and.is_some() || filter.tag.is_some() => None,
        Some(filter) => Some(filter.prefix.clone().unwrap_or_default()),
        None => Some(old_prefix.unwrap_or_default()),
    };
    LiveRule {
        id: rule.id.clone().unwrap_or_default(),
        enabled: rule.status.as_str() == "Enabled",
        prefix,
        expire_after_days: days(rule.expiration.as_ref().and_then(|e| e.days)),
        noncurrent_expire_after_days: days(
            rule.noncurrent_version_expiration
                .as_ref()
                .and_then(|e| e.noncurrent_days),
        ),
    }
}
