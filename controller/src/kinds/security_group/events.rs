//! The EC2 calls that change a security group. Most name the group by id (which only the
//! live group carries: `event_id`); creating one names it; tag calls list resource ids.

use super::SecurityGroups;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for SecurityGroups {
    const EVENTS: Events = EVENTS;

    fn event_id(have: &Self::Observed) -> Option<&str> {
        have.group.as_ref().map(|group| group.id.as_str())
    }
}

/// Security groups' write events.
const EVENTS: Events = Events {
    source: "aws.ec2",
    names: &[
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "ModifySecurityGroupRules",
        "UpdateSecurityGroupRuleDescriptionsIngress",
        "UpdateSecurityGroupRuleDescriptionsEgress",
        "CreateTags",
        "DeleteTags",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    if event.name.ends_with("Tags") {
        let items = event
            .detail
            .pointer("/requestParameters/resourcesSet/items")
            .and_then(serde_json::Value::as_array);
        return items
            .into_iter()
            .flatten()
            .filter_map(|item| item.get("resourceId")?.as_str())
            .filter(|id| id.starts_with("sg-"))
            .map(|id| EventKey::Id(id.to_owned()))
            .collect();
    }
    let id = event
        .request(&["groupId"])
        .map(|id| EventKey::Id(id.to_owned()));
    let name = event
        .request(&["groupName"])
        .map(|name| EventKey::Name(name.to_owned()));
    id.into_iter().chain(name).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, request: &serde_json::Value) -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.ec2".to_owned(),
            name: name.to_owned(),
            time: None,
            detail: json!({"eventName": name, "requestParameters": request}),
        }
    }

    #[test]
    fn groups_are_found_by_id_name_and_tagged_resource() {
        let revoke = event("RevokeSecurityGroupIngress", &json!({"groupId": "sg-1"}));
        assert_eq!(keys(&revoke), [EventKey::Id("sg-1".to_owned())]);
        let create = event("CreateSecurityGroup", &json!({"groupName": "web"}));
        assert_eq!(keys(&create), [EventKey::Name("web".to_owned())]);
        let tags = event(
            "CreateTags",
            &json!({"resourcesSet": {"items": [{"resourceId": "i-1"}, {"resourceId": "sg-2"}]}}),
        );
        assert_eq!(keys(&tags), [EventKey::Id("sg-2".to_owned())]);
    }
}
