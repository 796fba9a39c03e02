//! The CloudWatch Logs calls that change a log group's settings.

use super::LogGroups;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for LogGroups {
    const EVENTS: Events = EVENTS;
}

/// Log groups' write events.
const EVENTS: Events = Events {
    source: "aws.logs",
    names: &[
        "CreateLogGroup",
        "DeleteLogGroup",
        "PutRetentionPolicy",
        "DeleteRetentionPolicy",
        "AssociateKmsKey",
        "DisassociateKmsKey",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let name = event.request(&["logGroupName"]).or_else(|| {
        event
            .request(&["resourceArn"])
            .and_then(|arn| arn.split_once(":log-group:"))
            .map(|(_, rest)| rest.strip_suffix(":*").unwrap_or(rest))
    });
    name.map(|n| EventKey::Name(n.to_owned()))
        .into_iter()
        .collect()
}
