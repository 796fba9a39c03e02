//! `CloudTrail`: a trail, owned whole (AWS Security Hub CloudTrail.1, .2, .4, .5).
//!
//! Every setting is managed; one left out takes the value written here as its default
//! (`logging` and both kinds of management events on; no key prefix, KMS key or CloudWatch
//! Logs delivery). The bucket is not managed: a missing bucket is `blocked`.

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kinds::security_group::GuardrailException;
use crate::tags::Tags;

pub use validate::{
    NO_CLOUDWATCH_LOGS, NO_KMS_KEY, NO_LOG_FILE_VALIDATION, NO_READ_EVENTS, SINGLE_REGION,
};

/// The desired configuration of one trail (`metadata.name` is the trail name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CloudTrailSpec {
    /// The S3 bucket the log files go to (not managed here; it must exist).
    pub s3_bucket: String,
    /// A key prefix inside the bucket; left out: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
    /// Record events from every region (CloudTrail.1).
    #[serde(default)]
    pub multi_region: bool,
    /// Digest files that prove the log files were not changed (CloudTrail.4).
    #[serde(default)]
    pub log_file_validation: bool,
    /// The KMS key that encrypts the log files (CloudTrail.2): key id, key ARN, alias or
    /// alias ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// Delivery to CloudWatch Logs (CloudTrail.5), where metric filters can see the events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch_logs: Option<CloudWatchLogsDelivery>,
    /// Whether the trail is logging (started).
    #[serde(default = "yes")]
    pub logging: bool,
    /// Which management events are recorded.
    #[serde(default)]
    pub management_events: ManagementEvents,
    /// Guardrails this trail is allowed to break, each with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardrail_exceptions: Vec<GuardrailException>,
    /// The trail's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// Where a trail delivers its events in CloudWatch Logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CloudWatchLogsDelivery {
    /// The log group's name (it must exist; it is not managed here).
    pub log_group: String,
    /// The role CloudTrail assumes to write to it: a name (an `IamRole` manifest or a role
    /// in this account) or an ARN.
    pub role: String,
}

/// Which management events a trail records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagementEvents {
    /// Read events (`GetSecretValue`, `Describe*`): what the secret-access filter needs.
    #[serde(default = "yes")]
    pub read: bool,
    /// Write events (`PutRolePolicy`, `StopLogging`).
    #[serde(default = "yes")]
    pub write: bool,
}

impl Default for ManagementEvents {
    fn default() -> Self {
        Self {
            read: true,
            write: true,
        }
    }
}

impl ManagementEvents {
    /// CloudTrail's `ReadWriteType`: `All`, `ReadOnly`, `WriteOnly`; `None` for neither (no
    /// management events at all).
    pub fn read_write_type(self) -> Option<&'static str> {
        match (self.read, self.write) {
            (true, true) => Some("All"),
            (true, false) => Some("ReadOnly"),
            (false, true) => Some("WriteOnly"),
            (false, false) => None,
        }
    }
}

fn yes() -> bool {
    true
}
