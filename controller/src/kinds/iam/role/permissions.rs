//! The IAM actions of `IamRole`: two or more roles are read in one `GetAccountAuthorizationDetails` plus `ListRoles` (on `*`: they list the account), one role by name; every other call names the role's ARN.

use afu9_spec::iam::IamRoleSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};
use crate::refs::iam::role_arn;

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<IamRoleSpec>],
) -> Vec<Grant> {
    let roles: Vec<String> = want
        .iter()
        .map(|r| role_arn(state, &scope.partition, &scope.account, r.name()))
        .collect();
    let mut grants = reads(roles.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "iam:AttachRolePolicy",
            "iam:CreateRole",
            "iam:DeleteRolePermissionsBoundary",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:PutRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
        ],
        roles,
    ));
    grants.retain(|grant| !grant.resources.is_empty());
    grants
}

/// What listing and observing every role reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(vec![scope.global_arn("iam", "role/*")])
}

/// The reads of observing `roles` (the account-wide reads of reading two or more at once
/// included).
fn reads(roles: Vec<String>) -> Vec<Grant> {
    vec![
        Grant::any(
            Access::Read,
            &["iam:GetAccountAuthorizationDetails", "iam:ListRoles"],
        ),
        Grant::new(
            Access::Read,
            &[
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
            ],
            roles,
        ),
    ]
}
