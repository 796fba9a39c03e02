//! Reading secrets: one paginated `ListSecrets` filtered by the managed names (100 secrets a
//! page: one call for the AFU-9 posture), then `ListSecretVersionIds` only for manually
//! rotated secrets with `maxAgeDays` and secrets with `rotatedAfter`, to date their current
//! value (and a rotation in progress).
//!
//! A name filter takes at most ten values, each matching names by prefix. Up to ten managed
//! secrets are listed by their exact names; more are listed by at most ten common prefixes
//! of their names (`afu9/db-` for `afu9/db-1`…`afu9/db-250`), so a pass costs one call per
//! 100 secrets matched rather than one per ten managed; secrets that merely share a prefix
//! are dropped. Managed names with no common prefix at all fall back to listing every secret.
//!
//! A whole pass (one that looks for orphans) lists every secret anyway: observation then
//! reads the pass's shared listing of every secret instead, so the pass makes one
//! `ListSecrets` per 100 secrets of the account, not two listings.
//!
//! `ListSecrets` carries everything else (description, KMS key, rotation, tags, dates). Its
//! `LastChangedDate` is no measure of a value's age: any configuration change (a tag) moves
//! it. The creation date of the `AWSCURRENT` version is. Neither call returns a value.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use afu9_spec::Resource;
use afu9_spec::secrets::{Schedule, SecretSpec};
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::types::{Filter, FilterNameStringType, SecretListEntry};

use super::SecretObserved;
use crate::aws::{Aws, AwsError};

/// The most values one `ListSecrets` filter takes.
const NAMES_PER_FILTER: usize = 10;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<SecretSpec>],
    now: SystemTime,
) -> Result<Vec<Option<SecretObserved>>, AwsError> {
    let client = aws.secretsmanager();
    let observed_at = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let names: HashSet<&str> = want.iter().map(Resource::name).collect();
    let mut live = HashMap::new();
    if aws.whole_pass() {
        live.extend(
            every_secret(aws)
                .await?
                .iter()
                .filter(|(name, _)| names.contains(name.as_str()))
                .map(|(name, entry)| (name.clone(), entry.clone())),
        );
    } else {
        list_secrets(client, &name_prefixes(&names), Some(&names), &mut live).await?;
    }
    let mut observed = Vec::with_capacity(want.len());
    for resource in want {
        let Some(entry) = live.remove(resource.name()) else {
            observed.push(None);
            continue;
        };
        let mut secret = from_entry(entry, observed_at);
        let dates_value = resource.spec.rotation.as_ref().is_some_and(|r| {
            (r.is_manual() && r.max_age_days.is_some()) || r.rotated_after.is_some()
        });
        if dates_value && secret.has_value && secret.deletion_date.is_none() {
            (secret.value_stored, secret.rotation_pending) =
                version_dates(client, &secret.arn).await?;
        }
        observed.push(Some(secret));
    }
    Ok(observed)
}

/// At most [`NAMES_PER_FILTER`] name prefixes that together match every name in `names`:
/// the names themselves when they are few enough; otherwise, in name order, the two
/// neighbours with the longest common prefix are merged into it until few enough remain.
/// Empty when the names share no prefix (list every secret).
pub(super) fn name_prefixes(names: &HashSet<&str>) -> Vec<String> {
    let mut prefixes: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    prefixes.sort_unstable();
    // common[i]: the common prefix length of prefixes i and i + 1.
    let mut common: Vec<usize> = prefixes
        .windows(2)
        .map(|pair| common_prefix_len(&pair[0], &pair[1]))
        .collect();
    while prefixes.len() > NAMES_PER_FILTER {
        let (at, len) = common
            .iter()
            .copied()
            .enumerate()
            .max_by_key(|&(at, len)| (len, std::cmp::Reverse(at)))
            .unwrap_or((0, 0));
        if len == 0 {
            return Vec::new();
        }
        prefixes[at].truncate(len);
        prefixes.remove(at + 1);
        common.remove(at);
        if at > 0 {
            common[at - 1] = common_prefix_len(&prefixes[at - 1], &prefixes[at]);
        }
        if at < common.len() {
            common[at] = common_prefix_len(&prefixes[at], &prefixes[at + 1]);
        }
    }
    prefixes
}

/// The length in bytes of the longest common prefix of `a` and `b`, on a char boundary.
fn common_prefix_len(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or_else(|| a.len().min(b.len()), |((at, _), _)| at)
}

/// Every secret of the account and region by name, those scheduled for deletion included
/// (the pass's shared listing).
pub(super) async fn every_secret(
    aws: &Aws,
) -> Result<Arc<HashMap<String, SecretListEntry>>, AwsError> {
    aws.listing("SecretsManager.ListSecrets", || async {
        let mut live = HashMap::new();
        list_secrets(aws.secretsmanager(), &[], None, &mut live).await?;
        Ok(live)
    })
    .await
}

/// Adds the secrets named in `names` (every one when `None`) to `live`, those scheduled for
/// deletion included, listing those whose names start with one of `prefixes` (every secret
/// when empty).
async fn list_secrets(
    client: &Client,
    prefixes: &[String],
    names: Option<&HashSet<&str>>,
    live: &mut HashMap<String, SecretListEntry>,
) -> Result<(), AwsError> {
    let filter = (!prefixes.is_empty()).then(|| {
        Filter::builder()
            .key(FilterNameStringType::Name)
            .set_values(Some(prefixes.to_vec()))
            .build()
    });
    let mut pages = client
        .list_secrets()
        .set_filters(filter.map(|f| vec![f]))
        .include_planned_deletion(true)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk("list secrets", "ListSecrets", &err))?;
        for entry in page.secret_list.unwrap_or_default() {
            if let Some(name) = entry.name.clone()
                && names.is_none_or(|names| names.contains(name.as_str()))
            {
                live.insert(name, entry);
            }
        }
    }
    Ok(())
}

/// When the `AWSCURRENT` version was created, and the `AWSPENDING` version if a rotation is
/// in progress (pending on a version that is not current).
async fn version_dates(client: &Client, arn: &str) -> Result<(Option<i64>, Option<i64>), AwsError> {
    let (mut current, mut pending) = (None, None);
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
        for version in page.versions.unwrap_or_default() {
            let stages = version.version_stages.unwrap_or_default();
            let has = |stage: &str| stages.iter().any(|s| s == stage);
            let created = version.created_date.map(|d| d.secs());
            if has("AWSCURRENT") {
                current = created;
            } else if has("AWSPENDING") {
                pending = created;
            }
        }
    }
    Ok((current, pending))
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
        rotation_pending: None,
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{NAMES_PER_FILTER, name_prefixes};

    fn prefixes(names: &[&str]) -> Vec<String> {
        name_prefixes(&names.iter().copied().collect::<HashSet<_>>())
    }

    #[test]
    fn up_to_ten_names_are_listed_by_their_exact_names() {
        assert_eq!(
            prefixes(&["afu9/llm", "afu9/database", "afu9/github"]),
            ["afu9/database", "afu9/github", "afu9/llm"]
        );
    }

    #[test]
    fn more_names_are_covered_by_at_most_ten_longest_common_prefixes() {
        let mut names: Vec<String> = (0..250).map(|i| format!("bench/secret-{i:04}")).collect();
        names.extend(["afu9/database", "afu9/github", "afu9/llm"].map(str::to_owned));
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let found = prefixes(&names);
        assert!(found.len() <= NAMES_PER_FILTER, "{found:?}");
        for name in &names {
            assert!(
                found.iter().any(|p| name.starts_with(p.as_str())),
                "{name}: {found:?}"
            );
        }
        // The AFU-9 secrets keep their own prefix rather than one shared with the rest.
        assert!(found.iter().any(|p| p.starts_with("afu9/")), "{found:?}");
        assert!(found.iter().all(|p| !p.is_empty() && p != "b"), "{found:?}");
    }

    #[test]
    fn names_without_a_common_prefix_list_everything() {
        let names: Vec<String> = ('a'..='l').map(|c| format!("{c}-secret")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(prefixes(&names).is_empty());
    }

    #[test]
    fn prefixes_end_on_a_char_boundary() {
        let names: Vec<String> = (0..11).map(|i| format!("é{i}x")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        for prefix in prefixes(&names) {
            assert!(names.iter().any(|n| n.starts_with(prefix.as_str())));
        }
    }
}
