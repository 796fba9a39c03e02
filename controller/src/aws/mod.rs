//! AWS access: one `SdkConfig`, clients built once over one HTTP client, every call counted,
//! errors classified, a pass's listings shared.

pub mod calls;
pub mod credentials;
pub mod error;
pub mod pass;
pub mod read;
mod s3control;
pub mod write;

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder as HttpBuilder, ConnectorBuilder};
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use tokio::sync::OnceCell;

pub use calls::{CallCounter, CallKey};
pub use credentials::CredentialsError;
pub use error::{AwsError, ErrorClass};
pub use pass::Listings;
pub use write::{OpOutcome, WriteCall};

/// What every client gets: retries, timeouts, one shared retry quota, the call counter, and
/// one HTTP client.
///
/// Retries are the SDK's standard mode (4 attempts, exponential backoff with jitter from
/// 250 ms to 10 s) for throttling, 5xx and transient network errors. The retry quota (a token
/// bucket shared by all clients: a retry costs 5 tokens of 500) protects AWS in a brownout by
/// stopping retries when most calls fail; it refills at 10 tokens a second, so that retries
/// come back between passes instead of only through successes.
///
/// The HTTP client is one for all services: one connector (the clients' timeouts are the
/// same, so its cache holds one), one TLS configuration with its root certificates, one
/// connection pool, so a connection made for one service is reused by the next call to the
/// same endpoint. Left to themselves, the SDK's clients build each their own.
struct ClientPolicy {
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    partition: RetryPartition,
    calls: CallCounter,
    http: SharedHttpClient,
}

impl ClientPolicy {
    fn new() -> Self {
        Self {
            retry: RetryConfig::standard()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(250))
                .with_max_backoff(Duration::from_secs(10)),
            timeouts: TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(120))
                .build(),
            partition: RetryPartition::custom("afu9-posture")
                .token_bucket(TokenBucket::builder().refill_rate(10.0).build())
                .build(),
            calls: CallCounter::default(),
            http: http_client(),
        }
    }
}

/// The HTTP client every service client shares: the SDK's default (hyper 1.x, rustls with
/// aws-lc, the proxy from the environment), built once.
fn http_client() -> SharedHttpClient {
    HttpBuilder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// A client of `$sdk` from `$config` with the policy's HTTP client, retries, timeouts, quota
/// and counter.
macro_rules! client {
    ($sdk:ident, $config:expr, $policy:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .http_client($policy.http.clone())
                .retry_config($policy.retry.clone())
                .timeout_config($policy.timeouts.clone())
                .retry_partition($policy.partition.clone())
                .interceptor($policy.calls.clone())
                .build(),
        )
    };
}

/// The S3 client: as the others, plus path-style addressing when the endpoint is overridden
/// (an emulator on 127.0.0.1 has no `BUCKET.host` names).
fn s3_client(config: &aws_config::SdkConfig, policy: &ClientPolicy) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .http_client(policy.http.clone())
            .retry_config(policy.retry.clone())
            .timeout_config(policy.timeouts.clone())
            .retry_partition(policy.partition.clone())
            .interceptor(policy.calls.clone())
            .force_path_style(config.endpoint_url().is_some())
            .build(),
    )
}

/// The S3 Control client: as the others, with the endpoint resolution of [`s3control`].
fn s3control_client(
    config: &aws_config::SdkConfig,
    policy: &ClientPolicy,
) -> aws_sdk_s3control::Client {
    let builder = aws_sdk_s3control::config::Builder::from(config)
        .http_client(policy.http.clone())
        .retry_config(policy.retry.clone())
        .timeout_config(policy.timeouts.clone())
        .retry_partition(policy.partition.clone())
        .interceptor(policy.calls.clone());
    aws_sdk_s3control::Client::from_conf(s3control::configure(builder, config).build())
}

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
    /// Certificate Manager (listener certificates looked up by domain; none is managed).
    pub acm: aws_sdk_acm::Client,
    /// CloudTrail (trails, their status and event selectors).
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    /// CloudWatch (metric alarms).
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// CloudWatch Logs (metric filters, log-group look-ups).
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// DynamoDB (the run loop's lease; no table is managed).
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// EC2 (security groups, VPC look-ups).
    pub ec2: aws_sdk_ec2::Client,
    /// Elastic Load Balancing v2 (load balancers' attributes, groups and listeners).
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    /// Elastic Container Registry.
    pub ecr: aws_sdk_ecr::Client,
    /// Elastic Container Service.
    pub ecs: aws_sdk_ecs::Client,
    /// RDS (database security settings and their parameter groups).
    pub rds: aws_sdk_rds::Client,
    /// EventBridge (the event source's rule).
    pub eventbridge: aws_sdk_eventbridge::Client,
    /// KMS (the posture's keys; aliases resolved to key ARNs for other kinds).
    pub kms: aws_sdk_kms::Client,
    /// S3 (the buckets).
    pub s3: aws_sdk_s3::Client,
    /// S3 Control (the account's Block Public Access).
    pub s3control: aws_sdk_s3control::Client,
    /// Secrets Manager (configuration only; values are never read).
    pub secretsmanager: aws_sdk_secretsmanager::Client,
    /// Simple Notification Service (the alarms' topics).
    pub sns: aws_sdk_sns::Client,
    /// Simple Queue Service (the event source's queue; the run loop receives from it).
    pub sqs: aws_sdk_sqs::Client,
    /// Identity and Access Management.
    pub iam: aws_sdk_iam::Client,
    /// Security Token Service (the account guard).
    pub sts: aws_sdk_sts::Client,
    /// Security Hub (`--security-hub`: the checklist's findings).
    pub securityhub: aws_sdk_securityhub::Client,
    /// AWS WAF (v2).
    pub wafv2: aws_sdk_wafv2::Client,
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
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).http_client(policy.http.clone());
        if let Some(url) = &settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let config = loader.load().await;
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
            acm: client!(aws_sdk_acm, config, policy),
            cloudtrail: client!(aws_sdk_cloudtrail, config, policy),
            cloudwatch: client!(aws_sdk_cloudwatch, config, policy),
            logs: client!(aws_sdk_cloudwatchlogs, config, policy),
            dynamodb: client!(aws_sdk_dynamodb, config, policy),
            ec2: client!(aws_sdk_ec2, config, policy),
            elbv2: client!(aws_sdk_elasticloadbalancingv2, config, policy),
            ecr: client!(aws_sdk_ecr, config, policy),
            ecs: client!(aws_sdk_ecs, config, policy),
            eventbridge: client!(aws_sdk_eventbridge, config, policy),
            kms: client!(aws_sdk_kms, config, policy),
            rds: client!(aws_sdk_rds, config, policy),
            s3: s3_client(config, &policy),
            s3control: s3control_client(config, &policy),
            secretsmanager: client!(aws_sdk_secretsmanager, config, policy),
            sns: client!(aws_sdk_sns, config, policy),
            sqs: client!(aws_sdk_sqs, config, policy),
            iam: client!(aws_sdk_iam, config, policy),
            sts: client!(aws_sdk_sts, config, policy),
            securityhub: client!(aws_sdk_securityhub, config, policy),
            wafv2: client!(aws_sdk_wafv2, config, policy),
            identity: Arc::default(),
            calls: policy.calls,
            region: config.region().map(ToString::to_string),
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
                let output = self.sts.get_caller_identity().send().await.map_err(|err| {
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
