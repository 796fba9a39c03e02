//! Pruning orphan buckets: a bucket that holds any object version or delete marker is
//! blocked, never emptied or deleted; an empty one is deleted (`DeleteBucket`).

use super::{BucketOp, Buckets};
use crate::aws::{Aws, AwsError};
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};

impl Prunes for Buckets {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        let any_bucket = vec![format!("arn:{}:s3:::*", scope.partition)];
        vec![
            Grant::new(Access::Read, &["s3:ListBucketVersions"], any_bucket.clone()),
            Grant::new(Access::Write, &["s3:DeleteBucket"], any_bucket),
        ]
    }

    fn delete<'a>(
        aws: &'a Aws,
        _cx: PruneContext<'a>,
        orphans: &'a [Orphan<'a, Self>],
    ) -> Deletions<'a> {
        Box::pin(async move {
            let mut deletions = Vec::with_capacity(orphans.len());
            for orphan in orphans {
                deletions.push(if holds_objects(aws.s3(), orphan.name).await? {
                    Deletion::Blocked(
                        "the bucket still holds objects: afu9-posture never deletes what a bucket \
                         holds (logs are evidence); empty it by hand if it must go"
                            .to_owned(),
                    )
                } else {
                    Deletion::Delete(vec![Box::new(BucketOp::DeleteBucket {
                        bucket: orphan.name.to_owned(),
                    })])
                });
            }
            Ok(deletions)
        })
    }
}

/// Whether the bucket `name` holds an object version or a delete marker
/// (`ListObjectVersions`, one key).
async fn holds_objects(s3: &aws_sdk_s3::Client, name: &str) -> Result<bool, AwsError> {
    let listed = s3
        .list_object_versions()
        .bucket(name)
        .max_keys(1)
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                format!("look for objects in bucket {name}"),
                "ListObjectVersions",
                &err,
            )
        })?;
    Ok(!listed.versions().is_empty() || !listed.delete_markers().is_empty())
}
