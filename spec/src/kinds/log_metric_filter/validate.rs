//! Rules for `LogMetricFilter` manifests: names and lengths, and the link to the trail whose
//! events a CloudTrail filter counts (it only ever matches what a trail delivers to its log
//! group, and read events only when that trail records them).

use super::LogMetricFilterSpec;
use super::pattern::{is_cloudtrail_pattern, read_events_named};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::rule_error;

/// A CloudTrail filter on a log group no `CloudTrail` manifest delivers to.
pub const NO_TRAIL_DELIVERS: &str = "AFU9-FILTER-010";
/// A filter counting read events from a trail that does not record them.
pub const TRAIL_SKIPS_READ_EVENTS: &str = "AFU9-FILTER-011";

impl Validate for LogMetricFilterSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for filter in &state.log_metric_filters {
            check(filter, errors);
            check_trail_link(state, filter, errors);
        }
    }
}

/// Log group names: 1-512 of letters, digits, `.`, `-`, `_`, `/`, `#`.
pub(crate) fn is_log_group_name(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'#'))
}

fn check(filter: &Resource<LogMetricFilterSpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(filter);
    let spec = &filter.spec;
    let name = filter.name();
    if name.len() > 512 || name.contains([':', '*']) {
        errors.push(error(
            "metadata.name",
            "AFU9-FILTER-001",
            format!(
                "`{name}` is not a valid metric filter name (at most 512 characters, no `:` or `*`)"
            ),
        ));
    }
    if !is_log_group_name(&spec.log_group) {
        errors.push(error(
            "spec.logGroup",
            "AFU9-FILTER-002",
            format!("`{}` is not a valid log group name", spec.log_group),
        ));
    }
    if spec.pattern.len() > 1024 {
        errors.push(error(
            "spec.pattern",
            "AFU9-FILTER-003",
            "a filter pattern is at most 1024 characters".to_owned(),
        ));
    }
    let metric = &spec.metric;
    for (field, value) in [
        ("spec.metric.name", &metric.name),
        ("spec.metric.namespace", &metric.namespace),
        ("spec.metric.value", &metric.value),
    ] {
        if value.trim().is_empty() || value.len() > 255 {
            errors.push(error(
                field,
                "AFU9-FILTER-004",
                "must be 1-255 characters".to_owned(),
            ));
        }
    }
}

fn check_trail_link(
    state: &DesiredState,
    filter: &Resource<LogMetricFilterSpec>,
    errors: &mut Vec<ManifestError>,
) {
    let spec = &filter.spec;
    if !is_cloudtrail_pattern(&spec.pattern) {
        return;
    }
    let error = rule_error(filter);
    let delivering: Vec<_> = state
        .cloud_trails
        .iter()
        .filter(|trail| {
            trail
                .spec
                .cloud_watch_logs
                .as_ref()
                .is_some_and(|logs| logs.log_group == spec.log_group)
        })
        .collect();
    if delivering.is_empty() {
        errors.push(
            error(
                "spec.logGroup",
                NO_TRAIL_DELIVERS,
                format!(
                    "the pattern matches CloudTrail events, but no CloudTrail manifest delivers to `{}`: the filter would never match",
                    spec.log_group
                ),
            )
            .hint("set the trail's cloudWatchLogs.logGroup to this log group"),
        );
        return;
    }
    let reads = read_events_named(&spec.pattern);
    if reads.is_empty() || delivering.iter().any(|t| t.spec.management_events.read) {
        return;
    }
    let trails: Vec<&str> = delivering.iter().map(|t| t.name()).collect();
    errors.push(
        error(
            "spec.pattern",
            TRAIL_SKIPS_READ_EVENTS,
            format!(
                "the pattern counts read events ({}), but the trail {} delivering to `{}` does not record read management events: the filter would never match",
                reads.join(", "),
                trails.join(", "),
                spec.log_group
            ),
        )
        .hint("set managementEvents.read: true on the trail"),
    );
}
