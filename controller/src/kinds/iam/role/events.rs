//! The IAM calls that change a role, its policies and tags. IAM is global: its events are
//! delivered in us-east-1 only (docs/operations.md says how to forward them).

use super::IamRoles;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for IamRoles {
    const EVENTS: Events = EVENTS;
}

/// Roles' write events.
const EVENTS: Events = Events {
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
