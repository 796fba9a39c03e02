//! `LoadBalancer`: an Application Load Balancer's security settings and its listeners.
//!
//! The application's stack creates the load balancer; afu9-posture adopts it and owns its
//! security settings, never its existence: a missing load balancer is reported, not created,
//! and none is ever deleted. Fields left out are not managed. `listeners`, when given, is the
//! whole set: a listener on a port the manifest does not name is drift, deleted by apply.

mod headers;
mod ssl_policies;
mod validate;
mod validate_headers;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

pub use headers::{Cors, HSTS_YEAR, ResponseHeaders, hsts_max_age};
pub use ssl_policies::{DEFAULT_SSL_POLICY, SSL_POLICIES, min_tls};
pub use validate::{HTTP_NOT_REDIRECTED, OLD_TLS};
pub use validate_headers::{CORS_ANY, CORS_ANY_WITH_CREDENTIALS, HSTS_SHORT, NOT_SETTABLE};

/// The desired security settings of one ALB (`metadata.name` is the load balancer's name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancerSpec {
    /// The security groups attached, exactly: names of `SecurityGroup` manifests in the load
    /// balancer's VPC (`afu9-alb`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
    /// Deletion protection (Security Hub ELB.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// Drop HTTP headers with invalid field names (ELB.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_invalid_header_fields: Option<bool>,
    /// HTTP desync mitigation (ELB.12): `defensive` (the AWS default) or `strictest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desync_mitigation: Option<DesyncMitigation>,
    /// Access logs to an S3 bucket (ELB.5). The bucket is not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_logs: Option<AccessLogs>,
    /// Every listener, by port; a listener on another port is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listeners: Option<Vec<ListenerSpec>>,
    /// The load balancer's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// `routing.http.desync_mitigation_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DesyncMitigation {
    /// Lets every request through and only records which would be refused (ELB.12 fails).
    Monitor,
    /// Refuses requests that are a known desync risk (the AWS default).
    Defensive,
    /// Refuses every request that does not comply with RFC 7230.
    Strictest,
}

impl DesyncMitigation {
    /// The attribute value ELB uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monitor => "monitor",
            Self::Defensive => "defensive",
            Self::Strictest => "strictest",
        }
    }
}

/// Where access logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessLogs {
    /// The S3 bucket (its policy must let ELB write; not managed here).
    pub bucket: String,
    /// The key prefix; left out: none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
}

/// One listener, named by its port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListenerSpec {
    /// The port it listens on.
    pub port: u16,
    /// `HTTPS` (with a certificate and a TLS 1.2+ policy) or `HTTP` (only as a redirect to
    /// HTTPS, ELB.1).
    pub protocol: ListenerProtocol,
    /// The default certificate of an HTTPS listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateRef>,
    /// The security policy of an HTTPS listener; left out:
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`. One that allows TLS 1.0 or 1.1 is refused
    /// (ELB.17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_policy: Option<String>,
    /// The redirect of an HTTP listener: `301` to HTTPS on this port, host, path and query
    /// kept. Its only default action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
    /// The response headers an HTTPS listener sets itself (listener attributes
    /// `routing.http.response.*`); left out: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<ResponseHeaders>,
}

impl ListenerSpec {
    /// The security policy an HTTPS listener must have (the default when left out).
    pub fn ssl_policy(&self) -> &str {
        self.ssl_policy.as_deref().unwrap_or(DEFAULT_SSL_POLICY)
    }
}

/// A listener protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum ListenerProtocol {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl ListenerProtocol {
    /// The name ELB uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "HTTP",
            Self::Https => "HTTPS",
        }
    }
}

/// A certificate: its ARN, or the domain of an issued ACM certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum CertificateRef {
    /// An ACM (or IAM) certificate ARN.
    Arn(String),
    /// The domain name of an `ISSUED` ACM certificate, looked up at plan time.
    Domain(String),
}

/// An HTTP listener's redirect to HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Redirect {
    /// The HTTPS port to redirect to (an HTTPS listener of the same load balancer).
    pub port: u16,
}
