//! CloudWatch Logs write calls: `PutMetricFilter`, which creates a filter or replaces its
//! pattern and metric (idempotent).

use aws_sdk_cloudwatchlogs::types::MetricTransformation;

use crate::aws::{Aws, AwsError, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// One CloudWatch Logs call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, strum::IntoStaticStr)]
pub enum FilterOp {
    /// Create the filter, or replace its pattern and metric.
    PutMetricFilter {
        /// The log group.
        log_group: String,
        /// The filter name.
        name: String,
        /// The pattern, as the manifest writes it.
        pattern: String,
        /// Metric name.
        metric_name: String,
        /// Metric namespace.
        namespace: String,
        /// What a match adds.
        value: String,
        /// What an empty period publishes.
        default_value: Option<f64>,
        /// Whether the filter is new (it then runs with the other creates).
        create: bool,
    },
}

impl Operation for FilterOp {
    fn phase(&self) -> Phase {
        match self {
            Self::PutMetricFilter { create: true, .. } => Phase::Create,
            Self::PutMetricFilter { .. } => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.logs()))
    }
}

impl WriteCall for FilterOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        let Self::PutMetricFilter {
            log_group, name, ..
        } = self;
        format!("put metric filter {name} on {log_group}")
    }
}

impl FilterOp {
    async fn run(&self, logs: &aws_sdk_cloudwatchlogs::Client) -> Result<OpOutcome, AwsError> {
        let Self::PutMetricFilter {
            log_group,
            name,
            pattern,
            metric_name,
            namespace,
            value,
            default_value,
            ..
        } = self;
        let transformation = MetricTransformation::builder()
            .metric_name(metric_name)
            .metric_namespace(namespace)
            .metric_value(value)
            .set_default_value(*default_value)
            .build()
            .map_err(|err| self.failure(crate::aws::ErrorClass::Terminal, err.to_string()))?;
        self.done(
            logs.put_metric_filter()
                .log_group_name(log_group)
                .filter_name(name)
                .filter_pattern(pattern)
                .metric_transformations(transformation)
                .send()
                .await,
        )
    }
}
