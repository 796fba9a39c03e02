//! Pruning orphan topics: `DeleteTopic`, which deletes its subscriptions with it.

use super::{SnsTopics, TopicOp};
use crate::engine::{Deletion, PruneOps};
use crate::permissions::{Access, ArnScope, Grant};

pub(super) fn ops() -> PruneOps<SnsTopics> {
    PruneOps {
        reads: |scope| {
            vec![
                Grant::any(Access::Read, &["sns:ListTopics"]),
                Grant::new(
                    Access::Read,
                    &[
                        "sns:GetTopicAttributes",
                        "sns:ListSubscriptionsByTopic",
                        "sns:ListTagsForResource",
                    ],
                    any_topic(scope),
                ),
            ]
        },
        pruning: |scope| {
            vec![Grant::new(
                Access::Write,
                &["sns:DeleteTopic"],
                any_topic(scope),
            )]
        },
        leaving: |_| false,
        delete: |_, _, orphans| {
            let deletions = orphans
                .iter()
                .map(|orphan| {
                    Deletion::Delete(vec![Box::new(TopicOp::DeleteTopic {
                        arn: orphan.have.arn.clone(),
                    })])
                })
                .collect();
            Box::pin(async move { Ok(deletions) })
        },
    }
}

fn any_topic(scope: &ArnScope) -> Vec<String> {
    vec![scope.arn("sns", "*")]
}
