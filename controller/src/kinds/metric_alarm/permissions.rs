//! The IAM actions of `MetricAlarm`: every call names the alarms' ARNs (`DescribeAlarms` names them too).

use afu9_spec::metric_alarm::MetricAlarmSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<MetricAlarmSpec>],
) -> Vec<Grant> {
    let alarms: Vec<String> = want
        .iter()
        .map(|r| scope.arn("cloudwatch", &format!("alarm:{}", r.name())))
        .collect();
    let mut grants = reads(alarms.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ],
        alarms,
    ));
    grants
}

/// What listing and observing every alarm reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(vec![scope.arn("cloudwatch", "alarm:*")])
}

/// The reads of observing `alarms` (`DescribeAlarms` names them too).
fn reads(alarms: Vec<String>) -> Vec<Grant> {
    vec![Grant::new(
        Access::Read,
        &[
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListTagsForResource",
        ],
        alarms,
    )]
}
