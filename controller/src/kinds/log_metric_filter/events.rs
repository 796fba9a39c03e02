//! The CloudWatch Logs calls that change a metric filter.

use super::LogMetricFilters;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for LogMetricFilters {
    const EVENTS: Events = EVENTS;
}

/// Metric filters' write events.
const EVENTS: Events = Events {
    source: "aws.logs",
    names: &["PutMetricFilter", "DeleteMetricFilter"],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    event
        .request(&["filterName"])
        .map(|name| EventKey::Name(name.to_owned()))
        .into_iter()
        .collect()
}
