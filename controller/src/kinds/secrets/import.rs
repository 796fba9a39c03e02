//! Importing secrets: every secret's configuration from `ListSecrets` and the kind's own
//! reads (never its value: no `GetSecretValue`). Automatic rotation imports as its Lambda
//! and schedule; a secret that does not rotate imports without `rotation` (manual rotation
//! needs a `maxAgeDays`, which is a policy, not a live fact).

use afu9_spec::secrets::{Rotation, Schedule, SecretSpec};
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::{SecretObserved, Secrets, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports, ListedOwners};
use crate::permissions::{ArnScope, Grant};

impl Imports for Secrets {
    const FILE: &'static str = "secrets.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, SecretSpec> {
        discover(aws)
    }

    fn live_id(have: &SecretObserved) -> Option<String> {
        Some(have.arn.clone())
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &SecretObserved) -> SecretSpec {
        import(cx, name, have)
    }

    fn listed_owners(aws: &Aws) -> ListedOwners<'_> {
        Box::pin(async move {
            Ok(Some(
                observe::every_secret(aws)
                    .await?
                    .iter()
                    .filter(|(_, entry)| {
                        entry.tags().iter().any(|tag| {
                            tag.key() == Some(MANAGED_BY_KEY)
                                && tag.value() == Some(MANAGED_BY_VALUE)
                        })
                    })
                    .map(|(name, _)| name.clone())
                    .collect(),
            ))
        })
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

/// Every secret not scheduled for deletion, from the pass's shared listing.
fn discover(aws: &Aws) -> Discovery<'_, SecretSpec> {
    Box::pin(async move {
        Ok(observe::every_secret(aws)
            .await?
            .iter()
            .filter(|(_, entry)| entry.deleted_date.is_none())
            .map(|(name, _)| (name.clone(), SecretSpec::default()))
            .collect())
    })
}

fn import(_cx: ImportContext<'_>, _name: &str, have: &SecretObserved) -> SecretSpec {
    let rotation = match (&have.rotation_lambda, &have.schedule) {
        (Some(lambda), Some(schedule)) if have.rotation_enabled => Some(Rotation {
            lambda: Some(lambda.clone()),
            after_days: match schedule {
                Schedule::Days(days) => u32::try_from(*days).ok(),
                Schedule::Expression(_) => None,
            },
            schedule: match schedule {
                Schedule::Days(_) => None,
                Schedule::Expression(expression) => Some(expression.clone()),
            },
            manual: None,
            max_age_days: None,
            rotated_after: None,
        }),
        _ => None,
    };
    SecretSpec {
        kms_key: have.kms_key.clone().filter(|key| !key.is_empty()),
        description: have.description.clone().filter(|d| !d.trim().is_empty()),
        rotation,
        create: false,
        tags: manifest_tags(&have.tags),
    }
}

#[cfg(test)]
mod tests;
