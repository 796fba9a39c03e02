//! The WAF calls that change a web ACL, named by the ACL's name or ARN. `DisassociateWebACL`
//! names only the load balancer, so it reaches no ACL here: the next whole pass finds it.

use super::WebAcls;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for WebAcls {
    const EVENTS: Events = EVENTS;
}

/// Web ACLs' write events.
const EVENTS: Events = Events {
    source: "aws.wafv2",
    names: &[
        "CreateWebACL",
        "UpdateWebACL",
        "DeleteWebACL",
        "AssociateWebACL",
        "PutLoggingConfiguration",
        "DeleteLoggingConfiguration",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

/// The ACL's name: `name`, or from an ARN (`…:regional/webacl/NAME/ID`) in `webACLArn`,
/// `resourceArn`, `resourceARN` or `loggingConfiguration.resourceArn`.
fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let from_arn = ["webACLArn", "resourceArn", "resourceARN"]
        .iter()
        .find_map(|key| event.request(&[key]))
        .or_else(|| event.request(&["loggingConfiguration", "resourceArn"]))
        .and_then(acl_name);
    event
        .request(&["name"])
        .or(from_arn)
        .map(|name| EventKey::Name(name.to_owned()))
        .into_iter()
        .collect()
}

fn acl_name(arn: &str) -> Option<&str> {
    arn.split_once(":regional/webacl/")
        .and_then(|(_, rest)| rest.split('/').next())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, request: serde_json::Value) -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.wafv2".to_owned(),
            name: name.to_owned(),
            time: None,
            detail: serde_json::Map::from_iter([("requestParameters".to_owned(), request)]).into(),
        }
    }

    #[test]
    fn the_acl_comes_from_its_name_or_an_arn() {
        let afu9 = EventKey::Name("afu9-edge".to_owned());
        let arn = "arn:aws:wafv2:eu-central-1:1:regional/webacl/afu9-edge/0f1e";
        assert_eq!(
            keys(&event("UpdateWebACL", json!({"name": "afu9-edge"}))),
            std::slice::from_ref(&afu9)
        );
        assert_eq!(
            keys(&event(
                "AssociateWebACL",
                json!({"webACLArn": arn, "resourceArn": "alb"})
            )),
            std::slice::from_ref(&afu9)
        );
        assert_eq!(
            keys(&event(
                "PutLoggingConfiguration",
                json!({"loggingConfiguration": {"resourceArn": arn}})
            )),
            [afu9]
        );
        let alb = "arn:aws:elasticloadbalancing:r:1:loadbalancer/app/afu9-alb/1";
        assert!(keys(&event("DisassociateWebACL", json!({"resourceArn": alb}))).is_empty());
    }
}
