//! Pruning orphan topics: `DeleteTopic`, which deletes its subscriptions with it.

use super::{SnsTopics, TopicOp};
use crate::aws::Aws;
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};

impl Prunes for SnsTopics {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        vec![Grant::new(
            Access::Write,
            &["sns:DeleteTopic"],
            vec![scope.arn("sns", "*")],
        )]
    }

    fn delete<'a>(
        _aws: &'a Aws,
        _cx: PruneContext<'a>,
        orphans: &'a [Orphan<'a, Self>],
    ) -> Deletions<'a> {
        let deletions = orphans
            .iter()
            .map(|orphan| {
                Deletion::Delete(vec![Box::new(TopicOp::DeleteTopic {
                    arn: orphan.have.arn.clone(),
                })])
            })
            .collect();
        Box::pin(async move { Ok(deletions) })
    }
}
