//! Pruning orphan secrets: scheduled for deletion with the longest recovery window (30 days,
//! `RestoreSecret` brings one back), never deleted at once; one already scheduled is left to
//! its schedule.

use super::{SecretOp, Secrets};
use crate::engine::{Deletion, PruneOps};
use crate::permissions::{Access, ArnScope, Grant};

/// The recovery window pruning gives a secret, in days: the longest AWS allows.
pub(super) const RECOVERY_WINDOW_DAYS: i64 = 30;

pub(super) fn ops() -> PruneOps<Secrets> {
    PruneOps {
        reads: |scope| {
            vec![
                Grant::any(Access::Read, &["secretsmanager:ListSecrets"]),
                Grant::new(
                    Access::Read,
                    &["secretsmanager:ListSecretVersionIds"],
                    any_secret(scope),
                ),
            ]
        },
        pruning: |scope| {
            vec![Grant::new(
                Access::Write,
                &["secretsmanager:DeleteSecret"],
                any_secret(scope),
            )]
        },
        leaving: |have| have.deletion_date.is_some(),
        delete: |_, _, orphans| {
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
        },
    }
}

fn any_secret(scope: &ArnScope) -> Vec<String> {
    vec![scope.arn("secretsmanager", "secret:*")]
}
