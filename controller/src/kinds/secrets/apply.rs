//! Secrets Manager write calls, one `SecretOp` each, all idempotent. None of them carries a
//! value: a secret is created empty and its value is its owner's business.

use afu9_spec::secrets::Schedule;
use afu9_spec::tags::Tags;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::{RotationRulesType, Tag};

use crate::aws::{Aws, AwsError};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One Secrets Manager call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum SecretOp {
    /// Create the secret without a value, with its settings and tags.
    CreateSecret {
        /// Secret name.
        name: String,
        /// Description, if managed.
        description: Option<String>,
        /// KMS key, if managed.
        kms_key: Option<String>,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Change the description and/or KMS key (never the value).
    UpdateSecret {
        /// Secret ARN.
        arn: String,
        /// New description, when it changes.
        description: Option<String>,
        /// New KMS key, when it changes.
        kms_key: Option<String>,
    },
    /// Turn automatic rotation on, or change its Lambda or schedule, without rotating now.
    RotateSecret {
        /// Secret ARN.
        arn: String,
        /// Rotation Lambda ARN.
        lambda: String,
        /// Schedule; `Days` is sent as `AutomaticallyAfterDays`.
        schedule: Schedule,
    },
    /// Rotate now with the configured Lambda (`RotateImmediately`): containment of a
    /// compromised value (`rotation.rotatedAfter`).
    #[strum(serialize = "RotateSecret")]
    RotateSecretNow {
        /// Secret ARN.
        arn: String,
        /// The rotation Lambda's ARN it runs with (sent again when already configured).
        lambda: Option<String>,
        /// The schedule it keeps (sent again when already configured).
        schedule: Option<Schedule>,
    },
    /// Turn automatic rotation off.
    CancelRotateSecret {
        /// Secret ARN.
        arn: String,
    },
    /// Add or overwrite tags.
    TagResource {
        /// Secret ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// Secret ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Cancel a scheduled deletion: the secret (value included) is back as it was.
    RestoreSecret {
        /// Secret ARN.
        arn: String,
    },
    /// Schedule an orphan secret's deletion (pruning): never at once.
    DeleteSecret {
        /// Secret ARN.
        arn: String,
        /// Days until it is deleted; `RestoreSecret` brings it back until then.
        recovery_window_days: i64,
    },
}

impl Operation for SecretOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateSecret { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.secretsmanager()))
    }
}

impl WriteCall for SecretOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateSecret { name, .. } => format!("create secret {name}"),
            Self::UpdateSecret { arn, .. }
            | Self::RotateSecret { arn, .. }
            | Self::CancelRotateSecret { arn }
            | Self::TagResource { arn, .. }
            | Self::UntagResource { arn, .. } => format!("update secret {arn}"),
            Self::RotateSecretNow { arn, .. } => format!("rotate secret {arn} now"),
            Self::DeleteSecret { arn, .. } => format!("schedule the deletion of secret {arn}"),
            Self::RestoreSecret { arn } => format!("restore secret {arn}"),
        }
    }
}

impl SecretOp {
    async fn run(&self, client: &Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateSecret {
                name,
                description,
                kms_key,
                tags,
            } => {
                let result = self.done(
                    client
                        .create_secret()
                        .name(name)
                        .set_description(description.clone())
                        .set_kms_key_id(kms_key.clone())
                        .set_tags(Some(sdk_tags(tags)))
                        .send()
                        .await,
                );
                already_exists_is_done(result)
            }
            Self::UpdateSecret {
                arn,
                description,
                kms_key,
            } => self.done(
                client
                    .update_secret()
                    .secret_id(arn)
                    .set_description(description.clone())
                    .set_kms_key_id(kms_key.clone())
                    .send()
                    .await,
            ),
            Self::RotateSecret {
                arn,
                lambda,
                schedule,
            } => self.done(
                client
                    .rotate_secret()
                    .secret_id(arn)
                    .rotation_lambda_arn(lambda)
                    .rotation_rules(rotation_rules(schedule))
                    .rotate_immediately(false)
                    .send()
                    .await,
            ),
            Self::RotateSecretNow {
                arn,
                lambda,
                schedule,
            } => self.done(
                client
                    .rotate_secret()
                    .secret_id(arn)
                    .set_rotation_lambda_arn(lambda.clone())
                    .set_rotation_rules(schedule.as_ref().map(rotation_rules))
                    .rotate_immediately(true)
                    .send()
                    .await,
            ),
            Self::CancelRotateSecret { arn } => {
                self.done(client.cancel_rotate_secret().secret_id(arn).send().await)
            }
            Self::TagResource { arn, tags } => self.done(
                client
                    .tag_resource()
                    .secret_id(arn)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::UntagResource { arn, keys } => self.done(
                client
                    .untag_resource()
                    .secret_id(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
            Self::RestoreSecret { arn } => {
                self.done(client.restore_secret().secret_id(arn).send().await)
            }
            Self::DeleteSecret {
                arn,
                recovery_window_days,
            } => self.done(
                client
                    .delete_secret()
                    .secret_id(arn)
                    .recovery_window_in_days(*recovery_window_days)
                    .send()
                    .await,
            ),
        }
    }
}

/// A create that finds the secret there is done: the next pass reconciles its settings.
fn already_exists_is_done(result: Result<OpOutcome, AwsError>) -> Result<OpOutcome, AwsError> {
    match result {
        Err(err) if err.is_code("ResourceExistsException") => Ok(OpOutcome::AlreadyDone(
            "the secret already exists; the next pass reconciles its settings".to_owned(),
        )),
        other => other,
    }
}

/// The schedule as Secrets Manager's rotation rules.
fn rotation_rules(schedule: &Schedule) -> RotationRulesType {
    match schedule {
        Schedule::Days(days) => RotationRulesType::builder().automatically_after_days(*days),
        Schedule::Expression(expression) => {
            RotationRulesType::builder().schedule_expression(expression)
        }
    }
    .build()
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect()
}
