//! `LogMetricFilter`: a CloudWatch Logs metric filter, owned whole.
//!
//! Metric filters carry no tags, so there is no ownership tag to check: the manifest's name
//! on the manifest's log group is the claim. Other filters on the group are left alone.

mod pattern;
mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use pattern::{canonical_pattern, read_events_named};

/// The desired configuration of one metric filter (`metadata.name` is the filter name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LogMetricFilterSpec {
    /// The log group the filter reads (not managed here; it must exist).
    pub log_group: String,
    /// The filter pattern, in CloudWatch Logs' pattern syntax. Whitespace between terms and
    /// around operators does not matter.
    pub pattern: String,
    /// The metric each match adds to.
    pub metric: MetricTransformation,
}

/// The metric a filter publishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricTransformation {
    /// The metric name (`SecretAccessCount`).
    pub name: String,
    /// The metric namespace (`AFU9/Security`).
    pub namespace: String,
    /// What a match adds: a number, or a `$.field` of the event.
    #[serde(default = "one")]
    pub value: String,
    /// What is published when nothing matched in a period; left out: nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<f64>,
}

fn one() -> String {
    "1".to_owned()
}
