//! The IAM actions of `CloudTrail`: `DescribeTrails` and `DescribeLogGroups` on `*`; the trail calls name the trail, `s3:ListBucket` (`HeadBucket`) and `s3:GetBucketLogging` its bucket, `kms:DescribeKey` the account's keys (by alias), `iam:PassRole` the delivery role.

use afu9_spec::cloudtrail::CloudTrailSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};
use crate::refs::iam::role_arn;

/// What listing and observing every trail reads (import, the orphan search): every trail,
/// and what `observe` reads of any of them
/// (its bucket, its key, its log group).
pub(super) fn orphan_reads(scope: &ArnScope) -> Vec<Grant> {
    vec![
        Grant::any(
            Access::Read,
            &["cloudtrail:DescribeTrails", "logs:DescribeLogGroups"],
        ),
        Grant::new(
            Access::Read,
            &[
                "cloudtrail:GetEventSelectors",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:ListTags",
            ],
            vec![scope.arn("cloudtrail", "trail/*")],
        ),
        Grant::new(
            Access::Read,
            &["s3:GetBucketLogging", "s3:ListBucket"],
            vec![format!("arn:{}:s3:::*", scope.partition)],
        ),
        Grant::new(
            Access::Read,
            &["kms:DescribeKey"],
            vec![scope.arn("kms", "key/*")],
        ),
    ]
}

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<CloudTrailSpec>],
) -> Vec<Grant> {
    let trails: Vec<String> = want
        .iter()
        .map(|r| scope.arn("cloudtrail", &format!("trail/{}", r.name())))
        .collect();
    let buckets: Vec<String> = want
        .iter()
        .map(|r| format!("arn:{}:s3:::{}", scope.partition, r.spec.s3_bucket))
        .collect();
    let roles: Vec<String> = want
        .iter()
        .filter_map(|r| r.spec.cloud_watch_logs.as_ref())
        .map(|delivery| role_arn(state, &scope.partition, &scope.account, &delivery.role))
        .collect();
    let mut grants = vec![
        Grant::any(
            Access::Read,
            &["cloudtrail:DescribeTrails", "logs:DescribeLogGroups"],
        ),
        Grant::new(
            Access::Read,
            &[
                "cloudtrail:GetEventSelectors",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:ListTags",
            ],
            trails.clone(),
        ),
        Grant::new(
            Access::Read,
            &["s3:GetBucketLogging", "s3:ListBucket"],
            buckets,
        ),
        Grant::new(
            Access::Write,
            &[
                "cloudtrail:AddTags",
                "cloudtrail:CreateTrail",
                "cloudtrail:PutEventSelectors",
                "cloudtrail:RemoveTags",
                "cloudtrail:StartLogging",
                "cloudtrail:StopLogging",
                "cloudtrail:UpdateTrail",
            ],
            trails,
        ),
        Grant::new(Access::Write, &["iam:PassRole"], roles),
    ];
    if want.iter().any(|r| r.spec.kms_key.is_some()) {
        grants.push(Grant::new(
            Access::Read,
            &["kms:DescribeKey"],
            vec![scope.arn("kms", "key/*")],
        ));
    }
    grants.retain(|grant| !grant.resources.is_empty());
    grants
}
