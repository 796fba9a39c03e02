//! Event-driven reconcile, the parts that do no I/O: what a kind declares about the
//! CloudTrail events that change its resources ([`Events`]), an EventBridge message read
//! into a [`CloudTrailEvent`], whether it was the controller's own write ([`Principal`]),
//! the rule's event pattern ([`pattern`]), and bursts coalesced per resource ([`Batch`]).
//!
//! A leaf: it names no kind and no engine. Kinds declare their [`Events`] next to their other
//! code (`ManagedKind::EVENTS`); the engine routes an event to the kinds that declared it;
//! the daemon receives, batches and deletes the messages.

mod batch;
mod cloudtrail;
pub mod pattern;
mod principal;

pub use batch::{Batch, Settled, Target};
pub use cloudtrail::{CloudTrailEvent, DETAIL_TYPE, Malformed};
pub use principal::Principal;

use serde_json::Value;

/// The write events of one kind: their service, their names, and how to find the touched
/// resources in an event.
#[derive(Debug, Clone, Copy)]
pub struct Events {
    /// The EventBridge source of the service's events (`aws.ec2`).
    pub source: &'static str,
    /// The CloudTrail `eventName`s that change a resource of the kind (read calls are
    /// never listed: they change nothing).
    pub names: &'static [&'static str],
    /// The resources an event of one of those names touches.
    pub keys: fn(&CloudTrailEvent) -> Vec<EventKey>,
}

impl Events {
    /// A kind that no event changes: it is reconciled by the periodic pass only.
    pub const NONE: Self = Self {
        source: "",
        names: &[],
        keys: |_| Vec::new(),
    };

    /// Whether an event of `source` named `name` is one of these.
    pub fn declares(&self, source: &str, name: &str) -> bool {
        self.source == source && self.names.contains(&name)
    }
}

/// How an event names a resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKey {
    /// By the manifest's `metadata.name` (a role name, a repository name).
    Name(String),
    /// By an id AWS assigned (a security group id), which the kind's
    /// `ManagedKind::event_id` reads from an observed resource.
    Id(String),
}

/// The last segment of an ARN's resource part (`arn:aws:sns:r:a:topic` → `topic`,
/// `arn:aws:iam::a:policy/path/name` → `name`), or the value itself when it is no ARN.
pub fn arn_name(value: &str) -> &str {
    if !value.starts_with("arn:") {
        return value;
    }
    let resource = value.splitn(6, ':').nth(5).unwrap_or(value);
    resource.rsplit(['/', ':']).next().unwrap_or(resource)
}

/// The string at `path` (keys, then array indices as numbers) of `value`.
pub fn string_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |node, key| match node {
            Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => node.get(key),
        })?
        .as_str()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn arn_names_are_the_last_segment() {
        assert_eq!(arn_name("arn:aws:sns:eu-central-1:1:alerts"), "alerts");
        assert_eq!(arn_name("arn:aws:iam::1:policy/app/afu9-read"), "afu9-read");
        assert_eq!(arn_name("arn:aws:cloudtrail:r:1:trail/audit"), "audit");
        assert_eq!(arn_name("plain-name"), "plain-name");
    }

    #[test]
    fn string_at_walks_keys_and_indices() {
        let value = json!({"a": {"items": [{"id": "sg-1"}]}});
        assert_eq!(string_at(&value, &["a", "items", "0", "id"]), Some("sg-1"));
        assert_eq!(string_at(&value, &["a", "missing"]), None);
    }
}
