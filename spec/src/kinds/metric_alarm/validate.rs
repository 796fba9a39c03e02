//! Rules for `MetricAlarm` manifests: names, periods, actions that name `SnsTopic`
//! manifests, and a warning for an alarm that notifies no one.

use std::collections::BTreeSet;

use super::MetricAlarmSpec;
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Warning: an alarm without alarm actions changes state and tells no one.
pub const NO_ACTIONS: &str = "AFU9-ALARM-010";

impl Validate for MetricAlarmSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        let topics: BTreeSet<&str> = state.sns_topics.iter().map(Resource::name).collect();
        for alarm in &state.metric_alarms {
            check(alarm, &topics, errors);
            check_tags(&alarm.source, &alarm.spec.tags, errors);
        }
    }
}

fn check(
    alarm: &Resource<MetricAlarmSpec>,
    topics: &BTreeSet<&str>,
    errors: &mut Vec<ManifestError>,
) {
    let error = rule_error(alarm);
    let spec = &alarm.spec;
    if alarm.name().len() > 255 {
        errors.push(error(
            "metadata.name",
            "AFU9-ALARM-001",
            "an alarm name is at most 255 characters".to_owned(),
        ));
    }
    if !(spec.period == 10
        || spec.period == 30
        || (spec.period >= 60 && spec.period.is_multiple_of(60)))
    {
        errors.push(error(
            "spec.period",
            "AFU9-ALARM-003",
            format!(
                "a period of {} s: CloudWatch takes 10, 30 or a multiple of 60",
                spec.period
            ),
        ));
    }
    if spec.evaluation_periods == 0 || !spec.threshold.is_finite() {
        errors.push(error(
            "spec.evaluationPeriods",
            "AFU9-ALARM-004",
            "evaluationPeriods must be at least 1 and the threshold a finite number".to_owned(),
        ));
    }
    for (list, actions) in [
        ("alarmActions", &spec.alarm_actions),
        ("okActions", &spec.ok_actions),
    ] {
        for (index, action) in actions.iter().enumerate() {
            if !action.starts_with("arn:") && !topics.contains(action.as_str()) {
                errors.push(
                    error(
                        &format!("spec.{list}[{index}]"),
                        "AFU9-ALARM-002",
                        format!("`{action}` names no SnsTopic manifest"),
                    )
                    .hint("name an SnsTopic manifest, or give the topic's ARN"),
                );
            }
        }
    }
    if spec.alarm_actions.is_empty() {
        errors.push(
            error(
                "spec.alarmActions",
                NO_ACTIONS,
                "the alarm notifies no one when it fires".to_owned(),
            )
            .hint("add alarmActions: [<SnsTopic name>]")
            .warning(),
        );
    }
}
