//! Reading secrets: `ListSecrets` filtered by the managed names (ten names a filter, 100
//! secrets a page: one call for the AFU-9 posture), then `ListSecretVersionIds` only for
//! manually rotated secrets with `maxAgeDays`, to date their current value.
//!
//! `ListSecrets` carries everything else (description, KMS key, rotation, tags, dates). Its
//! `LastChangedDate` is no measure of a value's age: any configuration change (a tag) moves
//! it. The creation date of the `AWSCURRENT` version is. Neither call returns a value.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use afu9_spec::Resource;
use afu9_spec::secrets::{Schedule, SecretSpec};
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, SecretListEntry};

use super::SecretObserved;
use crate::aws::AwsError;

/// The most values one `ListSecrets` filter takes.
const NAMES_PER_FILTER: usize = 10;

pub(super) async fn observe(
    client: &Client,
    want: &[Resource<SecretSpec>],
    now: SystemTime,
) -> Result<Vec<Option<SecretObserved>>, AwsError> {
    let observed_at = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let names: Vec<&str> = want.iter().map(Resource::name).collect();
    let mut live = HashMap::new();
    for chunk in names.chunks(NAMES_PER_FILTER) {
        list_secrets(client, chunk, &mut live).await?;
    }
    let mut observed = Vec::with_capacity(want.len());
    for resource in want {
        let Some(entry) = live.remove(resource.name()) else {
            observed.push(None);
            continue;
        };
        let mut secret = from_entry(entry, observed_at);
        let dates_value = resource
            .spec
            .rotation
            .as_ref()
            .is_some_and(|r| r.is_manual() && r.max_age_days.is_some());
        if dates_value && secret.has_value && secret.deletion_date.is_none() {
            secret.value_stored = current_version_date(client, &secret.arn).await?;
        }
        observed.push(Some(secret));
    }
    Ok(observed)
}

/// Adds the secrets named `names` (exactly; the filter matches prefixes) to `live`, those
/// scheduled for deletion included.
async fn list_secrets(
    client: &Client,
    names: &[&str],
    live: &mut HashMap<String, SecretListEntry>,
) -> Result<(), AwsError> {
    let filter = Filter::builder()
        .key(FilterNameStringType::Name)
        .set_values(Some(names.iter().map(|n| (*n).to_owned()).collect()))
        .build();
    let mut pages = client
        .list_secrets()
        .filters(filter)
        .include_planned_deletion(true)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk("list secrets", "ListSecrets", &err))?;
        for entry in page.secret_list.unwrap_or_default() {
            if let Some(name) = entry.name.clone()
                && names.contains(&name.as_str())
            {
                live.insert(name, entry);
            }
        }
    }
    Ok(())
}

/// When the `AWSCURRENT` version was created.
async fn current_version_date(client: &Client, arn: &str) -> Result<Option<i64>, AwsError> {
    let mut pages = client
        .list_secret_version_ids()
        .secret_id(arn)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk(
                format!("observe secret {arn}"),
                "ListSecretVersionIds",
                &err,
            )
        })?;
        let current = page.versions.unwrap_or_default().into_iter().find(|v| {
            v.version_stages
                .as_deref()
                .is_some_and(|stages| stages.iter().any(|s| s == "AWSCURRENT"))
        });
        if let Some(version) = current {
            return Ok(version.created_date.map(|d| d.secs()));
        }
    }
    Ok(None)
}

fn from_entry(entry: SecretListEntry, observed_at: i64) -> SecretObserved {
    let rules = entry.rotation_rules.as_ref();
    let schedule = rules.and_then(|rules| {
        match (&rules.schedule_expression, rules.automatically_after_days) {
            (Some(expression), _) if !expression.trim().is_empty() => {
                Some(Schedule::from_expression(expression))
            }
            (_, Some(days)) if days > 0 => Some(Schedule::Days(days)),
            _ => None,
        }
    });
    SecretObserved {
        arn: entry.arn.unwrap_or_default(),
        description: entry.description.filter(|d| !d.is_empty()),
        kms_key: entry.kms_key_id.filter(|k| !k.is_empty()),
        rotation_enabled: entry.rotation_enabled.unwrap_or(false),
        rotation_lambda: entry.rotation_lambda_arn.filter(|l| !l.is_empty()),
        schedule,
        has_value: entry
            .secret_versions_to_stages
            .is_some_and(|versions| !versions.is_empty()),
        created: entry.created_date.map(|d| d.secs()),
        last_rotated: entry.last_rotated_date.map(|d| d.secs()),
        value_stored: None,
        deletion_date: entry.deleted_date.map(|d| d.secs()),
        observed_at,
        tags: entry
            .tags
            .unwrap_or_default()
            .into_iter()
            .filter_map(|tag| Some((tag.key?, tag.value.unwrap_or_default())))
            .collect(),
    }
}
