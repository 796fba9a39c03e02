//! The Secrets Manager calls that change a secret's configuration. `PutSecretValue` is not
//! one: values are never read or managed.

use super::Secrets;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for Secrets {
    const EVENTS: Events = EVENTS;
}

/// Secrets' write events.
const EVENTS: Events = Events {
    source: "aws.secretsmanager",
    names: &[
        "CreateSecret",
        "DeleteSecret",
        "RestoreSecret",
        "UpdateSecret",
        "PutResourcePolicy",
        "DeleteResourcePolicy",
        "RotateSecret",
        "CancelRotateSecret",
        "ReplicateSecretToRegions",
        "RemoveRegionsFromReplication",
        "TagResource",
        "UntagResource",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    let id = event
        .request(&["secretId"])
        .or_else(|| event.request(&["name"]));
    id.map(|id| EventKey::Name(secret_name(id).to_owned()))
        .into_iter()
        .collect()
}

/// The secret's name from its name or ARN (`…:secret:<name>-<6 random characters>`).
fn secret_name(id: &str) -> &str {
    match id.split_once(":secret:") {
        Some((_, rest)) => rest
            .rsplit_once('-')
            .filter(|(_, suffix)| suffix.len() == 6)
            .map_or(rest, |(name, _)| name),
        None => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_arn_names_the_secret_without_its_suffix() {
        assert_eq!(
            secret_name("arn:aws:secretsmanager:r:1:secret:afu9/database-AbC123"),
            "afu9/database"
        );
        assert_eq!(secret_name("afu9/database"), "afu9/database");
    }
}
