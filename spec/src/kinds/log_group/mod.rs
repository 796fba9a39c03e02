//! `LogGroup`: a CloudWatch Logs log group's retention, KMS key and tags.
//!
//! Fields left out are not managed. A log group is created when missing; it is never
//! deleted (its events could not be read again). A log group is an audit group when a
//! `CloudTrail` manifest delivers to it or its manifest says `audit: true`: it then keeps its
//! events at least 365 days (Security Hub CloudWatch.16).

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

pub use validate::{RETENTION_DAYS, SHORT_AUDIT_RETENTION, is_audit_group};

/// The desired configuration of one log group (`metadata.name` is the group's name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LogGroupSpec {
    /// How many days events are kept: one of CloudWatch Logs' values (1, 3, 5, 7, 14, 30,
    /// 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// The KMS key its events are encrypted with: an alias (`alias/afu9-logs`: a `KmsKey`
    /// manifest by its name), alias ARN, key id or key ARN. The key policy must let
    /// `logs.<region>.amazonaws.com` use the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// The group holds audit events (WAF logs, an audit application's): the CloudWatch.16
    /// retention guardrail applies. A group a trail delivers to is an audit group anyway.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub audit: bool,
    /// The group's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}
