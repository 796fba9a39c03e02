//! The IAM actions of `LogGroup`: `DescribeLogGroups` on `*` (it lists by name prefix), the
//! other calls on the groups' ARNs, and `kms:DescribeKey` to resolve key aliases.

use afu9_spec::log_group::LogGroupSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<LogGroupSpec>],
) -> Vec<Grant> {
    if want.is_empty() {
        return Vec::new();
    }
    let groups: Vec<String> = want
        .iter()
        .map(|r| scope.arn("logs", &format!("log-group:{}", r.name())))
        .collect();
    let mut grants = reads(scope, groups.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:TagResource",
            "logs:UntagResource",
        ],
        groups,
    ));
    grants
}

/// What listing and observing every group reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(scope, vec![scope.arn("logs", "log-group:*")])
}

fn reads(scope: &ArnScope, groups: Vec<String>) -> Vec<Grant> {
    vec![
        Grant::any(Access::Read, &["logs:DescribeLogGroups"]),
        Grant::new(Access::Read, &["logs:ListTagsForResource"], groups),
        Grant::new(
            Access::Read,
            &["kms:DescribeKey"],
            vec![scope.arn("kms", "key/*")],
        ),
    ]
}
