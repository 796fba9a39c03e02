//! `MetricAlarm`: a CloudWatch alarm on one metric, owned whole (`PutMetricAlarm` replaces an
//! alarm's whole configuration, so every setting is managed and one left out takes
//! CloudWatch's default).

mod validate;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

pub use validate::NO_ACTIONS;

/// The desired configuration of one alarm (`metadata.name` is the alarm name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricAlarmSpec {
    /// What the alarm is for, shown in notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The metric watched.
    pub metric: AlarmMetric,
    /// How a period's data points are combined.
    #[serde(default)]
    pub statistic: Statistic,
    /// The length of a period, in seconds (10, 30 or a multiple of 60).
    #[serde(default = "five_minutes")]
    pub period: u32,
    /// How many periods are evaluated.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// The value compared with the statistic.
    pub threshold: f64,
    /// How the statistic is compared with the threshold.
    pub comparison: Comparison,
    /// What a period without data counts as.
    #[serde(default)]
    pub treat_missing_data: MissingData,
    /// Notified when the alarm fires: names of `SnsTopic` manifests, or topic ARNs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
    /// Notified when the alarm returns to OK: names of `SnsTopic` manifests, or topic ARNs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// The alarm's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// A metric: name, namespace and dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlarmMetric {
    /// The metric name (`SecretAccessCount`).
    pub name: String,
    /// The metric namespace (`AFU9/Security`).
    pub namespace: String,
    /// The metric's dimensions; a metric filter's metric has none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dimensions: BTreeMap<String, String>,
}

/// CloudWatch's simple statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Statistic {
    /// The sum of the values (counts of matched events).
    #[default]
    Sum,
    /// The mean.
    Average,
    /// The least value.
    Minimum,
    /// The greatest value.
    Maximum,
    /// The number of data points.
    SampleCount,
}

/// How the statistic is compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Comparison {
    /// `>=`
    GreaterThanOrEqualToThreshold,
    /// `>`
    GreaterThanThreshold,
    /// `<`
    LessThanThreshold,
    /// `<=`
    LessThanOrEqualToThreshold,
}

/// What a period without data counts as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum MissingData {
    /// Neither breaching nor not (CloudWatch's default).
    #[default]
    Missing,
    /// As within the threshold: quiet periods keep the alarm OK.
    NotBreaching,
    /// As breaching.
    Breaching,
    /// Kept as the previous state.
    Ignore,
}

impl Statistic {
    /// CloudWatch's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sum => "Sum",
            Self::Average => "Average",
            Self::Minimum => "Minimum",
            Self::Maximum => "Maximum",
            Self::SampleCount => "SampleCount",
        }
    }
}

impl Comparison {
    /// CloudWatch's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
            Self::GreaterThanThreshold => "GreaterThanThreshold",
            Self::LessThanThreshold => "LessThanThreshold",
            Self::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
        }
    }
}

impl MissingData {
    /// CloudWatch's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::NotBreaching => "notBreaching",
            Self::Breaching => "breaching",
            Self::Ignore => "ignore",
        }
    }
}

fn five_minutes() -> u32 {
    300
}

fn one() -> u32 {
    1
}
