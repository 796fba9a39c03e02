//! `SnsTopic`: the topic alarms notify, KMS-encrypted (Security Hub SNS.1), and its tags.
//!
//! Subscriptions are not managed (people subscribe themselves); the plan reports how many
//! the topic has.

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kinds::security_group::GuardrailException;
use crate::tags::Tags;

pub use validate::NOT_ENCRYPTED;

/// The desired configuration of one standard topic (`metadata.name` is the topic name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SnsTopicSpec {
    /// The KMS key that encrypts messages at rest (SNS.1): key id, key ARN, alias or alias
    /// ARN (`alias/aws/sns` is the AWS managed key). Left out: not encrypted, which the
    /// guardrail refuses without an exception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// The display name (SMS and email senders); left out: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Guardrails this topic is allowed to break, each with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardrail_exceptions: Vec<GuardrailException>,
    /// The topic's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}
