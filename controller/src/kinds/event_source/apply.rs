//! SQS and EventBridge write calls of the event source, one `EventSourceOp` each, all
//! idempotent (`CreateQueue` with the same attributes and `PutRule` answer with what exists).

use std::collections::HashMap;

use afu9_spec::tags::Tags;
use aws_sdk_eventbridge::types::{RuleState, Tag, Target};
use aws_sdk_sqs::types::QueueAttributeName;

use super::TARGET_ID;
use crate::aws::{Aws, AwsError, ErrorClass, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum EventSourceOp {
    /// Create the queue with its attributes and tags.
    CreateQueue {
        /// Queue name.
        name: String,
        /// Every managed attribute.
        attributes: Vec<(String, String)>,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Set the attributes that differ.
    SetQueueAttributes {
        /// Queue URL.
        url: String,
        /// The attributes to set.
        attributes: Vec<(String, String)>,
    },
    /// Add or overwrite the queue's tags.
    TagQueue {
        /// Queue URL.
        url: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove queue tags.
    UntagQueue {
        /// Queue URL.
        url: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Create or update the rule, enabled, with its pattern (and its tags when creating).
    PutRule {
        /// Rule name (on the default bus).
        name: String,
        /// The event pattern, JSON.
        pattern: String,
        /// Tags, when creating.
        tags: Option<Tags>,
    },
    /// Add or overwrite the rule's tags.
    #[strum(serialize = "TagResource")]
    TagRule {
        /// Rule ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Point the rule's target at the queue.
    PutTargets {
        /// Rule name.
        rule: String,
        /// Queue ARN.
        arn: String,
    },
    /// Remove the targets that are not the queue.
    RemoveTargets {
        /// Rule name.
        rule: String,
        /// Target ids.
        ids: Vec<String>,
    },
}

impl Operation for EventSourceOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateQueue { .. } | Self::PutRule { tags: Some(_), .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws))
    }
}

impl WriteCall for EventSourceOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateQueue { name, .. } => format!("create sqs queue {name}"),
            Self::SetQueueAttributes { url, .. } => format!("update sqs queue {url}"),
            Self::TagQueue { url, .. } | Self::UntagQueue { url, .. } => {
                format!("tag sqs queue {url}")
            }
            Self::PutRule { name, .. } => format!("put eventbridge rule {name}"),
            Self::TagRule { arn, .. } => format!("tag eventbridge rule {arn}"),
            Self::PutTargets { rule, .. } | Self::RemoveTargets { rule, .. } => {
                format!("set the targets of eventbridge rule {rule}")
            }
        }
    }
}

impl EventSourceOp {
    async fn run(&self, aws: &Aws) -> Result<OpOutcome, AwsError> {
        let (sqs, events) = (aws.sqs(), aws.eventbridge());
        match self {
            Self::CreateQueue {
                name,
                attributes,
                tags,
            } => self.done(
                sqs.create_queue()
                    .queue_name(name)
                    .set_attributes(Some(sqs_attributes(attributes)))
                    .set_tags(Some(tags.clone().into_iter().collect()))
                    .send()
                    .await,
            ),
            Self::SetQueueAttributes { url, attributes } => self.done(
                sqs.set_queue_attributes()
                    .queue_url(url)
                    .set_attributes(Some(sqs_attributes(attributes)))
                    .send()
                    .await,
            ),
            Self::TagQueue { url, tags } => self.done(
                sqs.tag_queue()
                    .queue_url(url)
                    .set_tags(Some(tags.clone().into_iter().collect()))
                    .send()
                    .await,
            ),
            Self::UntagQueue { url, keys } => self.done(
                sqs.untag_queue()
                    .queue_url(url)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
            Self::PutRule {
                name,
                pattern,
                tags,
            } => self.done(
                events
                    .put_rule()
                    .name(name)
                    .event_pattern(pattern)
                    .state(RuleState::Enabled)
                    .description(
                        "CloudTrail write events for afu9-posture's event-driven reconcile",
                    )
                    .set_tags(tags.as_ref().map(rule_tags))
                    .send()
                    .await,
            ),
            Self::TagRule { arn, tags } => self.done(
                events
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(rule_tags(tags)))
                    .send()
                    .await,
            ),
            Self::PutTargets { rule, arn } => {
                let target = Target::builder()
                    .id(TARGET_ID)
                    .arn(arn)
                    .build()
                    .map_err(|err| self.failure(ErrorClass::Terminal, err.to_string()))?;
                let output = events
                    .put_targets()
                    .rule(rule)
                    .targets(target)
                    .send()
                    .await
                    .map_err(|err| self.error(&err))?;
                match output.failed_entries.unwrap_or_default().first() {
                    Some(failed) => Err(self.failure(
                        ErrorClass::Terminal,
                        failed.error_message.clone().unwrap_or_default(),
                    )),
                    None => Ok(OpOutcome::Done),
                }
            }
            Self::RemoveTargets { rule, ids } => self.done(
                events
                    .remove_targets()
                    .rule(rule)
                    .set_ids(Some(ids.clone()))
                    .send()
                    .await,
            ),
        }
    }
}

fn sqs_attributes(attributes: &[(String, String)]) -> HashMap<QueueAttributeName, String> {
    attributes
        .iter()
        .map(|(key, value)| (QueueAttributeName::from(key.as_str()), value.clone()))
        .collect()
}

fn rule_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(key, value)| Tag::builder().key(key).value(value).build().ok())
        .collect()
}
