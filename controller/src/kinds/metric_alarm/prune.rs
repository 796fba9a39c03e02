//! Pruning orphan alarms: `DeleteAlarms`.

use super::{AlarmOp, MetricAlarms};
use crate::engine::{Deletion, PruneOps};
use crate::permissions::{Access, ArnScope, Grant};

pub(super) fn ops() -> PruneOps<MetricAlarms> {
    PruneOps {
        reads: |scope| {
            vec![Grant::new(
                Access::Read,
                &[
                    "cloudwatch:DescribeAlarms",
                    "cloudwatch:ListTagsForResource",
                ],
                any_alarm(scope),
            )]
        },
        pruning: |scope| {
            vec![Grant::new(
                Access::Write,
                &["cloudwatch:DeleteAlarms"],
                any_alarm(scope),
            )]
        },
        leaving: |_| false,
        delete: |_, _, orphans| {
            let deletions = orphans
                .iter()
                .map(|orphan| {
                    Deletion::Delete(vec![Box::new(AlarmOp::DeleteAlarms {
                        name: orphan.name.to_owned(),
                    })])
                })
                .collect();
            Box::pin(async move { Ok(deletions) })
        },
    }
}

fn any_alarm(scope: &ArnScope) -> Vec<String> {
    vec![scope.arn("cloudwatch", "alarm:*")]
}
