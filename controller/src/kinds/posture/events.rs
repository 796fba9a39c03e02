//! The EC2 calls that change an account setting the `Posture` document manages.

use super::AccountSettings;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for AccountSettings {
    const EVENTS: Events = EVENTS;

    /// The EBS default's calls name no resource: the settings answer to a fixed id when the
    /// document manages it.
    fn event_id(have: &Self::Observed) -> Option<&str> {
        have.ebs_encryption_by_default.map(|_| EBS_DEFAULT)
    }
}

/// The id events name the account's EBS default by: such a call names no resource, so the
/// observed settings answer to this id (`AccountSettings`' `event_id`).
const EBS_DEFAULT: &str = "ebs-encryption-by-default";

/// The account settings' write events.
const EVENTS: Events = Events {
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
