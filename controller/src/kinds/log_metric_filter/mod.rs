//! `LogMetricFilter`: a metric filter's pattern and metric. Filters carry no tags: the
//! manifest's name on its log group is the claim, and other filters are left alone.

mod apply;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;

use afu9_spec::log_metric_filter::LogMetricFilterSpec;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{ManagedKind, PlanContext};
use crate::permissions::{ArnScope, Grant};
use crate::plan::Delta;

pub use apply::FilterOp;

/// The metric filter kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMetricFilters;

/// What observing one filter found.
#[derive(Debug, Clone, PartialEq)]
pub struct LogMetricFilterObserved {
    /// Whether the manifest's log group exists.
    pub log_group_exists: bool,
    /// The filter, if it exists on that group.
    pub filter: Option<LiveFilter>,
}

/// A filter as CloudWatch Logs reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveFilter {
    /// The log group it reads.
    pub log_group: String,
    /// The pattern, as stored.
    pub pattern: String,
    /// Metric name.
    pub metric_name: String,
    /// Metric namespace.
    pub namespace: String,
    /// What a match adds.
    pub value: String,
    /// What an empty period publishes.
    pub default_value: Option<f64>,
}

impl ManagedKind for LogMetricFilters {
    type Spec = LogMetricFilterSpec;
    type Observed = LogMetricFilterObserved;
    const SERVICE: &'static str = "CloudWatch Logs";
    const NOUN: &'static str = "metric filter";
    /// CloudWatch Logs' `PutMetricFilter` is a low-rate control-plane call (5 a second).
    const WRITE_LIMIT: usize = 4;

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
        _cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(want, have)
    }
}
