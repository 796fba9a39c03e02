//! Pruning orphan secrets: scheduled for deletion with the longest recovery window (30 days,
//! `RestoreSecret` brings one back), never deleted at once; one already scheduled is left to
//! its schedule.

use super::{SecretObserved, SecretOp, Secrets};
use crate::aws::Aws;
use crate::engine::{Deletion, Deletions, Orphan, PruneContext, Prunes};
use crate::permissions::{Access, ArnScope, Grant};

/// The recovery window pruning gives a secret, in days: the longest AWS allows.
pub(super) const RECOVERY_WINDOW_DAYS: i64 = 30;

impl Prunes for Secrets {
    fn pruning_grants(scope: &ArnScope) -> Vec<Grant> {
        vec![Grant::new(
            Access::Write,
            &["secretsmanager:DeleteSecret"],
            vec![scope.arn("secretsmanager", "secret:*")],
        )]
    }

    /// A secret scheduled for deletion is in its recovery window.
    fn leaving(have: &SecretObserved) -> bool {
        have.deletion_date.is_some()
    }

    fn delete<'a>(
        _aws: &'a Aws,
        _cx: PruneContext<'a>,
        orphans: &'a [Orphan<'a, Self>],
    ) -> Deletions<'a> {
        let deletions = orphans
            .iter()
            .map(|orphan| {
                Deletion::Delete(vec![Box::new(SecretOp::DeleteSecret {
                    arn: orphan.have.arn.clone(),
                    recovery_window_days: RECOVERY_WINDOW_DAYS,
                })])
            })
            .collect();
        Box::pin(async move { Ok(deletions) })
    }
}
