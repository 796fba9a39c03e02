//! The IAM calls that change a customer-managed policy (its document is its default
//! version).

use crate::events::{CloudTrailEvent, EventKey, Events, arn_name};

/// Policies' write events.
pub(super) const EVENTS: Events = Events {
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
