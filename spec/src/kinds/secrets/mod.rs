//! `Secret`: a Secrets Manager secret's configuration — rotation, KMS key, description, tags —
//! never its value.
//!
//! The controller reads secrets with `ListSecrets` (and `ListSecretVersionIds` for the age of a
//! manually rotated value) and writes only configuration. Fields left out are not managed.

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

/// The desired configuration of one secret (`metadata.name` is the secret name, `afu9/database`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretSpec {
    /// The KMS key that encrypts the value: key id, key ARN, alias (`alias/afu9-secrets`) or
    /// alias ARN. Left out: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// What the secret is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How the value is rotated: by a Lambda function on a schedule, or by people (then the
    /// plan reports a value older than `maxAgeDays`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Rotation>,
    /// Whether afu9-posture creates the secret when it is missing, without a value. Left out
    /// (false): a missing secret is reported as blocked, because its owner creates it with
    /// its value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create: bool,
    /// The secret's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// Rotation of a secret's value. Either `lambda` with one of `afterDays` and `schedule`, or
/// `manual: true` with `maxAgeDays`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rotation {
    /// The rotation Lambda function: a name (`afu9-rotate-db-password`, in the account and
    /// region the controller runs in) or a function ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<String>,
    /// Rotate every N days (1-1000). Equal to `schedule: rate(N days)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_days: Option<u32>,
    /// A schedule expression: `rate(N days)`, `rate(N hours)` or `cron(...)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The value is rotated by people, not by a Lambda function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<bool>,
    /// With `manual: true`: the plan reports the secret as overdue when its current value is
    /// older than this many days (the AFU-9 guide: 90, quarterly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_days: Option<u32>,
    /// Incident containment: the current value must have been stored after this UTC time
    /// (`2026-12-06T09:30:00Z`). When it was stored earlier, a Lambda-rotated secret is
    /// rotated at once (`RotateSecret`, immediately) and a hand-rotated one is reported
    /// overdue until its owner rotates it. A time still in the future changes nothing yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated_after: Option<String>,
}

/// A rotation schedule in canonical form: `afterDays: N` and `rate(N days)` are the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Every N days.
    Days(i64),
    /// Any other schedule expression, trimmed.
    Expression(String),
}

impl Schedule {
    /// The canonical form of a schedule expression: `rate(N days)` (and `rate(1 day)`) is
    /// `Days(N)`; anything else is kept as written, trimmed.
    pub fn from_expression(expression: &str) -> Self {
        let trimmed = expression.trim();
        let days = trimmed
            .strip_prefix("rate(")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|inner| {
                let mut words = inner.split_whitespace();
                let count = words.next()?.parse::<i64>().ok()?;
                let unit = words.next()?;
                (words.next().is_none() && matches!(unit, "day" | "days")).then_some(count)
            });
        match days {
            Some(count) => Self::Days(count),
            None => Self::Expression(trimmed.to_owned()),
        }
    }

    /// The schedule as a `rate(...)` or `cron(...)` expression.
    pub fn expression(&self) -> String {
        match self {
            Self::Days(1) => "rate(1 day)".to_owned(),
            Self::Days(days) => format!("rate({days} days)"),
            Self::Expression(expression) => expression.clone(),
        }
    }
}

impl Rotation {
    /// Whether the value is rotated by people.
    pub fn is_manual(&self) -> bool {
        self.manual == Some(true)
    }

    /// The wanted schedule of an automatic rotation, in canonical form.
    pub fn schedule(&self) -> Option<Schedule> {
        match (self.after_days, &self.schedule) {
            (Some(days), _) => Some(Schedule::Days(i64::from(days))),
            (None, Some(expression)) => Some(Schedule::from_expression(expression)),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_in_days_equals_after_days() {
        assert_eq!(
            Schedule::from_expression("rate(90 days)"),
            Schedule::Days(90)
        );
        assert_eq!(
            Schedule::from_expression(" rate( 1  day ) "),
            Schedule::Days(1)
        );
        assert_eq!(
            Schedule::from_expression("rate(4 hours)"),
            Schedule::Expression("rate(4 hours)".to_owned())
        );
        assert_eq!(
            Schedule::from_expression("cron(0 8 1 * ? *)"),
            Schedule::Expression("cron(0 8 1 * ? *)".to_owned())
        );
        let by_days = Rotation {
            lambda: Some("f".to_owned()),
            after_days: Some(90),
            ..Rotation::default()
        };
        let by_rate = Rotation {
            lambda: Some("f".to_owned()),
            schedule: Some("rate(90 days)".to_owned()),
            ..Rotation::default()
        };
        assert_eq!(by_days.schedule(), by_rate.schedule());
        assert_eq!(Schedule::Days(90).expression(), "rate(90 days)");
    }
}
