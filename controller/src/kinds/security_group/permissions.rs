//! The IAM actions of `SecurityGroup`: EC2's `Describe*` take no resource (`*`); the writes name groups by the ids AWS assigns, so they go to `security-group/*` of the account (and `CreateSecurityGroup` also to `vpc/*`).

use afu9_spec::security_group::SecurityGroupSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<SecurityGroupSpec>],
) -> Vec<Grant> {
    let groups = scope.arn("ec2", "security-group/*");
    let mut writes = vec![
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateSecurityGroup",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ];
    if want.iter().any(|r| r.spec.allow_replacement) {
        writes.push("ec2:DeleteSecurityGroup");
    }
    let mut grants = reads();
    grants.extend([
        Grant::new(Access::Write, &writes, vec![groups]),
        Grant::new(
            Access::Write,
            &["ec2:CreateSecurityGroup"],
            vec![scope.arn("ec2", "vpc/*")],
        ),
    ]);
    grants
}

/// What listing and observing every group reads (import, the orphan search): the same
/// `Describe*` calls, which take no resource.
pub(super) fn discovery(_scope: &ArnScope) -> Vec<Grant> {
    reads()
}

/// The reads of observing groups (and listing them, and the VPCs): all on `*`.
fn reads() -> Vec<Grant> {
    vec![Grant::any(
        Access::Read,
        &[
            "ec2:DescribeSecurityGroupRules",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeVpcs",
        ],
    )]
}
