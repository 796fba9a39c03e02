//! KMS write calls, one `KeyOp` each. None deletes, disables or schedules the deletion of a
//! key.

use std::sync::{Arc, OnceLock};

use afu9_spec::tags::Tags;
use aws_sdk_kms::types::Tag;

use super::KeyRef;
use crate::aws::{Aws, AwsError, ErrorClass};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One KMS call with its arguments fixed at plan time.
#[derive(Debug, Clone, strum::IntoStaticStr)]
pub enum KeyOp {
    /// Create a symmetric encryption key with its description, policy and tags; its id goes
    /// into `created` for the calls after it.
    CreateKey {
        /// The alias it will get (for messages).
        alias: String,
        /// The description, if managed.
        description: Option<String>,
        /// The key policy text, if managed (KMS's default policy otherwise).
        policy: Option<String>,
        /// Every tag, the ownership tag and the manifest tag (`afu9-posture/manifest`:
        /// the manifest's name, which finds the key again if the alias never comes) included.
        tags: Tags,
        /// Where the new key's id goes.
        created: Arc<OnceLock<String>>,
    },
    /// Point the alias at the key.
    CreateAlias {
        /// `alias/…`
        alias: String,
        /// The key.
        key: KeyRef,
    },
    /// Turn automatic rotation on.
    EnableKeyRotation {
        /// The key.
        key: KeyRef,
    },
    /// Turn automatic rotation off (never planned while the KMS.4 guardrail holds).
    DisableKeyRotation {
        /// The key.
        key: KeyRef,
    },
    /// Set the description.
    UpdateKeyDescription {
        /// The key.
        key: KeyRef,
        /// Wanted description.
        description: String,
    },
    /// Replace the key policy (`default`, the only policy name KMS has).
    PutKeyPolicy {
        /// The key.
        key: KeyRef,
        /// The policy text, as sent.
        policy: String,
    },
    /// Add or overwrite tags.
    TagResource {
        /// The key id.
        key_id: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// The key id.
        key_id: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Operation for KeyOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateKey { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.kms()))
    }
}

impl WriteCall for KeyOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateKey { alias, .. } | Self::CreateAlias { alias, .. } => {
                format!("create kms key {alias}")
            }
            Self::EnableKeyRotation { key }
            | Self::DisableKeyRotation { key }
            | Self::UpdateKeyDescription { key, .. }
            | Self::PutKeyPolicy { key, .. } => format!("update kms key {key}"),
            Self::TagResource { key_id, .. } | Self::UntagResource { key_id, .. } => {
                format!("tag kms key {key_id}")
            }
        }
    }
}

impl KeyOp {
    /// The id of `key`, or the error of a call whose key was never created.
    fn key_id<'k>(&self, key: &'k KeyRef) -> Result<&'k str, AwsError> {
        key.id().ok_or_else(|| {
            self.failure(
                ErrorClass::Terminal,
                "the key was not created (its CreateKey did not succeed)",
            )
        })
    }

    async fn run(&self, kms: &aws_sdk_kms::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateKey {
                description,
                policy,
                tags,
                created,
                ..
            } => {
                let output = kms
                    .create_key()
                    .set_description(description.clone())
                    .set_policy(policy.clone())
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await
                    .map_err(|err| self.error(&err))?;
                let id = output
                    .key_metadata
                    .map(|metadata| metadata.key_id)
                    .ok_or_else(|| {
                        self.failure(ErrorClass::Terminal, "KMS answered without the key's id")
                    })?;
                created.get_or_init(|| id);
                Ok(OpOutcome::Done)
            }
            Self::CreateAlias { alias, key } => self.done_unless(
                kms.create_alias()
                    .alias_name(alias)
                    .target_key_id(self.key_id(key)?)
                    .send()
                    .await,
                "AlreadyExistsException",
                "the alias already exists; the next pass reads the key it points to",
            ),
            Self::EnableKeyRotation { key } => self.done(
                kms.enable_key_rotation()
                    .key_id(self.key_id(key)?)
                    .send()
                    .await,
            ),
            Self::DisableKeyRotation { key } => self.done(
                kms.disable_key_rotation()
                    .key_id(self.key_id(key)?)
                    .send()
                    .await,
            ),
            Self::UpdateKeyDescription { key, description } => self.done(
                kms.update_key_description()
                    .key_id(self.key_id(key)?)
                    .description(description)
                    .send()
                    .await,
            ),
            Self::PutKeyPolicy { key, policy } => self.done(
                kms.put_key_policy()
                    .key_id(self.key_id(key)?)
                    .policy_name("default")
                    .policy(policy)
                    .send()
                    .await,
            ),
            Self::TagResource { key_id, tags } => self.done(
                kms.tag_resource()
                    .key_id(key_id)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::UntagResource { key_id, keys } => self.done(
                kms.untag_resource()
                    .key_id(key_id)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
        }
    }
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(key, value)| Tag::builder().tag_key(key).tag_value(value).build().ok())
        .collect()
}
