//! The CloudTrail calls that change a trail (its name may be given as an ARN).

use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

/// Trails' write events.
pub(super) const EVENTS: Events = Events {
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
