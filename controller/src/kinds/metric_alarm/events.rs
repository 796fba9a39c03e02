//! The CloudWatch calls that change an alarm (several take a list of alarm names).

use super::MetricAlarms;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

impl Evented for MetricAlarms {
    const EVENTS: Events = EVENTS;
}

/// Alarms' write events.
const EVENTS: Events = Events {
    source: "aws.cloudwatch",
    names: &[
        "PutMetricAlarm",
        "DeleteAlarms",
        "DisableAlarmActions",
        "EnableAlarmActions",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let mut names = event.request_list("alarmNames");
    names.extend(event.request(&["alarmName"]));
    // `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`
    names.extend(event.request(&["resourceARN"]).map(arn_name));
    names
        .into_iter()
        .map(|name| EventKey::Name(name.to_owned()))
        .collect()
}
