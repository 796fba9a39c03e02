//! SNS write calls, one `TopicOp` each, all idempotent.

use afu9_spec::tags::Tags;
use aws_sdk_sns::types::Tag;

use crate::aws::{Aws, AwsError, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One SNS call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum TopicOp {
    /// Create the topic with its attributes and tags (`CreateTopic` answers with the
    /// existing topic when one of that name exists).
    CreateTopic {
        /// Topic name.
        name: String,
        /// Attributes (`KmsMasterKeyId`, `DisplayName`).
        attributes: Vec<(&'static str, String)>,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Set one attribute (`""` removes a key: the topic is then unencrypted).
    SetTopicAttributes {
        /// Topic ARN.
        arn: String,
        /// `KmsMasterKeyId` or `DisplayName`.
        attribute: &'static str,
        /// The value.
        value: String,
    },
    /// Add or overwrite tags.
    TagResource {
        /// Topic ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// Topic ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Delete an orphan topic and its subscriptions (pruning).
    DeleteTopic {
        /// Topic ARN.
        arn: String,
    },
}

impl Operation for TopicOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateTopic { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.sns()))
    }
}

impl WriteCall for TopicOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateTopic { name, .. } => format!("create sns topic {name}"),
            Self::SetTopicAttributes { arn, .. } => format!("update sns topic {arn}"),
            Self::TagResource { arn, .. } | Self::UntagResource { arn, .. } => {
                format!("tag sns topic {arn}")
            }
            Self::DeleteTopic { arn } => format!("delete sns topic {arn}"),
        }
    }
}

impl TopicOp {
    async fn run(&self, sns: &aws_sdk_sns::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateTopic {
                name,
                attributes,
                tags,
            } => {
                let mut request = sns.create_topic().name(name).set_tags(Some(sdk_tags(tags)));
                for (key, value) in attributes {
                    request = request.attributes(*key, value);
                }
                self.done(request.send().await)
            }
            Self::SetTopicAttributes {
                arn,
                attribute,
                value,
            } => self.done(
                sns.set_topic_attributes()
                    .topic_arn(arn)
                    .attribute_name(*attribute)
                    .attribute_value(value)
                    .send()
                    .await,
            ),
            Self::TagResource { arn, tags } => self.done(
                sns.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::UntagResource { arn, keys } => self.done(
                sns.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
            Self::DeleteTopic { arn } => self.done(sns.delete_topic().topic_arn(arn).send().await),
        }
    }
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(key, value)| Tag::builder().key(key).value(value).build().ok())
        .collect()
}
