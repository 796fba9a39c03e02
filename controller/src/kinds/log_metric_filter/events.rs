//! The CloudWatch Logs calls that change a metric filter.

use crate::events::{CloudTrailEvent, EventKey, Events};

/// Metric filters' write events.
pub(super) const EVENTS: Events = Events {
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
