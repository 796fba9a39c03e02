//! The response headers an HTTPS listener adds to every response itself (listener attributes
//! `routing.http.response.*`): HSTS, CSP, `X-Content-Type-Options`, `X-Frame-Options`, CORS,
//! and removing the `Server` header. Each field left out is not managed. Values are compared
//! by meaning: spacing around `;` and `,`, and the case of header names and methods, do not
//! count.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The headers an HTTPS listener sets on its responses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseHeaders {
    /// `Strict-Transport-Security` (`max-age=31536000; includeSubDomains`); a max-age below
    /// a year is warned of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict_transport_security: Option<String>,
    /// `Content-Security-Policy` (`default-src 'self'`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_security_policy: Option<String>,
    /// `X-Content-Type-Options`: the only value is `nosniff`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_content_type_options: Option<String>,
    /// `X-Frame-Options`: `DENY`, `SAMEORIGIN` or `ALLOW-FROM <uri>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_frame_options: Option<String>,
    /// `true` removes the `Server: awselb/2.0` header from responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_server_header: Option<bool>,
    /// The CORS headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// `Referrer-Policy`, which the guide asks for: an ALB cannot set it. Stated here so the
    /// report says it stays the application's; never sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer_policy: Option<String>,
}

/// The `Access-Control-Allow-*` headers of a listener.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cors {
    /// `Access-Control-Allow-Origin`: the one origin allowed (`https://app.example.com`),
    /// `*` (any; refused together with credentials) or `null`. An ALB sets one value.
    pub allow_origin: String,
    /// `Access-Control-Allow-Methods` (`GET`, `POST`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_methods: Vec<String>,
    /// `Access-Control-Allow-Headers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_headers: Vec<String>,
    /// `Access-Control-Expose-Headers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    /// `Access-Control-Allow-Credentials: true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<bool>,
    /// `Access-Control-Max-Age`, seconds a preflight answer may be cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
}

/// The `max-age` of an HSTS value, if it has one (`max-age=31536000; includeSubDomains`).
pub fn hsts_max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|part| {
        let (key, age) = part.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| age.trim().trim_matches('"').parse().ok())
            .flatten()
    })
}

/// One year, in seconds: the least HSTS max-age the guardrail accepts.
pub const HSTS_YEAR: u64 = 31_536_000;
