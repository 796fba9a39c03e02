//! Importing secrets: every secret's configuration from `ListSecrets` and the kind's own
//! reads (never its value: no `GetSecretValue`). Automatic rotation imports as its Lambda
//! and schedule; a secret that does not rotate imports without `rotation` (manual rotation
//! needs a `maxAgeDays`, which is a policy, not a live fact).

use afu9_spec::secrets::{Rotation, Schedule, SecretSpec};

use super::{SecretObserved, Secrets};
use crate::aws::{Aws, AwsError};
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};
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

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

fn discover(aws: &Aws) -> Discovery<'_, SecretSpec> {
    Box::pin(async move {
        let mut found = Vec::new();
        let mut pages = aws
            .secretsmanager
            .list_secrets()
            .max_results(100)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|err| AwsError::from_sdk("list secrets", "ListSecrets", &err))?;
            for secret in page.secret_list.unwrap_or_default() {
                if let Some(name) = secret.name {
                    found.push((name, SecretSpec::default()));
                }
            }
        }
        Ok(found)
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
