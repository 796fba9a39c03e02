//! Where notices go, resolved from the Posture: the SNS topic's ARN and each webhook's URL
//! (read from its environment variable; the URL is a credential and has no `Debug`).

use afu9_spec::DesiredState;
use afu9_spec::notifications::WebhookFormat;

use crate::aws::{Aws, AwsError};

/// The resolved targets of a desired state.
#[derive(Debug, Default)]
pub struct Targets {
    /// The topic's ARN.
    pub sns_topic: Option<String>,
    /// The webhooks.
    pub webhooks: Vec<WebhookTarget>,
}

/// A webhook with its URL.
pub struct WebhookTarget {
    /// Its name in the Posture.
    pub name: String,
    /// Its body's shape.
    pub format: WebhookFormat,
    url: String,
}

impl WebhookTarget {
    /// The URL. A credential: never print, log or put it in an error.
    pub(super) fn url(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("name", &self.name)
            .field("format", &self.format)
            .field("url", &"(redacted)")
            .finish()
    }
}

/// Why the targets cannot be resolved. Names variables, never their values.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    /// A webhook's variable is not set, or empty.
    #[error(
        "webhook `{webhook}`: the environment variable {variable} that holds its URL is not set"
    )]
    MissingUrl {
        /// The webhook's name.
        webhook: String,
        /// The variable's name.
        variable: String,
    },
    /// A webhook's URL is not `http://` or `https://`.
    #[error("webhook `{webhook}`: the URL in {variable} is not an http(s) URL")]
    BadUrl {
        /// The webhook's name.
        webhook: String,
        /// The variable's name.
        variable: String,
    },
    /// The topic's ARN needs the account, and it could not be read.
    #[error("the SNS topic's ARN: {0}")]
    Identity(#[from] AwsError),
    /// The topic's ARN needs a region.
    #[error("the SNS topic's ARN: no region is configured (--region or AWS_REGION)")]
    NoRegion,
}

impl Targets {
    /// The targets the desired state's Posture names, the URLs read through `env`; none
    /// when it names none.
    pub async fn resolve(
        aws: &Aws,
        state: &DesiredState,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, TargetsError> {
        let Some(notifications) = &state.posture.notifications else {
            return Ok(Self::default());
        };
        let sns_topic = match notifications.sns_topic(state) {
            Some(arn) if arn.starts_with("arn:") => Some(arn.to_owned()),
            Some(name) => {
                let identity = aws.identity().await?;
                let region = aws.region.as_deref().ok_or(TargetsError::NoRegion)?;
                Some(format!(
                    "arn:{}:sns:{region}:{}:{name}",
                    identity.partition, identity.account
                ))
            }
            None => None,
        };
        let mut webhooks = Vec::new();
        for webhook in &notifications.webhooks {
            let url = env(&webhook.url_env).filter(|url| !url.trim().is_empty());
            let Some(url) = url else {
                return Err(TargetsError::MissingUrl {
                    webhook: webhook.name.clone(),
                    variable: webhook.url_env.clone(),
                });
            };
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(TargetsError::BadUrl {
                    webhook: webhook.name.clone(),
                    variable: webhook.url_env.clone(),
                });
            }
            webhooks.push(WebhookTarget {
                name: webhook.name.clone(),
                format: webhook.format,
                url: url.trim().to_owned(),
            });
        }
        Ok(Self {
            sns_topic,
            webhooks,
        })
    }

    /// Whether there is anywhere to send.
    pub fn is_empty(&self) -> bool {
        self.sns_topic.is_none() && self.webhooks.is_empty()
    }
}
