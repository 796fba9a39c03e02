//! IAM managed-policy write calls, one `PolicyOp` each, all idempotent.

use afu9_spec::tags::Tags;

use crate::aws::{Aws, AwsError};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};
use crate::refs::iam::{GONE, sdk_tags};

/// One IAM managed-policy call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum PolicyOp {
    /// Create the policy with its document and tags.
    CreatePolicy {
        /// Policy name.
        name: String,
        /// Path.
        path: String,
        /// Description.
        description: Option<String>,
        /// Document JSON, as written.
        document: String,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Delete a non-default version to make room (IAM keeps five).
    DeletePolicyVersion {
        /// Policy ARN.
        arn: String,
        /// Version id.
        version: String,
    },
    /// Store the document as the new default version.
    CreatePolicyVersion {
        /// Policy ARN.
        arn: String,
        /// Document JSON, as written.
        document: String,
    },
    /// Add or overwrite tags.
    TagPolicy {
        /// Policy ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagPolicy {
        /// Policy ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Delete an orphan policy, attached nowhere, its other versions deleted (pruning).
    DeletePolicy {
        /// Policy ARN.
        arn: String,
    },
}

impl Operation for PolicyOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreatePolicy { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.iam()))
    }
}

impl WriteCall for PolicyOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreatePolicy { name, .. } => format!("create iam policy {name}"),
            Self::DeletePolicyVersion { arn, .. }
            | Self::CreatePolicyVersion { arn, .. }
            | Self::TagPolicy { arn, .. }
            | Self::UntagPolicy { arn, .. } => format!("update iam policy {arn}"),
            Self::DeletePolicy { arn } => format!("delete iam policy {arn}"),
        }
    }
}

impl PolicyOp {
    async fn run(&self, iam: &aws_sdk_iam::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreatePolicy {
                name,
                path,
                description,
                document,
                tags,
            } => self.done_unless(
                iam.create_policy()
                    .policy_name(name)
                    .path(path)
                    .set_description(description.clone())
                    .policy_document(document)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
                "EntityAlreadyExists",
                "the policy already exists; the next pass reconciles it",
            ),
            Self::DeletePolicyVersion { arn, version } => self.done_unless(
                iam.delete_policy_version()
                    .policy_arn(arn)
                    .version_id(version)
                    .send()
                    .await,
                GONE,
                "already gone",
            ),
            Self::CreatePolicyVersion { arn, document } => self.done(
                iam.create_policy_version()
                    .policy_arn(arn)
                    .policy_document(document)
                    .set_as_default(true)
                    .send()
                    .await,
            ),
            Self::TagPolicy { arn, tags } => self.done(
                iam.tag_policy()
                    .policy_arn(arn)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::UntagPolicy { arn, keys } => self.done(
                iam.untag_policy()
                    .policy_arn(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
            Self::DeletePolicy { arn } => self.done_unless(
                iam.delete_policy().policy_arn(arn).send().await,
                "NoSuchEntity",
                "the policy is already gone",
            ),
        }
    }
}
