//! Rules for `LogGroup` manifests: names, retention values, the CloudWatch.16 retention
//! guardrail for audit groups, and a KMS key whose policy lets CloudWatch Logs use it.

use serde_json::Value;

use super::LogGroupSpec;
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: an audit group keeps its events less than 365 days, or forever is not said
/// (Security Hub CloudWatch.16).
pub const SHORT_AUDIT_RETENTION: &str = "AFU9-LOGS-003";

/// The retention values CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl Validate for LogGroupSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for group in &state.log_groups {
            check(state, group, errors);
            check_tags(&group.source, &group.spec.tags, errors);
        }
    }
}

/// Whether the group `group` holds audit events: its manifest says so, or a `CloudTrail`
/// manifest delivers to it.
pub fn is_audit_group(state: &DesiredState, group: &Resource<LogGroupSpec>) -> bool {
    group.spec.audit
        || state.cloud_trails.iter().any(|t| {
            t.spec
                .cloud_watch_logs
                .as_ref()
                .is_some_and(|l| l.log_group == group.name())
        })
}

/// Log group names: 1-512 letters, digits, `_`, `-`, `/`, `.` and `#`.
fn is_group_name(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'/' | b'.' | b'#'))
}

fn check(state: &DesiredState, group: &Resource<LogGroupSpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(group);
    let spec = &group.spec;
    if !is_group_name(group.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-LOGS-001",
                format!("`{}` is not a valid log group name", group.name()),
            )
            .hint("1-512 letters, digits, `_`, `-`, `/`, `.` or `#`"),
        );
    }
    if let Some(days) = spec.retention_days
        && !RETENTION_DAYS.contains(&days)
    {
        errors.push(
            error(
                "spec.retentionDays",
                "AFU9-LOGS-002",
                format!("{days} is not a retention CloudWatch Logs accepts"),
            )
            .hint("one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"),
        );
    }
    if is_audit_group(state, group) && spec.retention_days.is_none_or(|days| days < 365) {
        errors.push(
            error(
                "spec.retentionDays",
                SHORT_AUDIT_RETENTION,
                "an audit log group keeps its events at least 365 days; Security Hub CloudWatch.16"
                    .to_owned(),
            )
            .hint("retentionDays: 365 (or more)"),
        );
    }
    if let Some(key) = &spec.kms_key {
        check_key(state, group, key, errors);
    }
}

/// A key named by a `KmsKey` manifest must let CloudWatch Logs use it: an error when the
/// manifest's policy names no `logs.` service principal, a warning when the policy is not
/// managed (nothing here can tell).
fn check_key(
    state: &DesiredState,
    group: &Resource<LogGroupSpec>,
    key: &str,
    errors: &mut Vec<ManifestError>,
) {
    let error = rule_error(group);
    if key.trim().is_empty() {
        errors.push(error(
            "spec.kmsKey",
            "AFU9-LOGS-004",
            "must not be empty".to_owned(),
        ));
        return;
    }
    let Some(name) = key
        .strip_prefix("alias/")
        .or_else(|| key.split_once(":alias/").map(|(_, name)| name))
    else {
        return;
    };
    let Some(manifest) = state.kms_keys.iter().find(|k| k.name() == name) else {
        return;
    };
    let service = state
        .posture
        .region
        .as_ref()
        .map(|region| format!("logs.{region}.amazonaws.com"));
    match &manifest.spec.policy {
        Some(policy) if !allows_service(policy, service.as_deref()) => errors.push(
            error(
                "spec.kmsKey",
                "AFU9-LOGS-005",
                format!(
                    "the policy of KmsKey {name} does not let CloudWatch Logs ({}) use the key",
                    service.as_deref().unwrap_or("logs.<region>.amazonaws.com")
                ),
            )
            .hint("add a statement allowing kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* to the logs service principal"),
        ),
        Some(_) => {}
        None => errors.push(
            error(
                "spec.kmsKey",
                "AFU9-LOGS-005",
                format!(
                    "KmsKey {name} does not manage its policy, which must let CloudWatch Logs use the key"
                ),
            )
            .warning(),
        ),
    }
}

/// Whether an Allow statement of `policy` names the CloudWatch Logs service principal
/// (`service`, or any `logs.<region>.amazonaws.com` when the region is not known).
fn allows_service(policy: &Value, service: Option<&str>) -> bool {
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    statements.into_iter().any(|statement| {
        statement.get("Effect").and_then(Value::as_str) == Some("Allow")
            && statement
                .get("Principal")
                .and_then(|p| p.get("Service"))
                .is_some_and(|names| {
                    let names = match names {
                        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                        other => other.as_str().into_iter().collect::<Vec<_>>(),
                    };
                    names.iter().any(|name| match service {
                        Some(service) => *name == service,
                        None => name.starts_with("logs.") && name.ends_with(".amazonaws.com"),
                    })
                })
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::load_str;

    const TRAIL: &str = "---\napiVersion: posture.afu9.io/v1alpha1\nkind: CloudTrail\nmetadata: {name: trail}\nspec:\n  s3Bucket: b\n  multiRegion: true\n  logFileValidation: true\n  kmsKey: alias/k\n  cloudWatchLogs: {logGroup: /afu9/cloudtrail, role: r}\n";

    fn rules_fired(yaml: &str) -> Vec<&'static str> {
        match load_str(Path::new("t.yaml"), yaml) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.0.iter().map(|e| e.rule).collect(),
        }
    }

    fn group(spec: &str) -> String {
        format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: LogGroup\nmetadata: {{name: /afu9/cloudtrail}}\nspec: {spec}\n"
        )
    }

    #[test]
    fn audit_groups_keep_a_year() {
        assert!(rules_fired(&group("{retentionDays: 30}")).is_empty());
        assert_eq!(
            rules_fired(&format!("{}{TRAIL}", group("{retentionDays: 30}"))),
            ["AFU9-LOGS-003"]
        );
        assert_eq!(rules_fired(&group("{audit: true}")), ["AFU9-LOGS-003"]);
        assert!(rules_fired(&format!("{}{TRAIL}", group("{retentionDays: 365}"))).is_empty());
        assert_eq!(
            rules_fired(&group("{retentionDays: 366}")),
            ["AFU9-LOGS-002"]
        );
    }

    #[test]
    fn a_managed_key_policy_must_let_cloudwatch_logs_in() {
        let key = |policy: &str| {
            format!(
                "---\napiVersion: posture.afu9.io/v1alpha1\nkind: KmsKey\nmetadata: {{name: k}}\nspec: {{rotation: true, policy: {policy}}}\n"
            )
        };
        let closed = key(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}"#,
        );
        let open = key(
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "logs.eu-central-1.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}}"#,
        );
        let with_key = group("{kmsKey: alias/k}");
        assert_eq!(
            rules_fired(&format!("{with_key}{closed}")),
            ["AFU9-LOGS-005"]
        );
        assert!(rules_fired(&format!("{with_key}{open}")).is_empty());
    }
}
