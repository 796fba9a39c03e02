//! Pruning orphan repositories: one that still holds images is kept unless the Posture's
//! orphan entry says `deleteImages` (then `DeleteRepository` with `force`).

use super::{EcrOp, EcrRepositories};
use crate::aws::{Aws, AwsError};
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};

impl Prunes for EcrRepositories {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        let any_repository = vec![scope.arn("ecr", "repository/*")];
        vec![
            Grant::new(Access::Read, &["ecr:ListImages"], any_repository.clone()),
            Grant::new(Access::Write, &["ecr:DeleteRepository"], any_repository),
        ]
    }

    fn delete<'a>(
        aws: &'a Aws,
        cx: PruneContext<'a>,
        orphans: &'a [Orphan<'a, Self>],
    ) -> Deletions<'a> {
        delete(aws, cx, orphans)
    }
}

fn delete<'a>(
    aws: &'a Aws,
    cx: PruneContext<'a>,
    orphans: &'a [Orphan<'a, EcrRepositories>],
) -> Deletions<'a> {
    Box::pin(async move {
        let mut deletions = Vec::with_capacity(orphans.len());
        for orphan in orphans {
            let holds_images = holds_images(aws.ecr(), orphan.name).await?;
            let allowed = cx.entry(orphan.name).is_some_and(|e| e.delete_images);
            deletions.push(if holds_images && !allowed {
                Deletion::Blocked(format!(
                    "the repository still holds images; to delete them with it, add \
                     `{{kind: EcrRepository, name: {}, deleteImages: true}}` to the Posture's \
                     `orphans`",
                    orphan.name
                ))
            } else {
                Deletion::Delete(vec![Box::new(EcrOp::DeleteRepository {
                    name: orphan.name.to_owned(),
                    force: holds_images,
                })])
            });
        }
        Ok(deletions)
    })
}

/// Whether the repository `name` holds at least one image (`ListImages`, one result).
async fn holds_images(ecr: &aws_sdk_ecr::Client, name: &str) -> Result<bool, AwsError> {
    let listed = ecr
        .list_images()
        .repository_name(name)
        .max_results(1)
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                format!("look for images in ecr repository {name}"),
                "ListImages",
                &err,
            )
        })?;
    Ok(!listed.image_ids().is_empty())
}
