//! Reading metric filters: per distinct log group of the manifests, one `DescribeLogGroups`
//! (does the group exist?) and one paginated `DescribeMetricFilters` for all its filters.

use std::collections::{BTreeSet, HashMap};

use afu9_spec::Resource;
use afu9_spec::log_metric_filter::LogMetricFilterSpec;

use super::{LiveFilter, LogMetricFilterObserved};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::refs::logs::log_group_arn;

/// How many log groups are read at once.
const CONCURRENCY: usize = 4;

/// One log group: whether it exists, and its filters by name.
type GroupFilters = (bool, HashMap<String, LiveFilter>);

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<LogMetricFilterSpec>],
) -> Result<Vec<Option<LogMetricFilterObserved>>, AwsError> {
    let groups: BTreeSet<&str> = want.iter().map(|r| r.spec.log_group.as_str()).collect();
    let read = windowed(
        groups.iter().map(|group| async move {
            let exists = log_group_arn(aws, group).await?.is_some();
            let filters = if exists {
                describe_filters(aws, group).await?
            } else {
                HashMap::new()
            };
            Ok::<_, AwsError>((*group, (exists, filters)))
        }),
        CONCURRENCY,
    )
    .await?;
    let by_group: HashMap<&str, GroupFilters> = read.into_iter().collect();
    Ok(want
        .iter()
        .map(|resource| {
            let (exists, filters) = &by_group[resource.spec.log_group.as_str()];
            Some(LogMetricFilterObserved {
                log_group_exists: *exists,
                filter: filters.get(resource.name()).cloned(),
            })
        })
        .collect())
}

/// Every log group of the region, page by page (what `afu9ctl import` reads the filters of).
pub(super) async fn list_log_groups(aws: &Aws) -> Result<Vec<String>, AwsError> {
    let mut pages = aws.logs().describe_log_groups().into_paginator().send();
    let mut groups = Vec::new();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|err| AwsError::from_sdk("list log groups", "DescribeLogGroups", &err))?;
        groups.extend(
            page.log_groups
                .unwrap_or_default()
                .into_iter()
                .filter_map(|group| group.log_group_name),
        );
    }
    Ok(groups)
}

/// Every filter of `group` by name. A name listed twice (moto appends on every
/// `PutMetricFilter` instead of replacing) is read as its last entry, the latest put, which
/// is what AWS keeps.
pub(super) async fn describe_filters(
    aws: &Aws,
    group: &str,
) -> Result<HashMap<String, LiveFilter>, AwsError> {
    let mut pages = aws
        .logs()
        .describe_metric_filters()
        .log_group_name(group)
        .into_paginator()
        .send();
    let mut filters = HashMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| {
            AwsError::from_sdk(
                format!("observe metric filters of {group}"),
                "DescribeMetricFilters",
                &err,
            )
        })?;
        for filter in page.metric_filters.unwrap_or_default() {
            let Some(name) = filter.filter_name else {
                continue;
            };
            let metric = filter
                .metric_transformations
                .unwrap_or_default()
                .into_iter()
                .next();
            filters.insert(
                name,
                LiveFilter {
                    log_group: group.to_owned(),
                    pattern: filter.filter_pattern.unwrap_or_default(),
                    metric_name: metric
                        .as_ref()
                        .map(|m| m.metric_name.clone())
                        .unwrap_or_default(),
                    namespace: metric
                        .as_ref()
                        .map(|m| m.metric_namespace.clone())
                        .unwrap_or_default(),
                    value: metric
                        .as_ref()
                        .map(|m| m.metric_value.clone())
                        .unwrap_or_default(),
                    default_value: metric.and_then(|m| m.default_value),
                },
            );
        }
    }
    Ok(filters)
}
