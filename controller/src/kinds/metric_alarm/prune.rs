//! Pruning orphan alarms: `DeleteAlarms`.

use super::{AlarmOp, MetricAlarms};
use crate::aws::Aws;
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};

impl Prunes for MetricAlarms {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        vec![Grant::new(
            Access::Write,
            &["cloudwatch:DeleteAlarms"],
            vec![scope.arn("cloudwatch", "alarm:*")],
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
                Deletion::Delete(vec![Box::new(AlarmOp::DeleteAlarms {
                    name: orphan.name.to_owned(),
                })])
            })
            .collect();
        Box::pin(async move { Ok(deletions) })
    }
}
