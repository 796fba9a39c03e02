//! Importing alarms: every metric alarm of the region whose configuration the manifest can
//! state (one metric, a simple statistic, a threshold comparison: not metric math,
//! percentiles or anomaly bands). An action on an imported `SnsTopic` names it by its
//! manifest name.

use afu9_spec::metric_alarm::{AlarmMetric, Comparison, MetricAlarmSpec};
use serde::de::DeserializeOwned;

use super::{AlarmConfig, LiveAlarm, MetricAlarmObserved, MetricAlarms, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports, TaggedType};
use crate::permissions::{ArnScope, Grant};

impl Imports for MetricAlarms {
    const FILE: &'static str = "audit.yaml";
    const TAGGED: Option<TaggedType> = Some(TaggedType {
        service: "cloudwatch",
        prefix: "alarm:",
    });

    fn discover(aws: &Aws) -> Discovery<'_, MetricAlarmSpec> {
        Box::pin(async move {
            Ok(observe::every_alarm(aws)
                .await?
                .iter()
                .filter(|(_, live)| stateable(&live.config))
                .map(|(name, _)| (name.clone(), probe()))
                .collect())
        })
    }

    fn live_id(have: &MetricAlarmObserved) -> Option<String> {
        have.alarm.as_ref().map(|alarm| alarm.arn.clone())
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &MetricAlarmObserved) -> MetricAlarmSpec {
        import(cx, name, have)
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

/// Alarms are read whole whatever the manifest says.
fn probe() -> MetricAlarmSpec {
    MetricAlarmSpec {
        description: None,
        metric: AlarmMetric {
            name: String::new(),
            namespace: String::new(),
            dimensions: std::collections::BTreeMap::new(),
        },
        statistic: afu9_spec::metric_alarm::Statistic::default(),
        period: 0,
        evaluation_periods: 0,
        threshold: 0.0,
        comparison: Comparison::GreaterThanOrEqualToThreshold,
        treat_missing_data: afu9_spec::metric_alarm::MissingData::default(),
        alarm_actions: Vec::new(),
        ok_actions: Vec::new(),
        tags: afu9_spec::tags::Tags::new(),
    }
}

/// Whether the manifest's vocabulary can state the alarm.
fn stateable(config: &AlarmConfig) -> bool {
    !config.metric_name.is_empty()
        && parse::<afu9_spec::metric_alarm::Statistic>(&config.statistic).is_some()
        && parse::<Comparison>(&config.comparison).is_some()
        && parse::<afu9_spec::metric_alarm::MissingData>(&config.treat_missing_data).is_some()
}

/// CloudWatch's name of a statistic, comparison or missing-data treatment as the manifest's.
fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::from(text)).ok()
}

/// The alarm as a manifest (an alarm gone between listing and reading: the probe's).
fn import(cx: ImportContext<'_>, _name: &str, have: &MetricAlarmObserved) -> MetricAlarmSpec {
    have.alarm
        .as_ref()
        .map_or_else(probe, |alarm| import_alarm(cx, alarm))
}

fn import_alarm(cx: ImportContext<'_>, alarm: &LiveAlarm) -> MetricAlarmSpec {
    let config = &alarm.config;
    let actions = |arns: &std::collections::BTreeSet<String>| {
        arns.iter()
            .map(|arn| cx.name_of(arn).map_or_else(|| arn.clone(), str::to_owned))
            .collect()
    };
    MetricAlarmSpec {
        description: config.description.clone(),
        metric: AlarmMetric {
            name: config.metric_name.clone(),
            namespace: config.namespace.clone(),
            dimensions: config.dimensions.clone(),
        },
        statistic: parse(&config.statistic).unwrap_or_default(),
        period: config.period,
        evaluation_periods: config.evaluation_periods,
        threshold: config.threshold,
        comparison: parse(&config.comparison).unwrap_or(Comparison::GreaterThanOrEqualToThreshold),
        treat_missing_data: parse(&config.treat_missing_data).unwrap_or_default(),
        alarm_actions: actions(&config.alarm_actions),
        ok_actions: actions(&config.ok_actions),
        tags: manifest_tags(&alarm.tags),
    }
}

#[cfg(test)]
mod tests;
