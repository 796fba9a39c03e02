//! The RDS calls that change a database's security settings, its tags, or the parameters of
//! the group that enforces TLS. The application's stack creates and deletes databases, so
//! their creation is not listed: the periodic pass finds a new one.

use super::DbInstances;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

impl Evented for DbInstances {
    const EVENTS: Events = EVENTS;

    /// A parameter-group event names the group: the database it is attached to.
    fn event_id(have: &Self::Observed) -> Option<&str> {
        have.parameter_groups.first().map(|(name, _)| name.as_str())
    }
}

/// Databases' write events.
const EVENTS: Events = Events {
    source: "aws.rds",
    names: &[
        "ModifyDBInstance",
        "ModifyDBParameterGroup",
        "ResetDBParameterGroup",
        "AddTagsToResource",
        "RemoveTagsFromResource",
    ],
    keys,
};

/// A database by identifier (`dBInstanceIdentifier`, or the `…:db:<id>` ARN a tag call
/// names); a parameter group by name, as an id the database's observation gives
/// ([`super::DbInstances`]'s `event_id`: its attached parameter group).
fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    if let Some(group) = event.request(&["dBParameterGroupName"]) {
        return vec![EventKey::Id(group.to_owned())];
    }
    let database = event.request(&["dBInstanceIdentifier"]).or_else(|| {
        event
            .request(&["resourceName"])
            .filter(|arn| arn.contains(":db:"))
            .map(arn_name)
    });
    database
        .map(|id| EventKey::Name(id.to_owned()))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, request: serde_json::Value) -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.rds".to_owned(),
            name: name.to_owned(),
            time: None,
            detail: serde_json::Map::from_iter([("requestParameters".to_owned(), request)]).into(),
        }
    }

    #[test]
    fn databases_by_identifier_or_arn_and_parameter_groups_by_name() {
        let modify = event(
            "ModifyDBInstance",
            json!({"dBInstanceIdentifier": "afu9-database", "publiclyAccessible": true}),
        );
        assert_eq!(keys(&modify), [EventKey::Name("afu9-database".to_owned())]);
        let tag = event(
            "AddTagsToResource",
            json!({"resourceName": "arn:aws:rds:eu-central-1:123456789012:db:afu9-database"}),
        );
        assert_eq!(keys(&tag), [EventKey::Name("afu9-database".to_owned())]);
        let group_tag = event(
            "AddTagsToResource",
            json!({"resourceName": "arn:aws:rds:eu-central-1:123456789012:pg:afu9-tls"}),
        );
        assert!(keys(&group_tag).is_empty());
        let parameters = event(
            "ModifyDBParameterGroup",
            json!({"dBParameterGroupName": "afu9-tls"}),
        );
        assert_eq!(keys(&parameters), [EventKey::Id("afu9-tls".to_owned())]);
    }
}
