//! The Elastic Load Balancing calls that change what the posture owns of a load balancer:
//! its attributes, security groups, listeners and tags. Target groups and rules are the
//! application's and are not listed.

use super::LoadBalancers;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for LoadBalancers {
    const EVENTS: Events = EVENTS;
}

/// Load balancers' write events.
const EVENTS: Events = Events {
    source: "aws.elasticloadbalancing",
    names: &[
        "ModifyLoadBalancerAttributes",
        "SetSecurityGroups",
        "CreateListener",
        "ModifyListener",
        "ModifyListenerAttributes",
        "DeleteListener",
        "AddTags",
        "RemoveTags",
    ],
    keys,
};

/// The load balancer an event names by its ARN, a listener's ARN, or the ARNs a tag call
/// lists: `…:loadbalancer/app/<name>/<id>`, `…:listener/app/<name>/<id>/<listener id>`.
fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let mut arns = event.request_list("resourceArns");
    arns.extend(
        ["loadBalancerArn", "listenerArn"]
            .iter()
            .filter_map(|key| event.request(&[key])),
    );
    let mut names: Vec<EventKey> = arns
        .into_iter()
        .filter_map(load_balancer_name)
        .map(|name| EventKey::Name(name.to_owned()))
        .collect();
    names.dedup();
    names
}

fn load_balancer_name(arn: &str) -> Option<&str> {
    let rest = arn
        .split_once(":loadbalancer/app/")
        .or_else(|| arn.split_once(":listener/app/"))
        .map(|(_, rest)| rest)?;
    rest.split('/').next()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, request: serde_json::Value) -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.elasticloadbalancing".to_owned(),
            name: name.to_owned(),
            time: None,
            detail: serde_json::Map::from_iter([("requestParameters".to_owned(), request)]).into(),
        }
    }

    #[test]
    fn the_load_balancer_comes_from_its_arn_or_a_listeners() {
        let alb = EventKey::Name("afu9-alb".to_owned());
        let attributes = event(
            "ModifyLoadBalancerAttributes",
            json!({"loadBalancerArn": "arn:aws:elasticloadbalancing:r:1:loadbalancer/app/afu9-alb/50dc6c495c0c9188"}),
        );
        assert_eq!(keys(&attributes), std::slice::from_ref(&alb));
        let listener = event(
            "ModifyListener",
            json!({"listenerArn": "arn:aws:elasticloadbalancing:r:1:listener/app/afu9-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"}),
        );
        assert_eq!(keys(&listener), [alb]);
        let tags = event(
            "AddTags",
            json!({"resourceArns": ["arn:aws:elasticloadbalancing:r:1:targetgroup/web/73e2d6bc24d8a067"]}),
        );
        assert!(keys(&tags).is_empty());
    }
}
