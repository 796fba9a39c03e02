//! The EC2 calls that change an account setting the `Posture` document manages.

use crate::events::{CloudTrailEvent, EventKey, Events};

/// The id events name the account's EBS default by: such a call names no resource, so the
/// observed settings answer to this id (`AccountSettings`' `event_id`).
pub(super) const EBS_DEFAULT: &str = "ebs-encryption-by-default";

/// The account settings' write events.
pub(super) const EVENTS: Events = Events {
    source: "aws.ec2",
    names: &[
        "EnableEbsEncryptionByDefault",
        "DisableEbsEncryptionByDefault",
    ],
    keys,
};

fn keys(_event: &CloudTrailEvent) -> Vec<EventKey> {
    vec![EventKey::Id(EBS_DEFAULT.to_owned())]
}
