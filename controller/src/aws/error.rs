//! AWS errors, classified so that the engine can decide what to do next.

use std::fmt;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What kind of failure a call had, which decides whether and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorClass {
    /// AWS asked us to slow down; the SDK already retried.
    Throttled,
    /// A network problem, timeout or 5xx; trying later may work.
    Transient,
    /// The request itself is wrong (access denied, malformed input): retrying cannot help
    /// until the desired state or the account changes.
    Terminal,
}

/// A failed AWS call: which resource, which operation, what class, what AWS said.
#[derive(Debug, Clone, thiserror::Error)]
pub struct AwsError {
    /// The resource the call was about (`ecr repository afu9/control-center`).
    pub resource: String,
    /// The AWS operation (`PutImageTagMutability`).
    pub operation: &'static str,
    /// How the failure is handled.
    pub class: ErrorClass,
    /// The AWS error code, when there is one (`AccessDeniedException`).
    pub code: Option<String>,
    /// AWS's message, or a description of the transport failure.
    pub message: String,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} ({}): ", self.resource, self.operation)?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "SlowDown",
];

impl AwsError {
    /// An error that did not come from the SDK: `operation` on `resource` failed in `class`
    /// for the reason `message` (a precondition that does not hold, an unusable answer).
    pub fn new(
        resource: impl Into<String>,
        operation: &'static str,
        class: ErrorClass,
        message: impl Into<String>,
    ) -> Self {
        Self {
            resource: resource.into(),
            operation,
            class,
            code: None,
            message: message.into(),
        }
    }

    /// The same error with AWS's (or our own) error code `code`.
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Classifies an SDK error. `what` says what was being done to which resource
    /// (`observe ecr repositories`), `operation` names the AWS call.
    pub fn from_sdk<E>(
        what: impl Into<String>,
        operation: &'static str,
        err: &SdkError<E, Response>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let (class, code, message) = match err {
            SdkError::ServiceError(service) => {
                let inner = service.err();
                let code = inner.code().map(ToOwned::to_owned);
                let class = classify_code(code.as_deref(), service.raw().status().as_u16());
                let message = inner.message().unwrap_or("no message").to_owned();
                (class, code, message)
            }
            SdkError::TimeoutError(_) => (ErrorClass::Transient, None, "timed out".to_owned()),
            SdkError::DispatchFailure(failure) => (
                ErrorClass::Transient,
                None,
                format!("cannot reach AWS: {}", dispatch_reason(failure)),
            ),
            SdkError::ResponseError(_) => (
                ErrorClass::Transient,
                None,
                "unreadable response".to_owned(),
            ),
            other => (ErrorClass::Terminal, None, error_chain(other)),
        };
        Self {
            resource: what.into(),
            operation,
            class,
            code,
            message,
        }
    }

    /// Whether AWS answered with `code`.
    pub fn is_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

fn classify_code(code: Option<&str>, status: u16) -> ErrorClass {
    match code {
        Some(code) if THROTTLING_CODES.contains(&code) => ErrorClass::Throttled,
        _ if status == 429 => ErrorClass::Throttled,
        _ if status >= 500 => ErrorClass::Transient,
        Some("ServiceUnavailable" | "InternalFailure" | "InternalError" | "ServerException") => {
            ErrorClass::Transient
        }
        _ => ErrorClass::Terminal,
    }
}

/// What kind of transport failure it was, and its root cause as the OS or TLS library said
/// it (`connection failed: Connection refused (os error 111)`).
fn dispatch_reason(failure: &aws_smithy_runtime_api::client::result::DispatchFailure) -> String {
    let kind = if failure.is_timeout() {
        "timed out"
    } else if failure.is_io() {
        "connection failed"
    } else {
        "request not sent"
    };
    match failure.as_connector_error().map(|err| root_cause(err)) {
        Some(cause) if !cause.is_empty() => format!("{kind}: {cause}"),
        _ => kind.to_owned(),
    }
}

/// The innermost source of `err`.
fn root_cause(err: &dyn std::error::Error) -> String {
    let mut inner = err;
    while let Some(source) = inner.source() {
        inner = source;
    }
    inner.to_string()
}

/// An error's message followed by each of its sources', `: `-separated.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_codes_and_statuses_classify() {
        assert_eq!(
            classify_code(Some("ThrottlingException"), 400),
            ErrorClass::Throttled
        );
        assert_eq!(
            classify_code(Some("RequestLimitExceeded"), 503),
            ErrorClass::Throttled
        );
        assert_eq!(classify_code(None, 429), ErrorClass::Throttled);
        assert_eq!(
            classify_code(Some("InternalError"), 500),
            ErrorClass::Transient
        );
        assert_eq!(
            classify_code(Some("AccessDeniedException"), 400),
            ErrorClass::Terminal
        );
    }
}
