//! Rules for `Secret` manifests: names, the rotation's shape, schedules, Lambda references.

use super::{Rotation, SecretSpec};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::DesiredState;
use crate::validate::{RuleError, check_tags, rule_error};

/// The longest rotation interval Secrets Manager accepts, in days.
const MAX_AFTER_DAYS: u32 = 1000;

impl Validate for SecretSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        check(state, errors);
    }
}

fn check(state: &DesiredState, errors: &mut Vec<ManifestError>) {
    for secret in &state.secrets {
        let error = rule_error(secret);
        if !is_secret_name(secret.name()) {
            errors.push(
                error(
                    "metadata.name",
                    "AFU9-SECRET-001",
                    format!("`{}` is not a valid secret name", secret.name()),
                )
                .hint("1-512 letters, digits and / _ + = . @ -"),
            );
        }
        for (field, value) in [
            ("spec.kmsKey", &secret.spec.kms_key),
            ("spec.description", &secret.spec.description),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                errors.push(error(
                    field,
                    "AFU9-SECRET-006",
                    "must not be empty; leave it out to leave it unmanaged".to_owned(),
                ));
            }
        }
        if let Some(rotation) = &secret.spec.rotation {
            check_rotation(rotation, &error, errors);
        }
        check_tags(&secret.source, &secret.spec.tags, errors);
    }
}

fn check_rotation(rotation: &Rotation, error: &RuleError<'_>, errors: &mut Vec<ManifestError>) {
    if let Some(time) = &rotation.rotated_after
        && crate::time::parse_utc(time).is_none()
    {
        errors.push(
            error(
                "spec.rotation.rotatedAfter",
                "AFU9-SECRET-010",
                format!("`{time}` is not a UTC time"),
            )
            .hint("rotatedAfter: 2026-12-06T09:30:00Z"),
        );
    }
    let automatic = rotation.lambda.is_some()
        && (rotation.after_days.is_some() != rotation.schedule.is_some())
        && rotation.manual.is_none()
        && rotation.max_age_days.is_none();
    let manual = rotation.is_manual()
        && rotation.max_age_days.is_some()
        && rotation.lambda.is_none()
        && rotation.after_days.is_none()
        && rotation.schedule.is_none();
    if !automatic && !manual {
        errors.push(
            error(
                "spec.rotation",
                "AFU9-SECRET-002",
                "set `lambda` with exactly one of `afterDays` and `schedule`, or `manual: true` \
                 with `maxAgeDays`"
                    .to_owned(),
            )
            .hint("rotation: {lambda: afu9-rotate-db-password, afterDays: 90}"),
        );
        return;
    }
    if let Some(days) = rotation.after_days
        && !(1..=MAX_AFTER_DAYS).contains(&days)
    {
        errors.push(error(
            "spec.rotation.afterDays",
            "AFU9-SECRET-003",
            format!("{days} is not between 1 and {MAX_AFTER_DAYS} days"),
        ));
    }
    if rotation.max_age_days == Some(0) {
        errors.push(error(
            "spec.rotation.maxAgeDays",
            "AFU9-SECRET-003",
            "maxAgeDays must be at least 1".to_owned(),
        ));
    }
    if let Some(schedule) = &rotation.schedule
        && !is_schedule(schedule)
    {
        errors.push(
            error(
                "spec.rotation.schedule",
                "AFU9-SECRET-004",
                format!("`{schedule}` is not a schedule expression"),
            )
            .hint("rate(90 days), rate(4 hours) or cron(0 8 1 * ? *)"),
        );
    }
    if let Some(lambda) = &rotation.lambda
        && !is_lambda_reference(lambda)
    {
        errors.push(
            error(
                "spec.rotation.lambda",
                "AFU9-SECRET-005",
                format!("`{lambda}` is not a Lambda function name or ARN"),
            )
            .hint("afu9-rotate-db-password or arn:aws:lambda:REGION:ACCOUNT:function:NAME"),
        );
    }
}

/// Secret names: 1-512 ASCII letters, digits and `/_+=.@-`.
fn is_secret_name(name: &str) -> bool {
    (1..=512).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b))
}

/// `rate(N unit)` with a positive N, or `cron(...)` with something inside.
fn is_schedule(schedule: &str) -> bool {
    let schedule = schedule.trim();
    if let Some(inner) = schedule
        .strip_prefix("rate(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let words: Vec<&str> = inner.split_whitespace().collect();
        return matches!(words.as_slice(), [count, unit]
            if count.parse::<u32>().is_ok_and(|n| n > 0)
                && matches!(*unit, "day" | "days" | "hour" | "hours"));
    }
    schedule
        .strip_prefix("cron(")
        .and_then(|rest| rest.strip_suffix(')'))
        .is_some_and(|inner| !inner.trim().is_empty())
}

/// A function name (1-64 letters, digits, `-`, `_`) or `arn:<partition>:lambda:<region>:
/// <account>:function:<name>`.
fn is_lambda_reference(reference: &str) -> bool {
    let is_name = |name: &str| {
        (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !reference.starts_with("arn:") {
        return is_name(reference);
    }
    let parts: Vec<&str> = reference.split(':').collect();
    matches!(parts.as_slice(), [_, partition, "lambda", region, account, "function", name, ..]
        if partition.starts_with("aws") && !region.is_empty()
            && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
            && is_name(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_schedules_and_lambdas() {
        assert!(is_secret_name("afu9/database"));
        assert!(!is_secret_name("afu9 database"));
        assert!(is_schedule("rate(90 days)"));
        assert!(is_schedule("rate(4 hours)"));
        assert!(is_schedule("cron(0 8 1 * ? *)"));
        assert!(!is_schedule("rate(0 days)"));
        assert!(!is_schedule("every 90 days"));
        assert!(is_lambda_reference("afu9-rotate-db-password"));
        assert!(is_lambda_reference(
            "arn:aws:lambda:eu-central-1:123456789012:function:afu9-rotate"
        ));
        assert!(!is_lambda_reference(
            "arn:aws:lambda:eu-central-1:123:function:x"
        ));
        assert!(!is_lambda_reference("a function"));
    }
}
