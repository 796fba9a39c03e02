//! What a live log group proves about the events it keeps, read off CloudWatch Logs whatever
//! the manifest says: they are kept at least a year (CloudWatch.16, Security Hub's default
//! minimum of 365 days; a group that never expires keeps them) and encrypted with a KMS key
//! (`AFU9.LOGS.1`: the guide's "CloudWatch Logs: encrypted"; Security Hub has no control for
//! it).

use afu9_spec::Resource;
use afu9_spec::log_group::LogGroupSpec;
use serde_json::Value;

use super::{LogGroupObserved, LogGroups};
use crate::engine::Attests;
use crate::plan::Fact;

/// The group's events are encrypted with a KMS key.
pub const ENCRYPTED: &str = "AFU9.LOGS.1";

/// CloudWatch.16's default minimum retention, in days.
const MIN_RETENTION_DAYS: u32 = 365;

impl Attests for LogGroups {
    fn facts(_want: &Resource<LogGroupSpec>, have: &LogGroupObserved) -> Vec<Fact> {
        vec![retention(have), encryption(have)]
    }
}

fn retention(have: &LogGroupObserved) -> Fact {
    let kept = have
        .retention_days
        .is_none_or(|days| days >= MIN_RETENTION_DAYS);
    Fact::judged(
        "CloudWatch.16",
        "retentionDays",
        Some(have.retention_days.map_or(Value::Null, Value::from)),
        kept,
        (
            "events are kept at least 365 days",
            "events are deleted before 365 days",
        ),
    )
}

fn encryption(have: &LogGroupObserved) -> Fact {
    Fact::judged(
        ENCRYPTED,
        "kmsKey",
        have.kms_key.clone().map(Value::String),
        have.kms_key.is_some(),
        (
            "events are encrypted with a KMS key",
            "events are not encrypted with a KMS key (only CloudWatch Logs' own encryption)",
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::load::load_str;

    use super::*;

    /// The manifest asks for a year and a key: the facts must still follow the live group.
    const GROUP: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: LogGroup
metadata: {name: /afu9/cloudtrail}
spec: {retentionDays: 365, kmsKey: alias/afu9-logs}
";

    fn judged(retention_days: Option<u32>, kms_key: Option<&str>) -> Vec<(&'static str, bool)> {
        let state = load_str(Path::new("logs.yaml"), GROUP).expect("valid");
        let have = LogGroupObserved {
            retention_days,
            kms_key: kms_key.map(str::to_owned),
            ..LogGroupObserved::default()
        };
        LogGroups::facts(&state.log_groups[0], &have)
            .into_iter()
            .map(|fact| (fact.control, fact.holds))
            .collect()
    }

    #[test]
    fn retention_and_key_are_read_off_the_live_group_not_the_manifest() {
        let key = Some("arn:aws:kms:eu-central-1:123456789012:key/k");
        assert_eq!(
            judged(Some(30), None),
            [("CloudWatch.16", false), (ENCRYPTED, false)]
        );
        assert_eq!(
            judged(Some(365), key),
            [("CloudWatch.16", true), (ENCRYPTED, true)]
        );
        assert_eq!(judged(None, key)[0], ("CloudWatch.16", true));
        assert_eq!(judged(Some(3653), key)[0], ("CloudWatch.16", true));
    }
}
