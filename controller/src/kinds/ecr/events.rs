//! The ECR calls that change a repository's settings (pushes and pulls change none).

use super::EcrRepositories;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for EcrRepositories {
    const EVENTS: Events = EVENTS;
}

/// Repositories' write events.
const EVENTS: Events = Events {
    source: "aws.ecr",
    names: &[
        "CreateRepository",
        "DeleteRepository",
        "PutImageTagMutability",
        "PutImageScanningConfiguration",
        "SetRepositoryPolicy",
        "DeleteRepositoryPolicy",
        "PutLifecyclePolicy",
        "DeleteLifecyclePolicy",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let name = event.request(&["repositoryName"]).or_else(|| {
        // `arn:aws:ecr:<region>:<account>:repository/<name, which may hold slashes>`
        event
            .request(&["resourceArn"])
            .and_then(|arn| arn.split_once(":repository/"))
            .map(|(_, name)| name)
    });
    name.map(|n| EventKey::Name(n.to_owned()))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn repositories_are_found_by_name_or_arn() {
        let event = |request| CloudTrailEvent {
            source: "aws.ecr".to_owned(),
            name: "TagResource".to_owned(),
            time: None,
            detail: json!({"requestParameters": request}),
        };
        let by_arn = event(json!({"resourceArn": "arn:aws:ecr:r:1:repository/team/app"}));
        assert_eq!(keys(&by_arn), [EventKey::Name("team/app".to_owned())]);
        let by_name = event(json!({"repositoryName": "app"}));
        assert_eq!(keys(&by_name), [EventKey::Name("app".to_owned())]);
    }
}
