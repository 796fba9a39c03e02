//! The IAM actions of `LogMetricFilter`: both calls name the log group the filter belongs to.

use afu9_spec::log_metric_filter::LogMetricFilterSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<LogMetricFilterSpec>],
) -> Vec<Grant> {
    let groups: Vec<String> = want
        .iter()
        .map(|r| scope.arn("logs", &format!("log-group:{}:*", r.spec.log_group)))
        .collect();
    vec![
        Grant::new(
            Access::Read,
            &["logs:DescribeMetricFilters"],
            groups.clone(),
        ),
        Grant::new(Access::Write, &["logs:PutMetricFilter"], groups),
    ]
}
