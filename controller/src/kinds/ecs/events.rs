//! The ECS calls that change a task-definition family: a new or removed revision, tags.

use super::EcsTaskDefinitions;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for EcsTaskDefinitions {
    const EVENTS: Events = EVENTS;
}

/// Task definitions' write events.
const EVENTS: Events = Events {
    source: "aws.ecs",
    names: &[
        "RegisterTaskDefinition",
        "DeregisterTaskDefinition",
        "DeleteTaskDefinitions",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let mut ids: Vec<&str> = event.request_list("taskDefinitions");
    ids.extend(
        ["family", "taskDefinition", "resourceArn"]
            .iter()
            .filter_map(|key| event.request(&[key])),
    );
    ids.into_iter()
        .map(|id| EventKey::Name(family(id).to_owned()))
        .collect()
}

/// The family of `family`, `family:3` or `arn:…:task-definition/family:3`.
fn family(id: &str) -> &str {
    let id = id
        .split_once(":task-definition/")
        .map_or(id, |(_, rest)| rest);
    id.split_once(':').map_or(id, |(family, _)| family)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_or_its_arn_names_the_family() {
        assert_eq!(
            family("arn:aws:ecs:r:1:task-definition/afu9-api:7"),
            "afu9-api"
        );
        assert_eq!(family("afu9-api:7"), "afu9-api");
        assert_eq!(family("afu9-api"), "afu9-api");
    }
}
