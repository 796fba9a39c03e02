//! What a live alarm proves: it notifies someone when it fires (CloudWatch.15), read off
//! the alarm's actions as CloudWatch reports them.

use afu9_spec::Resource;
use afu9_spec::metric_alarm::MetricAlarmSpec;
use serde_json::Value;

use super::{MetricAlarmObserved, MetricAlarms};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for MetricAlarms {
    fn facts(_want: &Resource<MetricAlarmSpec>, have: &MetricAlarmObserved) -> Vec<Fact> {
        let Some(alarm) = &have.alarm else {
            return Vec::new();
        };
        let actions = &alarm.config.alarm_actions;
        vec![Fact::judged(
            "CloudWatch.15",
            "alarmActions",
            Some(Value::Array(
                actions.iter().cloned().map(Value::String).collect(),
            )),
            !actions.is_empty(),
            (
                "the alarm notifies when it fires",
                "the alarm has no action: it fires unseen",
            ),
        )]
    }
}
