//! AWS access: one `SdkConfig`, each client built on first use over one HTTP client, every
//! call counted, errors classified, a pass's listings shared.

mod ahead;
pub mod calls;
mod clients;
pub mod credentials;
pub mod error;
pub mod pass;
pub mod read;
mod s3control;
pub mod write;

use std::sync::Arc;

use tokio::sync::OnceCell;

use clients::{ClientPolicy, Clients};

pub use ahead::ConfigAhead;
pub use calls::{CallCounter, CallKey};
pub use credentials::CredentialsError;
pub use error::{AwsError, ErrorClass};
pub use pass::Listings;
pub use write::{OpOutcome, WriteCall};

/// Where to reach AWS: overrides of the SDK's standard configuration chain.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// An endpoint for every service (a local emulator); `None` for real AWS.
    pub endpoint_url: Option<String>,
    /// The region; `None` to let the SDK's chain decide.
    pub region: Option<String>,
}

/// The AWS clients of one controller process, sharing one configuration and one call counter.
#[derive(Debug, Clone)]
pub struct Aws {
    /// The service clients, each built on its first use and shared by every clone.
    clients: Arc<Clients>,
    /// Who the credentials belong to, asked at most once.
    identity: Arc<OnceCell<Identity>>,
    /// Every HTTP attempt made by the clients above.
    pub calls: CallCounter,
    /// The region the clients talk to, if known.
    pub region: Option<String>,
    /// The listings of the pass this value serves (none outside a pass: every listing is
    /// read afresh).
    pass: Option<Arc<Listings>>,
}

impl Aws {
    /// Builds the clients from the SDK's standard chain (environment, profile, container
    /// credentials), with `settings` on top, once the credentials resolve. Makes no network
    /// call for static credentials.
    pub async fn connect(settings: &AwsSettings) -> Result<Self, CredentialsError> {
        let policy = ClientPolicy::new();
        let config = ahead::load(settings, &policy).await;
        Self::connected(config, policy).await
    }

    /// As [`Aws::connect`], with the configuration `ahead` began loading before `settings`
    /// were known (used when it is the one they ask for).
    pub async fn connect_ahead(
        ahead: ConfigAhead,
        settings: &AwsSettings,
    ) -> Result<Self, CredentialsError> {
        let (config, policy) = ahead.finish(settings).await;
        Self::connected(config, policy).await
    }

    async fn connected(
        config: aws_config::SdkConfig,
        policy: ClientPolicy,
    ) -> Result<Self, CredentialsError> {
        credentials::check(&config).await?;
        Ok(Self::with_policy(&config, policy))
    }

    /// Builds the clients from an SDK configuration made elsewhere (tests, tools), with the
    /// controller's retry, timeout and call-counting policy on every client.
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        Self::with_policy(config, ClientPolicy::new())
    }

    fn with_policy(config: &aws_config::SdkConfig, policy: ClientPolicy) -> Self {
        Self {
            calls: policy.calls.clone(),
            region: config.region().map(ToString::to_string),
            clients: Arc::new(Clients::new(config.clone(), policy)),
            identity: Arc::default(),
            pass: None,
        }
    }

    /// The same clients for one pass, whose listings are each read at most once and shared
    /// (see [`pass`]); `whole` when the pass looks at every live resource of each tracked
    /// kind (a plan that looks for orphans).
    #[must_use]
    pub fn for_pass(&self, whole: bool) -> Self {
        Self {
            pass: Some(Arc::new(Listings::new(whole))),
            ..self.clone()
        }
    }

    /// Whether this value serves a whole pass (one that lists every live resource of each
    /// tracked kind anyway): a kind then reads its resources from the full listing it shares
    /// rather than from a listing filtered by its manifests' names.
    pub fn whole_pass(&self) -> bool {
        self.pass.as_ref().is_some_and(|pass| pass.whole())
    }

    /// The listing `key` (`ECR.DescribeRepositories`), read by `read` once per pass and
    /// shared by every reader in it; outside a pass, read each time. A read of one resource
    /// that several kinds need is shared the same way, keyed by the call and the resource.
    pub async fn listing<T, F, Fut>(
        &self,
        key: impl Into<std::borrow::Cow<'static, str>>,
        read: F,
    ) -> Result<Arc<T>, AwsError>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, AwsError>>,
    {
        match &self.pass {
            Some(pass) => pass.get(key, read).await,
            None => read().await.map(Arc::new),
        }
    }

    /// The account and partition the credentials belong to (STS `GetCallerIdentity`, asked
    /// once per `Aws` value).
    pub async fn identity(&self) -> Result<&Identity, AwsError> {
        self.identity
            .get_or_try_init(|| async {
                let output = self
                    .sts()
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|err| {
                        AwsError::from_sdk("read caller identity", "GetCallerIdentity", &err)
                    })?;
                let account = output.account.unwrap_or_default();
                let partition = output
                    .arn
                    .as_deref()
                    .and_then(|arn| arn.split(':').nth(1))
                    .unwrap_or("aws")
                    .to_owned();
                let arn = output.arn.unwrap_or_default();
                Ok(Identity {
                    account,
                    partition,
                    arn,
                })
            })
            .await
    }
}

/// The account and partition AWS calls act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The 12-digit account id.
    pub account: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// The caller's ARN (an IAM user, or a session of an assumed role).
    pub arn: String,
}
