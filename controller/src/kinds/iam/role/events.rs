//! The IAM calls that change a role, its policies and tags. IAM is global: its events are
//! delivered in us-east-1 only (see the README on forwarding them).

use crate::events::{CloudTrailEvent, EventKey, Events};

/// Roles' write events.
pub(super) const EVENTS: Events = Events {
    source: "aws.iam",
    names: &[
        "CreateRole",
        "DeleteRole",
        "UpdateRole",
        "UpdateRoleDescription",
        "UpdateAssumeRolePolicy",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "PutRolePolicy",
        "DeleteRolePolicy",
        "PutRolePermissionsBoundary",
        "DeleteRolePermissionsBoundary",
        "TagRole",
        "UntagRole",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    event
        .request(&["roleName"])
        .map(|name| EventKey::Name(name.to_owned()))
        .into_iter()
        .collect()
}
