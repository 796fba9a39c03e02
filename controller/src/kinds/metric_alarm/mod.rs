//! `MetricAlarm`: a CloudWatch alarm's metric, statistic, threshold, missing-data treatment,
//! actions and tags.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod prune;

use std::collections::{BTreeMap, BTreeSet};

use afu9_spec::metric_alarm::MetricAlarmSpec;
use afu9_spec::sns_topic::SnsTopicSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, ManifestKind, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::AlarmOp;

/// The CloudWatch metric alarm kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct MetricAlarms;

/// What observing one alarm found.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricAlarmObserved {
    /// The alarm, if it exists.
    pub alarm: Option<LiveAlarm>,
    /// `arn:PARTITION:sns:REGION:ACCOUNT:`: a topic named in a manifest is this plus its name.
    pub topic_arn_prefix: String,
}

/// An alarm as CloudWatch reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveAlarm {
    /// The alarm ARN.
    pub arn: String,
    /// Its configuration.
    pub config: AlarmConfig,
    /// All tags.
    pub tags: Tags,
}

/// An alarm's whole configuration, as `PutMetricAlarm` takes it and `DescribeAlarms` returns
/// it; actions are topic ARNs.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmConfig {
    /// The description.
    pub description: Option<String>,
    /// The metric name.
    pub metric_name: String,
    /// The metric namespace.
    pub namespace: String,
    /// The metric's dimensions.
    pub dimensions: BTreeMap<String, String>,
    /// `Sum`, `Average`, …
    pub statistic: String,
    /// Seconds per period.
    pub period: u32,
    /// Periods evaluated.
    pub evaluation_periods: u32,
    /// The threshold.
    pub threshold: f64,
    /// The comparison operator's name.
    pub comparison: String,
    /// `missing`, `notBreaching`, `breaching`, `ignore`.
    pub treat_missing_data: String,
    /// Alarm actions (ARNs).
    pub alarm_actions: BTreeSet<String>,
    /// OK actions (ARNs).
    pub ok_actions: BTreeSet<String>,
}

impl ManagedKind for MetricAlarms {
    type Spec = MetricAlarmSpec;
    type Observed = MetricAlarmObserved;
    const SERVICE: &'static str = "CloudWatch";
    const NOUN: &'static str = "alarm";
    /// `PutMetricAlarm` is throttled per account and region like the other regional writes.
    const WRITE_LIMIT: usize = 8;

    /// The `SnsTopic` manifests its actions name: an alarm is put once they exist.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        let mut topics: Vec<&str> = want
            .spec
            .alarm_actions
            .iter()
            .chain(&want.spec.ok_actions)
            .map(String::as_str)
            .filter(|action| state.sns_topics.iter().any(|topic| topic.name() == *action))
            .collect();
        topics.sort_unstable();
        topics.dedup();
        topics
            .into_iter()
            .map(|topic| Dependency::created(SnsTopicSpec::KIND, topic))
            .collect()
    }

    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant> {
        permissions::permissions(state, scope, want)
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(aws, want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx, want, have)
    }
}

impl Tagged for MetricAlarms {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        have.alarm.as_ref().map(|alarm| LiveTags {
            tags: &alarm.tags,
            target: &alarm.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(AlarmOp::TagResource { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(AlarmOp::UntagResource { arn, keys })
    }
}
