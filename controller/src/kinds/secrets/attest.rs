//! What a live secret proves: automatic rotation is on, with a Lambda (SecretsManager.1), and
//! its value is at most 90 days old, Security Hub's default (SecretsManager.4), read off the
//! secret's listing and version dates, never its value.

use afu9_spec::Resource;
use afu9_spec::secrets::SecretSpec;
use serde_json::{Value, json};

use super::{SecretObserved, Secrets};
use crate::engine::Attests;
use crate::plan::Fact;

/// The age, in days, SecretsManager.4 allows a secret's value by default.
const MAX_AGE_DAYS: i64 = 90;

const DAY: i64 = 86_400;

impl Attests for Secrets {
    fn facts(_want: &Resource<SecretSpec>, have: &SecretObserved) -> Vec<Fact> {
        let rotating = have.rotation_enabled && have.rotation_lambda.is_some();
        let automatic = Fact::judged(
            "SecretsManager.1",
            "rotation",
            Some(json!({
                "enabled": have.rotation_enabled,
                "lambda": have.rotation_lambda,
            })),
            rotating,
            (
                "automatic rotation is on",
                "automatic rotation is off: the value changes only when someone rotates it",
            ),
        );
        // The current value's date when it was read, else the last rotation, else creation.
        let dated = have.value_stored.or(have.last_rotated).or(have.created);
        let age = match dated {
            Some(at) => {
                let days = (have.observed_at - at).max(0) / DAY;
                Fact::judged(
                    "SecretsManager.4",
                    "valueAgeDays",
                    Some(Value::from(days)),
                    days <= MAX_AGE_DAYS,
                    (
                        &format!("the value is {days} days old (at most {MAX_AGE_DAYS})"),
                        &format!("the value is {days} days old, more than {MAX_AGE_DAYS}"),
                    ),
                )
            }
            None => Fact::fails(
                "SecretsManager.4",
                "valueAgeDays",
                None,
                "Secrets Manager gives no date for the value",
            ),
        };
        vec![automatic, age]
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::ManifestKind;
    use afu9_spec::load::load_str;

    use super::*;

    /// Rotated by a Lambda, says the manifest; the facts follow the live secret.
    const SECRET: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: Secret
metadata: {name: afu9/database}
spec:
  rotation: {lambda: afu9-rotate-db-password, afterDays: 30}
";
    const NOW: i64 = 1_795_737_600;

    fn live(lambda: Option<&str>, last_rotated_days_ago: i64) -> SecretObserved {
        SecretObserved {
            arn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:afu9/database-AbCdEf"
                .to_owned(),
            description: None,
            kms_key: None,
            rotation_enabled: lambda.is_some(),
            rotation_lambda: lambda.map(str::to_owned),
            schedule: None,
            has_value: true,
            created: Some(NOW - 400 * DAY),
            last_rotated: Some(NOW - last_rotated_days_ago * DAY),
            value_stored: None,
            rotation_pending: None,
            deletion_date: None,
            observed_at: NOW,
            tags: afu9_spec::tags::Tags::default(),
        }
    }

    fn judged(have: &SecretObserved) -> Vec<(&'static str, bool)> {
        let state = load_str(Path::new("secret.yaml"), SECRET).expect("valid manifest");
        let want = &SecretSpec::resources(&state)[0];
        Secrets::facts(want, have)
            .iter()
            .map(|f| (f.control, f.holds))
            .collect()
    }

    #[test]
    fn facts_read_the_live_secret_not_the_manifest() {
        let lambda = "arn:aws:lambda:eu-central-1:123456789012:function:afu9-rotate-db-password";
        assert_eq!(
            judged(&live(Some(lambda), 10)),
            [("SecretsManager.1", true), ("SecretsManager.4", true)]
        );
        assert_eq!(
            judged(&live(None, 91)),
            [("SecretsManager.1", false), ("SecretsManager.4", false)]
        );
    }
}
