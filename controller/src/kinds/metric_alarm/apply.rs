//! CloudWatch write calls, one `AlarmOp` each, all idempotent.

use afu9_spec::tags::Tags;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic, Tag};

use super::AlarmConfig;
use crate::aws::{Aws, AwsError, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One CloudWatch call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum AlarmOp {
    /// Create the alarm, or replace its whole configuration (what `PutMetricAlarm` does).
    PutMetricAlarm {
        /// Alarm name.
        name: String,
        /// The whole configuration, actions as ARNs.
        config: Box<AlarmConfig>,
        /// Tags, for a new alarm only (AWS ignores them on an existing one).
        tags: Option<Tags>,
    },
    /// Add or overwrite tags.
    TagResource {
        /// Alarm ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// Alarm ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Delete an orphan alarm (pruning).
    DeleteAlarms {
        /// Alarm name.
        name: String,
    },
}

impl Operation for AlarmOp {
    fn phase(&self) -> Phase {
        match self {
            Self::PutMetricAlarm { tags: Some(_), .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.cloudwatch()))
    }
}

impl WriteCall for AlarmOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::PutMetricAlarm { name, .. } => format!("put alarm {name}"),
            Self::DeleteAlarms { name } => format!("delete alarm {name}"),
            Self::TagResource { arn, .. } | Self::UntagResource { arn, .. } => {
                format!("tag alarm {arn}")
            }
        }
    }
}

impl AlarmOp {
    async fn run(&self, cloudwatch: &aws_sdk_cloudwatch::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::PutMetricAlarm { name, config, tags } => {
                let dimensions = config
                    .dimensions
                    .iter()
                    .map(|(name, value)| Dimension::builder().name(name).value(value).build())
                    .collect();
                let request = cloudwatch
                    .put_metric_alarm()
                    .alarm_name(name)
                    .set_alarm_description(config.description.clone())
                    .metric_name(&config.metric_name)
                    .namespace(&config.namespace)
                    .set_dimensions(Some(dimensions))
                    .statistic(Statistic::from(config.statistic.as_str()))
                    .period(i32::try_from(config.period).unwrap_or(i32::MAX))
                    .evaluation_periods(
                        i32::try_from(config.evaluation_periods).unwrap_or(i32::MAX),
                    )
                    .threshold(config.threshold)
                    .comparison_operator(ComparisonOperator::from(config.comparison.as_str()))
                    .treat_missing_data(&config.treat_missing_data)
                    .set_alarm_actions(Some(config.alarm_actions.iter().cloned().collect()))
                    .set_ok_actions(Some(config.ok_actions.iter().cloned().collect()))
                    .set_tags(tags.as_ref().map(sdk_tags));
                self.done(request.send().await)
            }
            Self::TagResource { arn, tags } => self.done(
                cloudwatch
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::UntagResource { arn, keys } => self.done(
                cloudwatch
                    .untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
            Self::DeleteAlarms { name } => {
                self.done(cloudwatch.delete_alarms().alarm_names(name).send().await)
            }
        }
    }
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect()
}
