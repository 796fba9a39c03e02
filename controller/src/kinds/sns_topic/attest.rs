//! What a live topic proves: its messages are encrypted at rest with KMS (SNS.1), read off
//! the topic's attributes.

use afu9_spec::Resource;
use afu9_spec::sns_topic::SnsTopicSpec;
use serde_json::Value;

use super::{SnsTopicObserved, SnsTopics};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for SnsTopics {
    fn facts(_want: &Resource<SnsTopicSpec>, have: &SnsTopicObserved) -> Vec<Fact> {
        vec![Fact::judged(
            "SNS.1",
            "kmsKey",
            have.kms_key.clone().map(Value::String),
            have.kms_key.is_some(),
            (
                "messages are encrypted at rest with a KMS key",
                "messages are not encrypted at rest with a KMS key",
            ),
        )]
    }
}
