//! The IAM actions of `EcrRepository`: the repository list on `*` (`DescribeRepositories` without names lists every repository), everything else on the repositories' ARNs.

use afu9_spec::ecr::EcrRepositorySpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<EcrRepositorySpec>],
) -> Vec<Grant> {
    let repositories: Vec<String> = want
        .iter()
        .map(|r| scope.arn("ecr", &format!("repository/{}", r.name())))
        .collect();
    let mut grants = reads(repositories.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "ecr:CreateRepository",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:PutLifecyclePolicy",
            "ecr:TagResource",
            "ecr:UntagResource",
        ],
        repositories,
    ));
    grants
}

/// What listing and observing every repository reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(vec![scope.arn("ecr", "repository/*")])
}

/// The reads of observing `repositories`.
fn reads(repositories: Vec<String>) -> Vec<Grant> {
    vec![
        Grant::any(Access::Read, &["ecr:DescribeRepositories"]),
        Grant::new(
            Access::Read,
            &["ecr:GetLifecyclePolicy", "ecr:ListTagsForResource"],
            repositories,
        ),
    ]
}
