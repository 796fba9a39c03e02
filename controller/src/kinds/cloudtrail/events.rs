//! The CloudTrail calls that change a trail (its name may be given as an ARN).

use super::CloudTrails;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

impl Evented for CloudTrails {
    const EVENTS: Events = EVENTS;
}

/// Trails' write events.
const EVENTS: Events = Events {
    source: "aws.cloudtrail",
    names: &[
        "CreateTrail",
        "DeleteTrail",
        "UpdateTrail",
        "StartLogging",
        "StopLogging",
        "PutEventSelectors",
        "PutInsightSelectors",
        "AddTags",
        "RemoveTags",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    ["name", "trailName", "resourceId"]
        .iter()
        .find_map(|key| event.request(&[key]))
        .map(|id| EventKey::Name(arn_name(id).to_owned()))
        .into_iter()
        .collect()
}
