//! The SNS calls that change a topic (subscriptions are not managed: not listed).

use super::SnsTopics;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

impl Evented for SnsTopics {
    const EVENTS: Events = EVENTS;
}

/// Topics' write events.
const EVENTS: Events = Events {
    source: "aws.sns",
    names: &[
        "CreateTopic",
        "DeleteTopic",
        "SetTopicAttributes",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    ["name", "topicArn", "resourceArn"]
        .iter()
        .find_map(|key| event.request(&[key]))
        .map(|id| EventKey::Name(arn_name(id).to_owned()))
        .into_iter()
        .collect()
}
