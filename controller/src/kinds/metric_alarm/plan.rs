//! The pure part of the alarm kind: the manifest as an alarm configuration (topic names
//! become ARNs), compared field by field with the live one; any difference is one
//! `PutMetricAlarm` with the whole configuration.

use afu9_spec::Resource;
use afu9_spec::metric_alarm::MetricAlarmSpec;
use serde_json::{Value, json};

use super::apply::AlarmOp;
use super::{AlarmConfig, MetricAlarmObserved};
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<MetricAlarmSpec>,
    have: Option<&MetricAlarmObserved>,
) -> Delta {
    let prefix = have.map_or("", |h| h.topic_arn_prefix.as_str());
    let config = desired_config(&want.spec, prefix);
    let live = have.and_then(|h| h.alarm.as_ref());
    let mut delta = if live.is_some() {
        Delta::exists()
    } else {
        Delta::missing()
    };
    let wanted = fields(&config);
    let before = live.map(|alarm| fields(&alarm.config));
    for (index, (path, value)) in wanted.iter().enumerate() {
        let live_value = before.as_ref().map(|fields| &fields[index].1);
        if live_value != Some(value) && !(live_value.is_none() && is_empty(value)) {
            delta.change(Change::new(*path, live_value.cloned(), Some(value.clone())));
        }
    }
    if !delta.changes.is_empty() {
        delta.op(AlarmOp::PutMetricAlarm {
            name: want.name().to_owned(),
            config: Box::new(config),
            tags: live
                .is_none()
                .then(|| cx.state.desired_tags(&want.spec.tags)),
        });
    }
    delta
}

/// A value not worth showing on a new alarm: none, or an empty list.
fn is_empty(value: &Value) -> bool {
    value.is_null() || value.as_array().is_some_and(Vec::is_empty)
}

/// The manifest as CloudWatch stores it: actions that name `SnsTopic` manifests become
/// `prefix` + name.
fn desired_config(spec: &MetricAlarmSpec, prefix: &str) -> AlarmConfig {
    let arns = |actions: &[String]| {
        actions
            .iter()
            .map(|action| {
                if action.starts_with("arn:") {
                    action.clone()
                } else {
                    format!("{prefix}{action}")
                }
            })
            .collect()
    };
    AlarmConfig {
        description: spec.description.clone(),
        metric_name: spec.metric.name.clone(),
        namespace: spec.metric.namespace.clone(),
        dimensions: spec.metric.dimensions.clone(),
        statistic: spec.statistic.as_str().to_owned(),
        period: spec.period,
        evaluation_periods: spec.evaluation_periods,
        threshold: spec.threshold,
        comparison: spec.comparison.as_str().to_owned(),
        treat_missing_data: spec.treat_missing_data.as_str().to_owned(),
        alarm_actions: arns(&spec.alarm_actions),
        ok_actions: arns(&spec.ok_actions),
    }
}

/// A configuration as `(path, value)` pairs in the manifest's vocabulary, always in the same
/// order.
fn fields(config: &AlarmConfig) -> Vec<(&'static str, Value)> {
    vec![
        (
            "spec.description",
            config
                .description
                .as_deref()
                .map_or(Value::Null, Value::from),
        ),
        (
            "spec.metric",
            json!({"name": config.metric_name, "namespace": config.namespace, "dimensions": config.dimensions}),
        ),
        ("spec.statistic", config.statistic.as_str().into()),
        ("spec.period", config.period.into()),
        ("spec.evaluationPeriods", config.evaluation_periods.into()),
        ("spec.threshold", config.threshold.into()),
        ("spec.comparison", config.comparison.as_str().into()),
        (
            "spec.treatMissingData",
            config.treat_missing_data.as_str().into(),
        ),
        ("spec.alarmActions", json!(config.alarm_actions)),
        ("spec.okActions", json!(config.ok_actions)),
    ]
}

#[cfg(test)]
mod tests;
