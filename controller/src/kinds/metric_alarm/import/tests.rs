use std::collections::{BTreeMap, BTreeSet};

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

const PREFIX: &str = "arn:aws:sns:eu-central-1:123456789012:";

/// The guide's secret-access alarm as CloudWatch reports it.
fn secret_access() -> MetricAlarmObserved {
    MetricAlarmObserved {
        alarm: Some(LiveAlarm {
            arn: "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:afu9-secret-access".to_owned(),
            config: AlarmConfig {
                description: Some("an AFU-9 secret was read".to_owned()),
                metric_name: "SecretAccessCount".to_owned(),
                namespace: "AFU9/Security".to_owned(),
                dimensions: BTreeMap::new(),
                statistic: "Sum".to_owned(),
                period: 300,
                evaluation_periods: 1,
                threshold: 1.0,
                comparison: "GreaterThanOrEqualToThreshold".to_owned(),
                treat_missing_data: "notBreaching".to_owned(),
                alarm_actions: BTreeSet::from([format!("{PREFIX}afu9-security-alerts")]),
                ok_actions: BTreeSet::new(),
            },
            tags: [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
                .into_iter()
                .collect(),
        }),
        topic_arn_prefix: PREFIX.to_owned(),
    }
}

#[test]
fn an_alarm_imports_in_sync() {
    let plan = round_trip::<MetricAlarms>(
        "afu9-secret-access",
        &secret_access(),
        &BTreeMap::new(),
        None,
    );
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn an_action_on_an_imported_topic_names_the_topic_by_its_manifest_name() {
    let have = secret_access();
    let names = BTreeMap::from([(
        format!("{PREFIX}afu9-security-alerts"),
        "afu9-security-alerts".to_owned(),
    )]);
    let spec = import(ImportContext { names: &names }, "afu9-secret-access", &have);
    assert_eq!(spec.alarm_actions, ["afu9-security-alerts"]);
}

#[test]
fn an_alarm_the_manifest_cannot_state_is_not_listed() {
    let mut config = secret_access().alarm.expect("an alarm").config;
    assert!(stateable(&config));
    config.comparison = "LessThanLowerOrGreaterThanUpperThreshold".to_owned();
    assert!(!stateable(&config));
}
