//! Where `afu9ctl run` (and `apply --notify`) tells people what it found and did: an SNS topic
//! and webhooks, configured in the Posture document (`spec.notifications`).
//!
//! A webhook's URL is a credential (whoever has it can post to the channel), so a manifest
//! never holds it: it names the environment variable that carries it, which the deploy stack
//! fills from a Secrets Manager secret.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ManifestError;
use crate::state::{DesiredState, Resource};

/// The notification targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Notifications {
    /// Publish to an SNS topic: a JSON message with a short subject per event kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns: Option<SnsTarget>,
    /// Post to webhooks (Slack incoming webhooks, or any endpoint taking JSON).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<Webhook>,
}

/// The SNS target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SnsTarget {
    /// The topic: an `SnsTopic` manifest's name or a topic ARN. Left out: the desired
    /// state's alerts topic, its one `SnsTopic` manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
}

/// One webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Webhook {
    /// A name for logs and metrics (`team-channel`); never the URL.
    pub name: String,
    /// The environment variable holding the URL (`AFU9_SLACK_WEBHOOK_URL`). The URL is a
    /// credential: it is never printed, logged or put in an error.
    pub url_env: String,
    /// The body's shape.
    #[serde(default)]
    pub format: WebhookFormat,
}

/// A webhook body's shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum WebhookFormat {
    /// Slack's incoming-webhook JSON (`text` and `blocks`); Mattermost and others take it.
    #[default]
    Slack,
    /// The same JSON as the SNS message.
    Json,
}

impl Notifications {
    /// The SNS topic the notifications go to, as the manifest names it (a manifest name or
    /// an ARN), when SNS is configured and the topic is known.
    pub fn sns_topic<'a>(&'a self, state: &'a DesiredState) -> Option<&'a str> {
        let sns = self.sns.as_ref()?;
        match &sns.topic {
            Some(topic) => Some(topic),
            None => match state.sns_topics.as_slice() {
                [only] => Some(only.name()),
                _ => None,
            },
        }
    }
}

/// The Posture's notification rules: a topic that resolves, webhook names unique and URL
/// variables that are environment variable names.
pub(crate) fn check(
    posture: &Resource<crate::posture::PostureSpec>,
    state: &DesiredState,
    errors: &mut Vec<ManifestError>,
) {
    let Some(notifications) = &posture.spec.notifications else {
        return;
    };
    let at = |field: String, rule: &'static str, message: String| {
        ManifestError::new(posture.source.clone(), message)
            .field(field)
            .rule(rule)
    };
    if notifications.sns.is_some() && notifications.sns_topic(state).is_none() {
        errors.push(
            at(
                "spec.notifications.sns.topic".to_owned(),
                "AFU9-NOTIFY-001",
                format!(
                    "no topic named, and the desired state has {} SnsTopic manifests, not one",
                    state.sns_topics.len()
                ),
            )
            .hint("name the topic: an SnsTopic manifest's name or a topic ARN"),
        );
    }
    if let Some(topic) = notifications.sns.as_ref().and_then(|s| s.topic.as_deref())
        && !topic.starts_with("arn:")
        && !state.sns_topics.iter().any(|t| t.name() == topic)
    {
        errors.push(
            at(
                "spec.notifications.sns.topic".to_owned(),
                "AFU9-NOTIFY-002",
                format!("`{topic}` is neither an SnsTopic manifest's name nor a topic ARN"),
            )
            .hint("name an SnsTopic manifest, or give the ARN of a topic managed elsewhere"),
        );
    }
    for (i, webhook) in notifications.webhooks.iter().enumerate() {
        if notifications.webhooks[..i]
            .iter()
            .any(|w| w.name == webhook.name)
        {
            errors.push(at(
                format!("spec.notifications.webhooks[{i}].name"),
                "AFU9-NOTIFY-003",
                format!("duplicate webhook `{}`", webhook.name),
            ));
        }
        let valid = webhook
            .url_env
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && webhook
                .url_env
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            errors.push(
                at(
                    format!("spec.notifications.webhooks[{i}].urlEnv"),
                    "AFU9-NOTIFY-004",
                    format!("`{}` is not an environment variable name", webhook.url_env),
                )
                .hint("name the variable that holds the URL (`AFU9_SLACK_WEBHOOK_URL`), never the URL"),
            );
        }
    }
}
