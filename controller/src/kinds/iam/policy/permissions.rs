//! The IAM actions of `IamPolicy`: every call names the policy's ARN (its path and name in the account).

use afu9_spec::iam::IamPolicySpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<IamPolicySpec>],
) -> Vec<Grant> {
    let policies: Vec<String> = want
        .iter()
        .map(|r| {
            let path = r.spec.path.as_deref().unwrap_or("/");
            scope.global_arn("iam", &format!("policy{path}{}", r.name()))
        })
        .collect();
    let mut grants = reads(policies.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "iam:CreatePolicy",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:TagPolicy",
            "iam:UntagPolicy",
        ],
        policies,
    ));
    grants
}

/// What listing and observing every policy reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    let mut grants = vec![Grant::any(Access::Read, &["iam:ListPolicies"])];
    grants.extend(reads(vec![scope.global_arn("iam", "policy/*")]));
    grants
}

/// The reads of observing `policies`.
fn reads(policies: Vec<String>) -> Vec<Grant> {
    vec![Grant::new(
        Access::Read,
        &[
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "iam:ListPolicyVersions",
        ],
        policies,
    )]
}
