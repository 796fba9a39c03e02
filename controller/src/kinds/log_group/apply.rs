//! CloudWatch Logs write calls, one `LogGroupOp` each, all idempotent.

use afu9_spec::tags::Tags;

use crate::aws::{Aws, AwsError, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One CloudWatch Logs call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum LogGroupOp {
    /// Create the group with its key and tags.
    CreateLogGroup {
        /// Group name.
        name: String,
        /// The KMS key, if managed.
        kms_key: Option<String>,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Set retention.
    PutRetentionPolicy {
        /// Group name.
        name: String,
        /// Days.
        days: u32,
    },
    /// Encrypt the group's new events with a key.
    AssociateKmsKey {
        /// Group name.
        name: String,
        /// The key (CloudWatch Logs takes its ARN; an alias is resolved first).
        kms_key: String,
    },
    /// Add or overwrite tags.
    TagResource {
        /// Group ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// Group ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Operation for LogGroupOp {
    /// A group created with a key converges: its creating call names the key, which a
    /// `KmsKey` manifest may create in the same apply (the group waits for it; CloudWatch
    /// Logs has no other way to set a key at creation, and the emulator no `AssociateKmsKey`).
    fn phase(&self) -> Phase {
        match self {
            Self::CreateLogGroup { kms_key: None, .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws))
    }
}

impl WriteCall for LogGroupOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateLogGroup { name, .. }
            | Self::PutRetentionPolicy { name, .. }
            | Self::AssociateKmsKey { name, .. } => format!("update log group {name}"),
            Self::TagResource { arn, .. } | Self::UntagResource { arn, .. } => {
                format!("tag log group {arn}")
            }
        }
    }
}

impl LogGroupOp {
    async fn run(&self, aws: &Aws) -> Result<OpOutcome, AwsError> {
        let logs = aws.logs();
        match self {
            Self::CreateLogGroup {
                name,
                kms_key,
                tags,
            } => {
                let key = match kms_key {
                    Some(key) => Some(self.key_arn(aws, key).await?),
                    None => None,
                };
                self.done_unless(
                    logs.create_log_group()
                        .log_group_name(name)
                        .set_kms_key_id(key)
                        .set_tags(Some(tags.clone().into_iter().collect()))
                        .send()
                        .await,
                    "ResourceAlreadyExistsException",
                    "the log group already exists; the next pass reconciles its settings",
                )
            }
            Self::PutRetentionPolicy { name, days } => self.done(
                logs.put_retention_policy()
                    .log_group_name(name)
                    .retention_in_days(i32::try_from(*days).unwrap_or(i32::MAX))
                    .send()
                    .await,
            ),
            Self::AssociateKmsKey { name, kms_key } => {
                let key = self.key_arn(aws, kms_key).await?;
                self.done(
                    logs.associate_kms_key()
                        .log_group_name(name)
                        .kms_key_id(key)
                        .send()
                        .await,
                )
            }
            Self::TagResource { arn, tags } => self.done(
                logs.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(tags.clone().into_iter().collect()))
                    .send()
                    .await,
            ),
            Self::UntagResource { arn, keys } => self.done(
                logs.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
        }
    }

    /// CloudWatch Logs takes a key ARN only: an alias is resolved (`DescribeKey`) when the
    /// call runs, as the key a manifest creates in the same apply has no ARN at plan time.
    async fn key_arn(&self, aws: &Aws, key: &str) -> Result<String, AwsError> {
        if !crate::diff::kms::is_alias(key) {
            return Ok(key.to_owned());
        }
        let resolved = crate::refs::kms::resolve_aliases(aws, &[key]).await?;
        resolved.get(key).cloned().ok_or_else(|| {
            AwsError::new(
                self.subject(),
                "DescribeKey",
                crate::aws::ErrorClass::Terminal,
                format!("the key {key} does not exist"),
            )
        })
    }
}
