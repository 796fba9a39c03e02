//! Importing metric filters: every filter of every log group of the region (a filter name
//! used on two groups is imported once, from the first group by name: manifest names are
//! unique), its pattern as CloudWatch Logs stores it.

use afu9_spec::log_metric_filter::{LogMetricFilterSpec, MetricTransformation};

use super::{LiveFilter, LogMetricFilterObserved, LogMetricFilters, observe};
use crate::aws::Aws;
use crate::engine::{Discovery, ImportContext, Imports};

impl Imports for LogMetricFilters {
    const FILE: &'static str = "audit.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, LogMetricFilterSpec> {
        Box::pin(async move {
            let mut groups = observe::list_log_groups(aws).await?;
            groups.sort();
            let mut found = Vec::new();
            for group in groups {
                for (name, live) in observe::describe_filters(aws, &group).await? {
                    found.push((name, spec(&live)));
                }
            }
            Ok(found)
        })
    }

    fn import(
        cx: ImportContext<'_>,
        name: &str,
        have: &LogMetricFilterObserved,
    ) -> LogMetricFilterSpec {
        import(cx, name, have)
    }
}

/// The filter as a manifest: the probe (it names the filter's group, which `observe`
/// reads) and the import.
fn spec(live: &LiveFilter) -> LogMetricFilterSpec {
    LogMetricFilterSpec {
        log_group: live.log_group.clone(),
        pattern: live.pattern.clone(),
        metric: MetricTransformation {
            name: live.metric_name.clone(),
            namespace: live.namespace.clone(),
            value: live.value.clone(),
            default_value: live.default_value,
        },
    }
}

/// The filter as a manifest (a filter gone between listing and reading cannot be stated:
/// its group is not in the observation, so it is written with none).
fn import(
    _cx: ImportContext<'_>,
    _name: &str,
    have: &LogMetricFilterObserved,
) -> LogMetricFilterSpec {
    spec(&have.filter.clone().unwrap_or_default())
}

#[cfg(test)]
mod tests;
