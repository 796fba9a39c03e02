use std::collections::BTreeSet;
use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::super::{LiveAlarm, MetricAlarms};
use super::*;
use crate::engine::PlanContext;
use crate::plan::{Action, ResourcePlan};

const PREFIX: &str = "arn:aws:sns:eu-central-1:123456789012:";
const ALARM: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: SnsTopic\nmetadata: {name: alerts}\nspec: {kmsKey: alias/a}\n---\napiVersion: posture.afu9.io/v1alpha1\nkind: MetricAlarm\nmetadata: {name: afu9-errors}\nspec:\n  metric: {name: Errors, namespace: AFU9/App}\n  threshold: 1\n  comparison: GreaterThanOrEqualToThreshold\n  alarmActions: [alerts]\n";

fn live() -> MetricAlarmObserved {
    let spec = load_str(Path::new("t.yaml"), ALARM)
        .expect("valid")
        .metric_alarms[0]
        .spec
        .clone();
    MetricAlarmObserved {
        alarm: Some(LiveAlarm {
            arn: "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:afu9-errors".to_owned(),
            config: desired_config(&spec, PREFIX),
            tags: [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
                .into_iter()
                .collect(),
        }),
        topic_arn_prefix: PREFIX.to_owned(),
    }
}

fn planned(yaml: &str, have: &MetricAlarmObserved) -> ResourcePlan {
    let state = load_str(Path::new("t.yaml"), yaml).expect("valid");
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    crate::kinds::registered::<MetricAlarms>().plan_one(&cx, &state.metric_alarms[0], Some(have))
}

#[test]
fn actions_by_topic_name_or_by_arn_are_the_same() {
    assert_eq!(planned(ALARM, &live()).action, Action::Noop);
    let by_arn = ALARM.replace("[alerts]", &format!("[\"{PREFIX}alerts\"]"));
    assert_eq!(planned(&by_arn, &live()).action, Action::Noop);
}

#[test]
fn a_raised_threshold_and_dropped_actions_are_one_put_with_the_whole_alarm() {
    let mut have = live();
    if let Some(alarm) = have.alarm.as_mut() {
        alarm.config.threshold = 50.0;
        alarm.config.alarm_actions = BTreeSet::new();
    }
    let plan = planned(ALARM, &have);
    assert_eq!(plan.action, Action::Update);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.threshold", "spec.alarmActions"]);
    let calls: Vec<&str> = plan.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls, ["PutMetricAlarm"]);
}

#[test]
fn a_missing_alarm_is_created_with_its_tags() {
    let missing = MetricAlarmObserved {
        alarm: None,
        topic_arn_prefix: PREFIX.to_owned(),
    };
    let plan = planned(ALARM, &missing);
    assert_eq!(plan.action, Action::Create);
    assert!(
        plan.changes
            .iter()
            .any(|c| c.path == "spec.tags.managed-by")
    );
    assert!(!plan.changes.iter().any(|c| c.path == "spec.okActions"));
}

#[test]
fn an_alarm_waits_for_the_topic_manifests_its_actions_name_and_not_for_topic_arns() {
    assert_eq!(
        planned(ALARM, &live()).depends_on,
        [crate::plan::Dependency::created("SnsTopic", "alerts")]
    );
    let by_arn = ALARM.replace("[alerts]", &format!("[\"{PREFIX}alerts\"]"));
    assert!(planned(&by_arn, &live()).depends_on.is_empty());
}

#[test]
fn facts_read_the_live_alarm_not_the_manifest() {
    use crate::engine::Attests as _;
    let state = load_str(Path::new("t.yaml"), ALARM).expect("valid");
    let holds = |have: &MetricAlarmObserved| {
        MetricAlarms::facts(&state.metric_alarms[0], have)
            .iter()
            .map(|f| (f.control, f.holds))
            .collect::<Vec<_>>()
    };
    assert_eq!(holds(&live()), [("CloudWatch.15", true)]);
    let mut silent = live();
    if let Some(alarm) = silent.alarm.as_mut() {
        alarm.config.alarm_actions = BTreeSet::new();
    }
    assert_eq!(holds(&silent), [("CloudWatch.15", false)]);
}
