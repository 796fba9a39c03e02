//! Rules for `CloudTrail` manifests: names, and the guardrails of AWS Security Hub's
//! CloudTrail controls, each of which a trail may break only with a named exception.

use std::collections::BTreeSet;

use super::CloudTrailSpec;
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: a trail that records one region only (Security Hub CloudTrail.1).
pub const SINGLE_REGION: &str = "AFU9-TRAIL-001";
/// Guardrail: log files not encrypted with a KMS key (CloudTrail.2).
pub const NO_KMS_KEY: &str = "AFU9-TRAIL-002";
/// Guardrail: log-file validation off (CloudTrail.4).
pub const NO_LOG_FILE_VALIDATION: &str = "AFU9-TRAIL-003";
/// Guardrail: no delivery to CloudWatch Logs (CloudTrail.5).
pub const NO_CLOUDWATCH_LOGS: &str = "AFU9-TRAIL-004";
/// Guardrail: read or write management events not recorded (CloudTrail.1).
pub const NO_READ_EVENTS: &str = "AFU9-TRAIL-005";

/// The guardrails, their Security Hub control and what breaking them means.
const GUARDRAILS: &[(&str, &str, &str)] = &[
    (
        SINGLE_REGION,
        "CloudTrail.1",
        "the trail records one region only",
    ),
    (
        NO_KMS_KEY,
        "CloudTrail.2",
        "the log files are not encrypted with a KMS key",
    ),
    (
        NO_LOG_FILE_VALIDATION,
        "CloudTrail.4",
        "log-file validation is off",
    ),
    (
        NO_CLOUDWATCH_LOGS,
        "CloudTrail.5",
        "the trail does not deliver to CloudWatch Logs",
    ),
    (
        NO_READ_EVENTS,
        "CloudTrail.1",
        "the trail does not record both read and write management events",
    ),
];

impl Validate for CloudTrailSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for trail in &state.cloud_trails {
            check(trail, errors);
            check_tags(&trail.source, &trail.spec.tags, errors);
        }
    }
}

/// CloudTrail's trail names: 3-128 letters, digits, `.`, `_`, `-`, starting and ending with
/// a letter or digit.
fn is_trail_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=128).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

fn check(trail: &Resource<CloudTrailSpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(trail);
    let spec = &trail.spec;
    if !is_trail_name(trail.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-TRAIL-007",
                format!("`{}` is not a valid trail name", trail.name()),
            )
            .hint("3-128 letters, digits, `.`, `_` or `-`, starting and ending with a letter or digit"),
        );
    }
    let mut empty = vec![("spec.s3Bucket", spec.s3_bucket.as_str())];
    if let Some(key) = &spec.kms_key {
        empty.push(("spec.kmsKey", key));
    }
    if let Some(delivery) = &spec.cloud_watch_logs {
        empty.push(("spec.cloudWatchLogs.logGroup", &delivery.log_group));
        empty.push(("spec.cloudWatchLogs.role", &delivery.role));
    }
    for (field, value) in empty {
        if value.trim().is_empty() {
            errors.push(error(
                field,
                "AFU9-TRAIL-008",
                "must not be empty".to_owned(),
            ));
        }
    }
    let mut excepted = BTreeSet::new();
    for (index, exception) in spec.guardrail_exceptions.iter().enumerate() {
        let known = GUARDRAILS.iter().any(|(rule, ..)| *rule == exception.rule);
        if !known || exception.reason.trim().is_empty() {
            errors.push(
                error(
                    &format!("spec.guardrailExceptions[{index}]"),
                    "AFU9-TRAIL-006",
                    "an exception names a trail guardrail and gives a reason".to_owned(),
                )
                .hint(format!(
                    "the trail guardrails are {}",
                    GUARDRAILS
                        .iter()
                        .map(|(rule, ..)| *rule)
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        } else {
            excepted.insert(exception.rule.as_str());
        }
    }
    let broken = [
        (SINGLE_REGION, "spec.multiRegion", !spec.multi_region),
        (NO_KMS_KEY, "spec.kmsKey", spec.kms_key.is_none()),
        (
            NO_LOG_FILE_VALIDATION,
            "spec.logFileValidation",
            !spec.log_file_validation,
        ),
        (
            NO_CLOUDWATCH_LOGS,
            "spec.cloudWatchLogs",
            spec.cloud_watch_logs.is_none(),
        ),
        (
            NO_READ_EVENTS,
            "spec.managementEvents",
            !(spec.management_events.read && spec.management_events.write),
        ),
    ];
    for (rule, field, is_broken) in broken {
        if !is_broken || excepted.contains(rule) {
            continue;
        }
        let (_, control, what) = GUARDRAILS
            .iter()
            .find(|(id, ..)| *id == rule)
            .expect("every guardrail is listed");
        errors.push(
            error(field, rule, format!("{what}; Security Hub {control}")).hint(format!(
                "if this is intended, add guardrailExceptions: [{{rule: {rule}, reason: ...}}]"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::load_str;

    const GOOD: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: CloudTrail\nmetadata: {name: afu9-audit-trail}\nspec:\n  s3Bucket: afu9-audit-logs\n  multiRegion: true\n  logFileValidation: true\n  kmsKey: alias/afu9-audit\n  cloudWatchLogs: {logGroup: /afu9/cloudtrail, role: afu9-cloudtrail-logs}\n";

    fn rules_fired(yaml: &str) -> Vec<&'static str> {
        match load_str(Path::new("t.yaml"), yaml) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .0
                .iter()
                .filter(|e| !e.warning)
                .map(|e| e.rule)
                .collect(),
        }
    }

    #[test]
    fn the_guides_trail_passes_every_guardrail() {
        assert!(rules_fired(GOOD).is_empty());
    }

    #[test]
    fn each_guardrail_fires_and_a_named_exception_with_a_reason_lifts_it() {
        let single = GOOD.replace("multiRegion: true", "multiRegion: false");
        assert_eq!(rules_fired(&single), ["AFU9-TRAIL-001"]);
        let excepted = format!(
            "{single}  guardrailExceptions: [{{rule: AFU9-TRAIL-001, reason: one-region sandbox}}]\n"
        );
        assert!(rules_fired(&excepted).is_empty());
        let no_reason =
            format!("{single}  guardrailExceptions: [{{rule: AFU9-TRAIL-001, reason: \" \"}}]\n");
        assert_eq!(
            rules_fired(&no_reason),
            ["AFU9-TRAIL-006", "AFU9-TRAIL-001"]
        );
        let bare = "apiVersion: posture.afu9.io/v1alpha1\nkind: CloudTrail\nmetadata: {name: t-1}\nspec: {s3Bucket: b, managementEvents: {read: false}}\n";
        assert_eq!(
            rules_fired(bare),
            [
                "AFU9-TRAIL-001",
                "AFU9-TRAIL-002",
                "AFU9-TRAIL-003",
                "AFU9-TRAIL-004",
                "AFU9-TRAIL-005"
            ]
        );
    }

    #[test]
    fn trail_names() {
        for good in ["afu9-audit-trail", "a.b_c", "abc"] {
            assert!(super::is_trail_name(good), "{good}");
        }
        for bad in ["ab", "-abc", "abc-", "a b c", "ab/c"] {
            assert!(!super::is_trail_name(bad), "{bad}");
        }
    }
}
