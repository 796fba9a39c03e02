//! Reading keys: one paginated `ListAliases` (the alias → key id map; once per pass, shared
//! with the orphan search and import), then per managed key
//! `DescribeKey`, and for an enabled key `GetKeyRotationStatus`, `ListResourceTags` and (only
//! when the manifest manages it) `GetKeyPolicy`, at once, for 8 keys at a time.

use std::collections::HashMap;
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::kms_key::KmsKeySpec;
use afu9_spec::tags::Tags;
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
    let kms = &aws.kms;
    let reads = want.iter().map(|resource| {
        let target = aliases.get(&KmsKeySpec::alias(resource.name())).cloned();
        async move {
            match target {
                Some(key_id) => read_key(kms, resource, key_id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    windowed(reads, CONCURRENCY).await
}

/// Every alias of the account and region and the key it names (the pass's shared listing).
pub(super) async fn list_aliases(aws: &Aws) -> Result<Arc<HashMap<String, String>>, AwsError> {
    aws.listing("KMS.ListAliases", || read_aliases(&aws.kms))
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
    let tags = async {
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
    };
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
