//! The ECS calls that change a cluster's settings, its tags, or the placement of one of its
//! services. The task-definition kind listens to the same source; each kind keeps only the
//! names it manages.

use super::EcsClusters;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

impl Evented for EcsClusters {
    const EVENTS: Events = EVENTS;
}

/// Clusters' write events.
const EVENTS: Events = Events {
    source: "aws.ecs",
    names: &[
        "UpdateCluster",
        "UpdateClusterSettings",
        "UpdateService",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

/// The cluster an event touches: `cluster` (a name or an ARN; `UpdateService` without one
/// means the `default` cluster), or the cluster of a tagged cluster's or service's ARN
/// (`…:cluster/<name>`, `…:service/<cluster>/<service>`).
fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let cluster = match event.request(&["resourceArn"]) {
        Some(arn) => cluster_of(arn),
        None => event
            .request(&["cluster"])
            .map(arn_name)
            .or((event.name == "UpdateService").then_some("default")),
    };
    cluster
        .map(|name| EventKey::Name(name.to_owned()))
        .into_iter()
        .collect()
}

fn cluster_of(arn: &str) -> Option<&str> {
    if let Some((_, name)) = arn.split_once(":cluster/") {
        return Some(name);
    }
    let (_, service) = arn.split_once(":service/")?;
    service.split_once('/').map(|(cluster, _)| cluster)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, request: serde_json::Value) -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.ecs".to_owned(),
            name: name.to_owned(),
            time: None,
            detail: serde_json::Map::from_iter([("requestParameters".to_owned(), request)]).into(),
        }
    }

    #[test]
    fn the_cluster_comes_from_its_name_its_arn_or_a_services_arn() {
        let name = |key: EventKey| match key {
            EventKey::Name(name) => name,
            EventKey::Id(id) => panic!("an id: {id}"),
        };
        let update = event(
            "UpdateService",
            json!({"cluster": "arn:aws:ecs:r:1:cluster/afu9", "service": "afu9-control-center"}),
        );
        assert_eq!(
            keys(&update).into_iter().map(name).collect::<Vec<_>>(),
            ["afu9"]
        );
        let default = event("UpdateService", json!({"service": "api"}));
        assert_eq!(
            keys(&default).into_iter().map(name).collect::<Vec<_>>(),
            ["default"]
        );
        let service_tag = event(
            "TagResource",
            json!({"resourceArn": "arn:aws:ecs:r:1:service/afu9/afu9-control-center"}),
        );
        assert_eq!(
            keys(&service_tag).into_iter().map(name).collect::<Vec<_>>(),
            ["afu9"]
        );
        let family_tag = event(
            "TagResource",
            json!({"resourceArn": "arn:aws:ecs:r:1:task-definition/afu9-api:3"}),
        );
        assert!(keys(&family_tag).is_empty());
        let settings = event("UpdateCluster", json!({"cluster": "afu9"}));
        assert_eq!(
            keys(&settings).into_iter().map(name).collect::<Vec<_>>(),
            ["afu9"]
        );
    }
}
