//! Reading keys: one paginated `ListAliases` (the alias → key id map; once per pass, shared
//! with the orphan search and import); when a manifest's alias is missing, the keys without
//! an alias that carry its manifest tag ([`leftovers`], from the pass's one `ListKeys`,
//! which the orphan search reads first); then per managed key
//! `DescribeKey`, and for an enabled key `GetKeyRotationStatus`, `ListResourceTags` and (only
//! when the manifest manages it) `GetKeyPolicy`, at once, for 8 keys at a time.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::kms_key::KmsKeySpec;
use afu9_spec::tags::{MANIFEST_KEY, Tags, carries_ownership_tag};
use aws_sdk_kms::Client;
use futures_util::future::try_join3;

use super::KmsKeyObserved;
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};

/// How many keys are read at once (each with up to three reads in flight).
const CONCURRENCY: usize = 8;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<KmsKeySpec>],
) -> Result<Vec<Option<KmsKeyObserved>>, AwsError> {
    let aliases = list_aliases(aws).await?;
    let kms = aws.kms();
    let missing = want
        .iter()
        .any(|r| !aliases.contains_key(&KmsKeySpec::alias(r.name())));
    let leftovers = if missing {
        leftovers(aws, &aliases).await?
    } else {
        HashMap::new()
    };
    let reads = want.iter().map(|resource| {
        let target = match aliases.get(&KmsKeySpec::alias(resource.name())) {
            Some(key_id) => Some((key_id.clone(), true)),
            None => leftovers
                .get(resource.name())
                .map(|key_id| (key_id.clone(), false)),
        };
        async move {
            match target {
                Some((key_id, by_alias)) => {
                    let mut observed = read_key(kms, resource, key_id).await?;
                    observed.aliased = by_alias;
                    Ok(Some(observed))
                }
                None => Ok(None),
            }
        }
    });
    windowed(reads, CONCURRENCY).await
}

/// The keys no alias points to that this controller created for a manifest (they carry the
/// ownership tag and [`MANIFEST_KEY`]) and that are enabled: manifest name → key id. The
/// pass's `ListKeys`, then `DescribeKey` and `ListResourceTags` of each key without an alias
/// (none in the steady state: every key has its alias).
pub(super) async fn leftovers(
    aws: &Aws,
    aliases: &HashMap<String, String>,
) -> Result<HashMap<String, String>, AwsError> {
    let behind_alias: HashSet<&str> = aliases.values().map(String::as_str).collect();
    let keys = list_keys(aws).await?;
    let kms = aws.kms();
    let unaliased = keys
        .iter()
        .filter(|id| !behind_alias.contains(id.as_str()))
        .cloned();
    let reads = unaliased.map(|key_id| async move {
        let what = || format!("look for a leftover kms key: {key_id}");
        let metadata = kms
            .describe_key()
            .key_id(&key_id)
            .send()
            .await
            .map_err(|err| AwsError::from_sdk(what(), "DescribeKey", &err))?
            .key_metadata;
        let usable = metadata.is_some_and(|m| {
            m.key_state
                .as_ref()
                .is_some_and(|s| s.as_str() == "Enabled")
                && m.key_manager
                    .as_ref()
                    .is_some_and(|m| m.as_str() == "CUSTOMER")
        });
        if !usable {
            return Ok(None);
        }
        let tags = key_tags(kms, &key_id, what).await?;
        Ok(tags
            .get(MANIFEST_KEY)
            .filter(|_| carries_ownership_tag(&tags))
            .map(|name| (name.clone(), key_id)))
    });
    let mut found = HashMap::new();
    for (name, key_id) in windowed(reads, CONCURRENCY).await?.into_iter().flatten() {
        found.entry(name).or_insert(key_id);
    }
    Ok(found)
}

/// Every tag of the key `id`.
async fn key_tags(kms: &Client, id: &str, what: impl Fn() -> String) -> Result<Tags, AwsError> {
    let mut pages = kms
        .list_resource_tags()
        .key_id(id)
        .limit(50)
        .into_paginator()
        .send();
    let mut tags = Tags::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk(what(), "ListResourceTags", &err))?;
        tags.extend(
            page.tags
                .unwrap_or_default()
                .into_iter()
                .map(|tag| (tag.tag_key, tag.tag_value)),
        );
    }
    Ok(tags)
}

/// The id of every key of the account and region (the pass's shared listing).
pub(super) async fn list_keys(aws: &Aws) -> Result<Arc<Vec<String>>, AwsError> {
    aws.listing("KMS.ListKeys", || read_keys(aws.kms())).await
}

async fn read_keys(kms: &Client) -> Result<Vec<String>, AwsError> {
    let mut pages = kms.list_keys().limit(1000).into_paginator().send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk("list kms keys", "ListKeys", &err))?;
        keys.extend(
            page.keys
                .unwrap_or_default()
                .into_iter()
                .filter_map(|key| key.key_id),
        );
    }
    Ok(keys)
}

/// Every alias of the account and region and the key it names (the pass's shared listing).
pub(super) async fn list_aliases(aws: &Aws) -> Result<Arc<HashMap<String, String>>, AwsError> {
    aws.listing("KMS.ListAliases", || read_aliases(aws.kms()))
        .await
}

async fn read_aliases(kms: &Client) -> Result<HashMap<String, String>, AwsError> {
    let mut pages = kms.list_aliases().limit(100).into_paginator().send();
    let mut aliases = HashMap::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|err| AwsError::from_sdk("list kms aliases", "ListAliases", &err))?;
        for alias in page.aliases.unwrap_or_default() {
            if let (Some(name), Some(key)) = (alias.alias_name, alias.target_key_id) {
                aliases.insert(name, key);
            }
        }
    }
    Ok(aliases)
}

async fn read_key(
    kms: &Client,
    resource: &Resource<KmsKeySpec>,
    key_id: String,
) -> Result<KmsKeyObserved, AwsError> {
    let what = || format!("observe kms key alias/{}", resource.name());
    let metadata = kms
        .describe_key()
        .key_id(&key_id)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "DescribeKey", &err))?
        .key_metadata
        .ok_or_else(|| {
            AwsError::new(
                what(),
                "DescribeKey",
                crate::aws::ErrorClass::Terminal,
                "KMS answered without key metadata",
            )
        })?;
    let state = metadata
        .key_state
        .as_ref()
        .map_or_else(String::new, |s| s.as_str().to_owned());
    let manager = metadata
        .key_manager
        .as_ref()
        .map_or_else(String::new, |m| m.as_str().to_owned());
    let mut observed = KmsKeyObserved {
        key_id,
        manager,
        state,
        description: metadata.description.unwrap_or_default(),
        rotation: None,
        policy: None,
        tags: Tags::new(),
        aliased: true,
    };
    if observed.state != "Enabled" || observed.manager != "CUSTOMER" {
        return Ok(observed);
    }
    let id = observed.key_id.as_str();
    let rotation = async {
        kms.get_key_rotation_status()
            .key_id(id)
            .send()
            .await
            .map(|output| output.key_rotation_enabled)
            .map_err(|err| AwsError::from_sdk(what(), "GetKeyRotationStatus", &err))
    };
    let tags = key_tags(kms, id, what);
    let policy = async {
        if resource.spec.policy.is_none() {
            return Ok(None);
        }
        kms.get_key_policy()
            .key_id(id)
            .policy_name("default")
            .send()
            .await
            .map(|output| output.policy)
            .map_err(|err| AwsError::from_sdk(what(), "GetKeyPolicy", &err))
    };
    let (rotation, tags, policy) = try_join3(rotation, tags, policy).await?;
    observed.rotation = Some(rotation);
    observed.tags = tags;
    observed.policy = policy;
    Ok(observed)
}
