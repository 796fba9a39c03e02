//! The IAM calls that change a customer-managed policy (its document is its default
//! version).

use super::IamPolicies;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

impl Evented for IamPolicies {
    const EVENTS: Events = EVENTS;
}

/// Policies' write events.
const EVENTS: Events = Events {
    source: "aws.iam",
    names: &[
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "SetDefaultPolicyVersion",
        "TagPolicy",
        "UntagPolicy",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    event
        .request(&["policyName"])
        .or_else(|| event.request(&["policyArn"]).map(arn_name))
        .map(|name| EventKey::Name(name.to_owned()))
        .into_iter()
        .collect()
}
