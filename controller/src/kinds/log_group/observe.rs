//! Reading log groups: per group one `DescribeLogGroups` by name prefix (the group is the
//! exact match), or, in a pass that looks for orphans, the one listing of every group it
//! shares; for an existing group, `ListTagsForResource`; KMS `DescribeKey` only
//! when a wanted alias and the live key ARN differ in text.

use std::collections::BTreeMap;
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::log_group::LogGroupSpec;
use aws_sdk_cloudwatchlogs::types::LogGroup;

use super::LogGroupObserved;
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::diff::kms::canonical_kms_key;
use crate::refs::kms::resolve_aliases;

/// How many groups are read at once.
const CONCURRENCY: usize = 8;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<LogGroupSpec>],
) -> Result<Vec<Option<LogGroupObserved>>, AwsError> {
    windowed(want.iter().map(|r| observe_one(aws, r)), CONCURRENCY).await
}

async fn observe_one(
    aws: &Aws,
    resource: &Resource<LogGroupSpec>,
) -> Result<Option<LogGroupObserved>, AwsError> {
    // A pass that looks for orphans lists every group anyway: each group is read from it.
    let group = if aws.whole_pass() {
        list_groups(aws).await?.get(resource.name()).cloned()
    } else {
        describe(aws, resource.name()).await?
    };
    let Some(mut group) = group else {
        return Ok(None);
    };
    let what = || format!("observe log group {}", resource.name());
    group.tags = aws
        .logs()
        .list_tags_for_resource()
        .resource_arn(&group.arn)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "ListTagsForResource", &err))?
        .tags
        .unwrap_or_default()
        .into_iter()
        .collect();
    if let (Some(want), Some(live)) = (&resource.spec.kms_key, &group.kms_key)
        && canonical_kms_key(want) != canonical_kms_key(live)
    {
        group.kms_keys = resolve_aliases(aws, &[want, live]).await?;
    }
    Ok(Some(group))
}

/// Every group of the region by name (`DescribeLogGroups`, paginated), listed once per pass
/// for observation, the orphan search and import.
pub(super) async fn list_groups(
    aws: &Aws,
) -> Result<Arc<BTreeMap<String, LogGroupObserved>>, AwsError> {
    aws.listing("CloudWatchLogs.DescribeLogGroups", || async {
        let mut groups = BTreeMap::new();
        let mut pages = aws.logs().describe_log_groups().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page
                .map_err(|err| AwsError::from_sdk("list log groups", "DescribeLogGroups", &err))?;
            groups.extend(
                page.log_groups
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|g| Some((g.log_group_name.clone()?, observed(g)))),
            );
        }
        Ok(groups)
    })
    .await
}

/// The group named `name`, if it exists.
pub(super) async fn describe(aws: &Aws, name: &str) -> Result<Option<LogGroupObserved>, AwsError> {
    let output = aws
        .logs()
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                format!("observe log group {name}"),
                "DescribeLogGroups",
                &err,
            )
        })?;
    Ok(output
        .log_groups
        .unwrap_or_default()
        .into_iter()
        .find(|g| g.log_group_name.as_deref() == Some(name))
        .map(observed))
}

/// A described group, before its tags and key aliases are read.
fn observed(group: LogGroup) -> LogGroupObserved {
    LogGroupObserved {
        arn: group
            .arn
            .map(|arn| arn.strip_suffix(":*").map(str::to_owned).unwrap_or(arn))
            .unwrap_or_default(),
        retention_days: group.retention_in_days.and_then(|d| u32::try_from(d).ok()),
        kms_key: group.kms_key_id.filter(|k| !k.is_empty()),
        ..LogGroupObserved::default()
    }
}
