//! What a live trail proves: it logs every region's read and write management events
//! (CloudTrail.1), its logs are encrypted with KMS (CloudTrail.2), its log files are
//! validated (CloudTrail.4) and it delivers to CloudWatch Logs (CloudTrail.5), read off the
//! trail as CloudTrail reports it; and the bucket it delivers to logs its server access
//! (CloudTrail.7), read off that bucket.

use afu9_spec::Resource;
use afu9_spec::cloudtrail::CloudTrailSpec;
use serde_json::{Value, json};

use super::{CloudTrailObserved, CloudTrails};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for CloudTrails {
    fn facts(_want: &Resource<CloudTrailSpec>, have: &CloudTrailObserved) -> Vec<Fact> {
        let Some(trail) = &have.trail else {
            return Vec::new();
        };
        let (read, write) = trail.management_events;
        let recording = trail.logging && trail.multi_region && read && write;
        vec![
            Fact::judged(
                "CloudTrail.1",
                "logging",
                Some(json!({
                    "logging": trail.logging,
                    "multiRegion": trail.multi_region,
                    "managementEvents": {"read": read, "write": write},
                })),
                recording,
                (
                    "the trail logs read and write management events in every region",
                    "the trail does not log read and write management events in every region",
                ),
            ),
            Fact::judged(
                "CloudTrail.2",
                "kmsKey",
                trail.kms_key.clone().map(Value::String),
                trail.kms_key.is_some(),
                (
                    "log files are encrypted with a KMS key",
                    "log files are not encrypted with a KMS key",
                ),
            ),
            Fact::judged(
                "CloudTrail.4",
                "logFileValidation",
                Some(Value::Bool(trail.log_file_validation)),
                trail.log_file_validation,
                (
                    "log file integrity validation is on",
                    "log file integrity validation is off: a changed log file goes unnoticed",
                ),
            ),
            Fact::judged(
                "CloudTrail.5",
                "cloudWatchLogs",
                trail.log_group.clone().map(Value::String),
                trail.log_group.is_some() && trail.role_arn.is_some(),
                (
                    "the trail delivers to CloudWatch Logs",
                    "the trail does not deliver to CloudWatch Logs: no metric filter sees its events",
                ),
            ),
            Fact::judged(
                "CloudTrail.7",
                "s3Bucket.accessLogging",
                have.bucket_access_logging.map(Value::Bool),
                have.bucket_access_logging == Some(true),
                (
                    "the trail's bucket logs every request to it (server access logging)",
                    "the trail's bucket does not log requests to it (or S3 would not say): \
                     reads of the audit logs leave no record",
                ),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::ManifestKind;
    use afu9_spec::load::load_str;

    use super::super::LiveTrail;
    use super::*;

    const TRAIL: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: CloudTrail
metadata: {name: afu9-trail}
spec:
  s3Bucket: afu9-audit-logs
  multiRegion: true
  logFileValidation: true
  kmsKey: alias/afu9-audit
  cloudWatchLogs: {logGroup: /afu9/cloudtrail, role: afu9-cloudtrail-logs}
  logging: true
  managementEvents: {read: true, write: true}
";

    fn judged(trail: LiveTrail, bucket_logging: Option<bool>) -> Vec<(&'static str, bool)> {
        let state = load_str(Path::new("trail.yaml"), TRAIL).expect("valid manifest");
        let want = &CloudTrailSpec::resources(&state)[0];
        let have = CloudTrailObserved {
            trail: Some(trail),
            bucket_exists: Some(true),
            bucket_access_logging: bucket_logging,
            log_group_arn: None,
            kms_key_arn: None,
        };
        CloudTrails::facts(want, &have)
            .iter()
            .map(|f| (f.control, f.holds))
            .collect()
    }

    #[test]
    fn facts_read_the_live_trail_not_the_manifest() {
        let bare = LiveTrail {
            logging: false,
            management_events: (true, true),
            ..LiveTrail::default()
        };
        assert_eq!(
            judged(bare.clone(), Some(false)),
            [
                ("CloudTrail.1", false),
                ("CloudTrail.2", false),
                ("CloudTrail.4", false),
                ("CloudTrail.5", false),
                ("CloudTrail.7", false)
            ]
        );
        assert_eq!(
            judged(bare, None)[4],
            ("CloudTrail.7", false),
            "a bucket S3 would not describe proves nothing"
        );
        let hardened = LiveTrail {
            logging: true,
            multi_region: true,
            management_events: (true, true),
            log_file_validation: true,
            kms_key: Some("arn:aws:kms:eu-central-1:123456789012:key/1".to_owned()),
            log_group: Some("/afu9/cloudtrail".to_owned()),
            role_arn: Some("arn:aws:iam::123456789012:role/afu9-cloudtrail-logs".to_owned()),
            ..LiveTrail::default()
        };
        assert!(judged(hardened, Some(true)).iter().all(|(_, holds)| *holds));
    }
}
