//! The IAM actions of `Bucket`: `ListAllMyBuckets` on `*` (listing takes no resource),
//! everything else on the buckets' ARNs (S3 ARNs name no region or account), and
//! `kms:DescribeKey` on the account's keys when a key alias is compared.

use afu9_spec::bucket::BucketSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<BucketSpec>],
) -> Vec<Grant> {
    let buckets: Vec<String> = want
        .iter()
        .map(|r| format!("arn:{}:s3:::{}", scope.partition, r.name()))
        .collect();
    if buckets.is_empty() {
        return Vec::new();
    }
    let mut grants = reads(scope, buckets.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "s3:CreateBucket",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutEncryptionConfiguration",
            "s3:PutBucketVersioning",
            "s3:PutBucketOwnershipControls",
            "s3:PutBucketLogging",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketPolicy",
            "s3:PutBucketTagging",
        ],
        buckets,
    ));
    grants
}

/// What listing and observing every bucket reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(scope, vec![format!("arn:{}:s3:::*", scope.partition)])
}

/// The reads of observing `buckets`.
fn reads(scope: &ArnScope, buckets: Vec<String>) -> Vec<Grant> {
    vec![
        Grant::any(Access::Read, &["s3:ListAllMyBuckets"]),
        Grant::new(
            Access::Read,
            &[
                "s3:GetBucketPolicy",
                "s3:GetBucketTagging",
                "s3:GetBucketPublicAccessBlock",
                "s3:GetEncryptionConfiguration",
                "s3:GetBucketVersioning",
                "s3:GetBucketOwnershipControls",
                "s3:GetBucketLogging",
                "s3:GetLifecycleConfiguration",
            ],
            buckets,
        ),
        Grant::new(
            Access::Read,
            &["kms:DescribeKey"],
            vec![scope.arn("kms", "key/*")],
        ),
    ]
}
