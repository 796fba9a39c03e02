//! ECR write calls, one `EcrOp` each, all idempotent.

use afu9_spec::ecr::{Encryption, TagMutability};
use afu9_spec::tags::Tags;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability, Tag,
};

use crate::aws::{Aws, AwsError};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One ECR call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum EcrOp {
    /// Create a repository with its settings and tags in one call.
    CreateRepository {
        /// Repository name.
        name: String,
        /// Scan on push, if managed.
        scan_on_push: Option<bool>,
        /// Tag mutability, if managed.
        tag_mutability: Option<TagMutability>,
        /// Encryption, if managed (ECR defaults to AES256).
        encryption: Option<Encryption>,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Turn scan on push on or off.
    PutImageScanningConfiguration {
        /// Repository name.
        name: String,
        /// Wanted setting.
        scan_on_push: bool,
    },
    /// Set tag mutability.
    PutImageTagMutability {
        /// Repository name.
        name: String,
        /// Wanted setting.
        mutability: TagMutability,
    },
    /// Replace the lifecycle policy.
    PutLifecyclePolicy {
        /// Repository name.
        name: String,
        /// The policy document, as sent.
        text: String,
    },
    /// Add or overwrite tags.
    TagResource {
        /// Repository ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// Repository ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Delete an orphan repository (pruning).
    DeleteRepository {
        /// Repository name.
        name: String,
        /// Delete its images with it.
        force: bool,
    },
}

impl Operation for EcrOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateRepository { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.ecr()))
    }
}

impl WriteCall for EcrOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateRepository { name, .. }
            | Self::PutImageScanningConfiguration { name, .. }
            | Self::PutImageTagMutability { name, .. }
            | Self::PutLifecyclePolicy { name, .. } => format!("update ecr repository {name}"),
            Self::TagResource { arn, .. } | Self::UntagResource { arn, .. } => {
                format!("tag ecr repository {arn}")
            }
            Self::DeleteRepository { name, .. } => format!("delete ecr repository {name}"),
        }
    }
}

impl EcrOp {
    async fn run(&self, ecr: &aws_sdk_ecr::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateRepository {
                name,
                scan_on_push,
                tag_mutability,
                encryption,
                tags,
            } => {
                let mut request = ecr
                    .create_repository()
                    .repository_name(name)
                    .set_tags(Some(sdk_tags(tags)));
                if let Some(scan) = scan_on_push {
                    request = request.image_scanning_configuration(
                        ImageScanningConfiguration::builder()
                            .scan_on_push(*scan)
                            .build(),
                    );
                }
                if let Some(mutability) = tag_mutability {
                    request =
                        request.image_tag_mutability(ImageTagMutability::from(mutability.as_str()));
                }
                if let Some(encryption) = encryption {
                    request = request.encryption_configuration(sdk_encryption(encryption));
                }
                self.done_unless(
                    request.send().await,
                    "RepositoryAlreadyExistsException",
                    "the repository already exists; the next pass reconciles its settings",
                )
            }
            Self::PutImageScanningConfiguration { name, scan_on_push } => self.done(
                ecr.put_image_scanning_configuration()
                    .repository_name(name)
                    .image_scanning_configuration(
                        ImageScanningConfiguration::builder()
                            .scan_on_push(*scan_on_push)
                            .build(),
                    )
                    .send()
                    .await,
            ),
            Self::PutImageTagMutability { name, mutability } => self.done(
                ecr.put_image_tag_mutability()
                    .repository_name(name)
                    .image_tag_mutability(ImageTagMutability::from(mutability.as_str()))
                    .send()
                    .await,
            ),
            Self::PutLifecyclePolicy { name, text } => self.done(
                ecr.put_lifecycle_policy()
                    .repository_name(name)
                    .lifecycle_policy_text(text)
                    .send()
                    .await,
            ),
            Self::TagResource { arn, tags } => self.done(
                ecr.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::UntagResource { arn, keys } => self.done(
                ecr.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
            Self::DeleteRepository { name, force } => self.done_unless(
                ecr.delete_repository()
                    .repository_name(name)
                    .force(*force)
                    .send()
                    .await,
                "RepositoryNotFoundException",
                "the repository is already gone",
            ),
        }
    }
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(key, value)| Tag::builder().key(key).value(value).build().ok())
        .collect()
}

fn sdk_encryption(encryption: &Encryption) -> EncryptionConfiguration {
    let (kind, key) = match encryption {
        Encryption::Aes256 => (EncryptionType::Aes256, None),
        Encryption::Kms { kms_key } => (EncryptionType::Kms, kms_key.clone()),
    };
    EncryptionConfiguration::builder()
        .encryption_type(kind)
        .set_kms_key(key)
        .build()
        .expect("the encryption type, the one required field, is set")
}
