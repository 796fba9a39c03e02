//! Credentials resolved once, before any AWS call, so that their absence or expiry is said
//! once, with its cause and what to do, rather than as one "request not sent" per resource.

use std::time::SystemTime;

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError as SdkCredentialsError;

/// Why the controller has no usable AWS credentials.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// No source in the SDK's chain had credentials.
    #[error(
        "no AWS credentials: none of the SDK's sources had any (environment variables \
         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws/, web identity, \
         ECS container credentials, EC2 instance metadata){cause}; set AWS_PROFILE, or \
         AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached"
    )]
    Missing {
        /// What the chain said, `: …`, or nothing.
        cause: String,
    },
    /// The credentials found have expired.
    #[error(
        "the AWS credentials expired {ago} s ago; refresh them (for IAM Identity Center: \
         aws sso login) and run again"
    )]
    Expired {
        /// Seconds since they expired.
        ago: u64,
    },
    /// A source had credentials but could not load them.
    #[error(
        "no usable AWS credentials: {cause}; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, or check the profile or role in use"
    )]
    Unloadable {
        /// The SDK's error and its sources.
        cause: String,
    },
}

/// Resolves the credentials of `config` once (the SDK caches them for the clients).
pub async fn check(config: &SdkConfig) -> Result<(), CredentialsError> {
    let Some(provider) = config.credentials_provider() else {
        return Err(CredentialsError::Missing {
            cause: String::new(),
        });
    };
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|err| match &err {
            SdkCredentialsError::CredentialsNotLoaded(_) => CredentialsError::Missing {
                cause: format!(": {}", super::error::error_chain(&err)),
            },
            _ => CredentialsError::Unloadable {
                cause: super::error::error_chain(&err),
            },
        })?;
    match credentials
        .expiry()
        .and_then(|expiry| SystemTime::now().duration_since(expiry).ok())
    {
        Some(ago) => Err(CredentialsError::Expired { ago: ago.as_secs() }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use aws_config::{BehaviorVersion, SdkConfig};
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;

    use super::{CredentialsError, check};

    fn config(credentials: Option<Credentials>) -> SdkConfig {
        let builder = SdkConfig::builder().behavior_version(BehaviorVersion::latest());
        match credentials {
            Some(credentials) => builder
                .credentials_provider(SharedCredentialsProvider::new(credentials))
                .build(),
            None => builder.build(),
        }
    }

    #[tokio::test]
    async fn missing_expired_and_valid_credentials_are_told_apart() {
        let missing = check(&config(None)).await.expect_err("no provider");
        assert!(matches!(missing, CredentialsError::Missing { .. }));
        assert!(missing.to_string().contains("set AWS_PROFILE"), "{missing}");

        let expired = Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            Some("token".to_owned()),
            Some(SystemTime::now() - Duration::from_secs(120)),
            "test",
        );
        let expired = check(&config(Some(expired))).await.expect_err("expired");
        assert!(matches!(expired, CredentialsError::Expired { ago } if ago >= 119));

        let valid = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        assert!(check(&config(Some(valid))).await.is_ok());
    }
}
