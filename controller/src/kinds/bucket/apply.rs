//! S3 write calls, one `BucketOp` each. Every call but the tag merge puts a whole setting,
//! so each is idempotent; `PutBucketTagging` replaces the whole tag set, so the tag merge
//! reads the set first (`GetBucketTagging`) and keeps the tags the plan does not name.

use afu9_spec::bucket::{BucketEncryption, Lifecycle, ObjectOwnership, PublicAccessBlock};
use afu9_spec::tags::Tags;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, BucketLoggingStatus,
    BucketVersioningStatus, CreateBucketConfiguration, ExpirationStatus, LifecycleExpiration,
    LifecycleRule, LifecycleRuleFilter, LoggingEnabled, NoncurrentVersionExpiration,
    OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tag, Tagging, VersioningConfiguration,
};
use aws_smithy_types::error::operation::BuildError;

use crate::aws::{Aws, AwsError, ErrorClass, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// The id of the one lifecycle rule a manifest's `lifecycle` stands for.
pub const LIFECYCLE_RULE: &str = "afu9-expiry";

/// One S3 call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum BucketOp {
    /// Create the bucket, with its object ownership and its tags (the ownership tag among
    /// them: a bucket never exists without it).
    CreateBucket {
        /// Bucket name.
        bucket: String,
        /// The location constraint (none in `us-east-1`).
        region: Option<String>,
        /// Object ownership, if managed.
        ownership: Option<ObjectOwnership>,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Set Block Public Access.
    PutPublicAccessBlock {
        /// Bucket name.
        bucket: String,
        /// The four flags.
        block: PublicAccessBlock,
    },
    /// Set default encryption.
    PutBucketEncryption {
        /// Bucket name.
        bucket: String,
        /// SSE-S3 or SSE-KMS with its key.
        encryption: BucketEncryption,
    },
    /// Turn versioning on (`Enabled`) or suspend it.
    PutBucketVersioning {
        /// Bucket name.
        bucket: String,
        /// On.
        enabled: bool,
    },
    /// Set object ownership.
    PutBucketOwnershipControls {
        /// Bucket name.
        bucket: String,
        /// The setting.
        ownership: ObjectOwnership,
    },
    /// Send server access logs to `target`.
    PutBucketLogging {
        /// Bucket name.
        bucket: String,
        /// The target bucket.
        target: String,
        /// The key prefix.
        prefix: String,
    },
    /// Replace the lifecycle configuration with the one expiry rule.
    PutBucketLifecycleConfiguration {
        /// Bucket name.
        bucket: String,
        /// The expiry.
        lifecycle: Lifecycle,
    },
    /// Replace the bucket policy.
    PutBucketPolicy {
        /// Bucket name.
        bucket: String,
        /// The policy document, as sent.
        document: String,
    },
    /// Set the tags `set` and remove the keys `remove`, keeping every other tag.
    PutBucketTagging {
        /// Bucket name.
        bucket: String,
        /// Tags to add or overwrite.
        set: Tags,
        /// Keys to remove.
        remove: Vec<String>,
    },
    /// Delete an empty orphan bucket (pruning).
    DeleteBucket {
        /// Bucket name.
        bucket: String,
    },
}

impl Operation for BucketOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateBucket { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.s3()))
    }
}

impl WriteCall for BucketOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        let verb = match self {
            Self::CreateBucket { .. } => "create",
            Self::DeleteBucket { .. } => "delete",
            Self::PutBucketTagging { .. } => "tag",
            _ => "update",
        };
        format!("{verb} bucket {}", self.bucket())
    }
}

fn built<T>(op: &BucketOp, result: Result<T, BuildError>) -> Result<T, AwsError> {
    result.map_err(|err| {
        AwsError::new(
            op.subject(),
            op.call(),
            ErrorClass::Terminal,
            err.to_string(),
        )
    })
}

impl BucketOp {
    fn bucket(&self) -> &str {
        match self {
            Self::CreateBucket { bucket, .. }
            | Self::PutPublicAccessBlock { bucket, .. }
            | Self::PutBucketEncryption { bucket, .. }
            | Self::PutBucketVersioning { bucket, .. }
            | Self::PutBucketOwnershipControls { bucket, .. }
            | Self::PutBucketLogging { bucket, .. }
            | Self::PutBucketLifecycleConfiguration { bucket, .. }
            | Self::PutBucketPolicy { bucket, .. }
            | Self::PutBucketTagging { bucket, .. }
            | Self::DeleteBucket { bucket } => bucket,
        }
    }

    async fn run(&self, s3: &Client) -> Result<OpOutcome, AwsError> {
        let bucket = self.bucket();
        match self {
            Self::CreateBucket {
                region,
                ownership,
                tags,
                ..
            } => self.create(s3, region.as_deref(), *ownership, tags).await,
            Self::PutPublicAccessBlock { block, .. } => self.done(
                s3.put_public_access_block()
                    .bucket(bucket)
                    .public_access_block_configuration(
                        PublicAccessBlockConfiguration::builder()
                            .block_public_acls(block.block_public_acls)
                            .ignore_public_acls(block.ignore_public_acls)
                            .block_public_policy(block.block_public_policy)
                            .restrict_public_buckets(block.restrict_public_buckets)
                            .build(),
                    )
                    .send()
                    .await,
            ),
            Self::PutBucketEncryption { encryption, .. } => self.encryption(s3, encryption).await,
            Self::PutBucketVersioning { enabled, .. } => {
                let status = if *enabled {
                    BucketVersioningStatus::Enabled
                } else {
                    BucketVersioningStatus::Suspended
                };
                self.done(
                    s3.put_bucket_versioning()
                        .bucket(bucket)
                        .versioning_configuration(
                            VersioningConfiguration::builder().status(status).build(),
                        )
                        .send()
                        .await,
                )
            }
            Self::PutBucketOwnershipControls { ownership, .. } => {
                self.ownership(s3, *ownership).await
            }
            Self::PutBucketLogging { target, prefix, .. } => self.logging(s3, target, prefix).await,
            Self::PutBucketLifecycleConfiguration { lifecycle, .. } => {
                self.lifecycle(s3, lifecycle).await
            }
            Self::PutBucketPolicy { document, .. } => self.done(
                s3.put_bucket_policy()
                    .bucket(bucket)
                    .policy(document)
                    .send()
                    .await,
            ),
            Self::PutBucketTagging { set, remove, .. } => self.merge_tags(s3, set, remove).await,
            Self::DeleteBucket { .. } => self.done_unless(
                s3.delete_bucket().bucket(bucket).send().await,
                "NoSuchBucket",
                "the bucket is already gone",
            ),
        }
    }

    async fn create(
        &self,
        s3: &Client,
        region: Option<&str>,
        ownership: Option<ObjectOwnership>,
        tags: &Tags,
    ) -> Result<OpOutcome, AwsError> {
        let tags = tags
            .iter()
            .map(|(key, value)| built(self, Tag::builder().key(key).value(value).build()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut request = s3.create_bucket().bucket(self.bucket());
        if region.is_some() || !tags.is_empty() {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .set_location_constraint(region.map(BucketLocationConstraint::from))
                    .set_tags((!tags.is_empty()).then_some(tags))
                    .build(),
            );
        }
        if let Some(ownership) = ownership {
            request = request.object_ownership(ownership.as_str().into());
        }
        self.done_unless(
            request.send().await,
            "BucketAlreadyOwnedByYou",
            "the bucket already exists; the next pass reconciles its settings",
        )
    }

    async fn encryption(
        &self,
        s3: &Client,
        encryption: &BucketEncryption,
    ) -> Result<OpOutcome, AwsError> {
        let bucket = self.bucket();
        let (algorithm, key, bucket_key) = match encryption {
            BucketEncryption::SseS3 => (ServerSideEncryption::Aes256, None, None),
            BucketEncryption::SseKms {
                kms_key,
                bucket_key,
            } => (
                ServerSideEncryption::AwsKms,
                Some(kms_key.clone()),
                *bucket_key,
            ),
        };
        let default = built(
            self,
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(algorithm)
                .set_kms_master_key_id(key)
                .build(),
        )?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(default)
            .set_bucket_key_enabled(bucket_key)
            .build();
        let configuration = built(
            self,
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build(),
        )?;
        self.done(
            s3.put_bucket_encryption()
                .bucket(bucket)
                .server_side_encryption_configuration(configuration)
                .send()
                .await,
        )
    }

    async fn ownership(
        &self,
        s3: &Client,
        ownership: ObjectOwnership,
    ) -> Result<OpOutcome, AwsError> {
        let bucket = self.bucket();
        let rule = built(
            self,
            OwnershipControlsRule::builder()
                .object_ownership(ownership.as_str().into())
                .build(),
        )?;
        let controls = built(self, OwnershipControls::builder().rules(rule).build())?;
        self.done(
            s3.put_bucket_ownership_controls()
                .bucket(bucket)
                .ownership_controls(controls)
                .send()
                .await,
        )
    }

    async fn logging(
        &self,
        s3: &Client,
        target: &str,
        prefix: &str,
    ) -> Result<OpOutcome, AwsError> {
        let bucket = self.bucket();
        let enabled = built(
            self,
            LoggingEnabled::builder()
                .target_bucket(target)
                .target_prefix(prefix)
                .build(),
        )?;
        self.done(
            s3.put_bucket_logging()
                .bucket(bucket)
                .bucket_logging_status(
                    BucketLoggingStatus::builder()
                        .logging_enabled(enabled)
                        .build(),
                )
                .send()
                .await,
        )
    }

    async fn lifecycle(&self, s3: &Client, lifecycle: &Lifecycle) -> Result<OpOutcome, AwsError> {
        let bucket = self.bucket();
        let days = |d: u32| i32::try_from(d).unwrap_or(i32::MAX);
        let rule = built(
            self,
            LifecycleRule::builder()
                .id(LIFECYCLE_RULE)
                .status(ExpirationStatus::Enabled)
                .filter(LifecycleRuleFilter::builder().prefix("").build())
                .expiration(
                    LifecycleExpiration::builder()
                        .days(days(lifecycle.expire_after_days))
                        .build(),
                )
                .set_noncurrent_version_expiration(lifecycle.noncurrent_expire_after_days.map(
                    |d| {
                        NoncurrentVersionExpiration::builder()
                            .noncurrent_days(days(d))
                            .build()
                    },
                ))
                .build(),
        )?;
        let configuration = built(
            self,
            BucketLifecycleConfiguration::builder().rules(rule).build(),
        )?;
        self.done(
            s3.put_bucket_lifecycle_configuration()
                .bucket(bucket)
                .lifecycle_configuration(configuration)
                .send()
                .await,
        )
    }

    async fn merge_tags(
        &self,
        s3: &Client,
        set: &Tags,
        remove: &[String],
    ) -> Result<OpOutcome, AwsError> {
        let bucket = self.bucket();
        let mut tags: Tags = match s3.get_bucket_tagging().bucket(bucket).send().await {
            Ok(output) => output
                .tag_set
                .into_iter()
                .map(|t| (t.key, t.value))
                .collect(),
            Err(err) => {
                let err = AwsError::from_sdk(self.subject(), "GetBucketTagging", &err);
                if !err.is_code("NoSuchTagSet") {
                    return Err(err);
                }
                Tags::new()
            }
        };
        tags.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags.retain(|key, _| !remove.contains(key));
        if tags.is_empty() {
            return self.done(s3.delete_bucket_tagging().bucket(bucket).send().await);
        }
        let tag_set = tags
            .iter()
            .map(|(key, value)| built(self, Tag::builder().key(key).value(value).build()))
            .collect::<Result<Vec<_>, _>>()?;
        let tagging = built(self, Tagging::builder().set_tag_set(Some(tag_set)).build())?;
        self.done(
            s3.put_bucket_tagging()
                .bucket(bucket)
                .tagging(tagging)
                .send()
                .await,
        )
    }
}
