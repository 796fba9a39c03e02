//! The KMS calls that change a key the posture names: rotation, policy, description, tags,
//! its alias, and its state (disabled, scheduled for deletion). Encrypt and decrypt calls
//! change nothing and are not listed.

use super::KmsKeys;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for KmsKeys {
    const EVENTS: Events = EVENTS;

    /// Calls on a key name it by id: the one its alias points to.
    fn event_id(have: &Self::Observed) -> Option<&str> {
        Some(&have.key_id)
    }
}

/// Keys' write events.
const EVENTS: Events = Events {
    source: "aws.kms",
    names: &[
        "EnableKeyRotation",
        "DisableKeyRotation",
        "PutKeyPolicy",
        "UpdateKeyDescription",
        "TagResource",
        "UntagResource",
        "CreateAlias",
        "UpdateAlias",
        "DeleteAlias",
        "DisableKey",
        "EnableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
    ],
    keys,
};

/// A key by its alias (`alias/<manifest name>`), or by the key id or ARN the call names, as
/// an id the key's observation gives (`KmsKeys`' `event_id`: the key id its alias points to).
fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    if let Some(alias) = event
        .request(&["aliasName"])
        .and_then(|alias| alias.strip_prefix("alias/"))
    {
        return vec![EventKey::Name(alias.to_owned())];
    }
    event
        .request(&["keyId"])
        .or_else(|| event.request(&["targetKeyId"]))
        .map(|key| EventKey::Id(key_id(key).to_owned()))
        .into_iter()
        .collect()
}

/// The key id of `1234abcd-…` or `arn:aws:kms:<region>:<account>:key/1234abcd-…`.
fn key_id(key: &str) -> &str {
    key.split_once(":key/").map_or(key, |(_, id)| id)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn event(name: &str, request: serde_json::Value) -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.kms".to_owned(),
            name: name.to_owned(),
            time: None,
            detail: serde_json::Map::from_iter([("requestParameters".to_owned(), request)]).into(),
        }
    }

    #[test]
    fn keys_by_alias_or_by_key_id_or_arn() {
        let alias = event("DeleteAlias", json!({"aliasName": "alias/afu9-secrets"}));
        assert_eq!(keys(&alias), [EventKey::Name("afu9-secrets".to_owned())]);
        let arn = event(
            "DisableKeyRotation",
            json!({"keyId": "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab"}),
        );
        assert_eq!(keys(&arn), [EventKey::Id("1234abcd-12ab".to_owned())]);
        let id = event("PutKeyPolicy", json!({"keyId": "1234abcd-12ab"}));
        assert_eq!(keys(&id), [EventKey::Id("1234abcd-12ab".to_owned())]);
    }
}
