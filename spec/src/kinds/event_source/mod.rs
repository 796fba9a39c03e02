//! `EventSource`: the SQS queue `afu9ctl run` listens to and the EventBridge rule that sends
//! it the CloudTrail write events of the kinds in the desired state, so that drift is fixed
//! seconds after it happens instead of at the next pass.
//!
//! Owned whole: the rule's pattern (built from the events the kinds declare), its one target
//! (the queue) and the queue policy (EventBridge may send, from this rule only) are derived,
//! not written; the queue is always encrypted with SQS-managed keys (Security Hub SQS.1).
//! `metadata.name` names both the queue and the rule.

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

pub use validate::{MORE_THAN_ONE, is_queue_name};

/// The seconds a received message stays hidden when its reconcile does not finish.
pub const DEFAULT_VISIBILITY_TIMEOUT: u32 = 60;
/// The seconds an unprocessed event is kept: after a day, a full pass has long caught up.
pub const DEFAULT_RETENTION: u32 = 86_400;

/// The desired event source (`metadata.name` is the queue's and the rule's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EventSourceSpec {
    /// Seconds a received message stays invisible before it is delivered again, when its
    /// reconcile failed or the controller stopped (1 to 43200; default 60).
    #[serde(default = "visibility_timeout")]
    pub visibility_timeout_seconds: u32,
    /// Seconds an event waits in the queue at most (60 to 1209600; default 86400).
    #[serde(default = "retention")]
    pub message_retention_seconds: u32,
    /// Tags of the queue and the rule (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

fn visibility_timeout() -> u32 {
    DEFAULT_VISIBILITY_TIMEOUT
}

fn retention() -> u32 {
    DEFAULT_RETENTION
}
