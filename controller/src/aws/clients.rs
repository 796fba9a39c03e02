//! The service clients of one controller process, each built on its first use.
//!
//! A pass uses the clients of the kinds it has manifests for and of the services it lists
//! for orphans; `run` adds the event source's queue and the lease's table, `report` Security
//! Hub. Building a client costs memory (its configuration and runtime plugins) and, in a
//! process that only runs for one pass, the pages of code that build it; so a client is
//! built when a call first needs it, and one client per service serves every clone of
//! [`Aws`] (one HTTP client, retry quota and call counter for all).

use std::sync::OnceLock;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder as HttpBuilder, ConnectorBuilder};
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::{Aws, CallCounter, s3control};

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
#[derive(Debug)]
pub(super) struct ClientPolicy {
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    partition: RetryPartition,
    pub(super) calls: CallCounter,
    pub(super) http: SharedHttpClient,
}

impl ClientPolicy {
    pub(super) fn new() -> Self {
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
/// and counter, after `$extra` (a function of the builder and the configuration).
macro_rules! build_client {
    ($sdk:ident, $config:expr, $policy:expr, $extra:expr) => {{
        let builder = $sdk::config::Builder::from($config)
            .http_client($policy.http.clone())
            .retry_config($policy.retry.clone())
            .timeout_config($policy.timeouts.clone())
            .retry_partition($policy.partition.clone())
            .interceptor($policy.calls.clone());
        $sdk::Client::from_conf($extra(builder, $config).build())
    }};
}

/// The builder as it is: no setting beyond the policy's.
fn as_is<B>(builder: B, _: &SdkConfig) -> B {
    builder
}

/// S3 with path-style addressing when the endpoint is overridden (an emulator on 127.0.0.1
/// has no `BUCKET.host` names).
fn path_style(
    builder: aws_sdk_s3::config::Builder,
    config: &SdkConfig,
) -> aws_sdk_s3::config::Builder {
    builder.force_path_style(config.endpoint_url().is_some())
}

/// Declares the lazily built clients: a `OnceLock` each in [`Clients`] and an accessor on
/// [`Aws`] that builds the client on first use.
macro_rules! lazy_clients {
    ($($(#[$doc:meta])* $name:ident: $sdk:ident $(with $extra:expr)?;)*) => {
        /// The clients built so far, with what builds the others.
        pub(super) struct Clients {
            config: SdkConfig,
            policy: ClientPolicy,
            $($name: OnceLock<$sdk::Client>,)*
        }

        impl Clients {
            /// No client built yet.
            pub(super) fn new(config: SdkConfig, policy: ClientPolicy) -> Self {
                Self { config, policy, $($name: OnceLock::new(),)* }
            }

            /// The names of the services whose clients have been built.
            pub(super) fn built(&self) -> Vec<&'static str> {
                let mut built = Vec::new();
                $(if self.$name.get().is_some() {
                    built.push(stringify!($name));
                })*
                built
            }
        }

        impl std::fmt::Debug for Clients {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("Clients").field("built", &self.built()).finish_non_exhaustive()
            }
        }

        impl Aws {
            /// The services whose clients this process has built so far (by accessor name:
            /// `ec2`, `s3control`): the ones a call needed.
            pub fn built_clients(&self) -> Vec<&'static str> {
                self.clients.built()
            }

            $($(#[$doc])*
            pub fn $name(&self) -> &$sdk::Client {
                let clients = &*self.clients;
                clients.$name.get_or_init(|| {
                    build_client!($sdk, &clients.config, clients.policy, lazy_clients!(@extra $($extra)?))
                })
            })*
        }
    };
    (@extra $extra:expr) => { $extra };
    (@extra) => { as_is };
}

lazy_clients! {
    /// Certificate Manager (listener certificates looked up by domain; none is managed).
    acm: aws_sdk_acm;
    /// CloudTrail (trails, their status and event selectors).
    cloudtrail: aws_sdk_cloudtrail;
    /// CloudWatch (metric alarms).
    cloudwatch: aws_sdk_cloudwatch;
    /// CloudWatch Logs (metric filters, log-group look-ups).
    logs: aws_sdk_cloudwatchlogs;
    /// DynamoDB (the run loop's lease; no table is managed).
    dynamodb: aws_sdk_dynamodb;
    /// EC2 (security groups, VPC look-ups).
    ec2: aws_sdk_ec2;
    /// Elastic Load Balancing v2 (load balancers' attributes, groups and listeners).
    elbv2: aws_sdk_elasticloadbalancingv2;
    /// Elastic Container Registry.
    ecr: aws_sdk_ecr;
    /// Elastic Container Service.
    ecs: aws_sdk_ecs;
    /// RDS (database security settings and their parameter groups).
    rds: aws_sdk_rds;
    /// EventBridge (the event source's rule).
    eventbridge: aws_sdk_eventbridge;
    /// KMS (the posture's keys; aliases resolved to key ARNs for other kinds).
    kms: aws_sdk_kms;
    /// S3 (the buckets), path-style against an overridden endpoint.
    s3: aws_sdk_s3 with path_style;
    /// S3 Control (the account's Block Public Access), with the endpoint resolution of
    /// [`s3control`].
    s3control: aws_sdk_s3control with s3control::configure;
    /// Secrets Manager (configuration only; values are never read).
    secretsmanager: aws_sdk_secretsmanager;
    /// Simple Notification Service (the alarms' topics).
    sns: aws_sdk_sns;
    /// Simple Queue Service (the event source's queue; the run loop receives from it).
    sqs: aws_sdk_sqs;
    /// Identity and Access Management.
    iam: aws_sdk_iam;
    /// Security Token Service (the account guard).
    sts: aws_sdk_sts;
    /// Resource Groups Tagging API (the census of owned resources for the orphan search).
    tagging: aws_sdk_resourcegroupstagging;
    /// Security Hub (`--security-hub`: the checklist's findings).
    securityhub: aws_sdk_securityhub;
    /// AWS WAF (v2).
    wafv2: aws_sdk_wafv2;
}
