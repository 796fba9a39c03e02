//! Rules for a listener's `responseHeaders`: values an ALB accepts, and the guardrails of the
//! guide's header and CORS advice.

use super::{HSTS_YEAR, ResponseHeaders, hsts_max_age};
use crate::error::ManifestError;
use crate::validate::RuleError;

/// Guardrail: CORS allowing any origin together with credentials.
pub const CORS_ANY_WITH_CREDENTIALS: &str = "AFU9-ELB-020";
/// Guardrail: an HSTS max-age below a year.
pub const HSTS_SHORT: &str = "AFU9-ELB-021";
/// A header the ALB cannot set (Referrer-Policy).
pub const NOT_SETTABLE: &str = "AFU9-ELB-022";
/// A value the ALB would refuse.
pub const BAD_HEADER: &str = "AFU9-ELB-023";
/// Guardrail: CORS allowing any origin.
pub const CORS_ANY: &str = "AFU9-ELB-024";

/// The methods `Access-Control-Allow-Methods` may name on an ALB.
const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "DELETE", "PUT", "CONNECT", "OPTIONS", "PATCH",
];

pub(super) fn check(
    headers: &ResponseHeaders,
    at: &str,
    error: &RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    let at = format!("{at}.responseHeaders");
    if let Some(hsts) = &headers.strict_transport_security {
        match hsts_max_age(hsts) {
            Some(age) if age >= HSTS_YEAR => {}
            age => errors.push(
                error(
                    &format!("{at}.strictTransportSecurity"),
                    HSTS_SHORT,
                    format!(
                        "HSTS max-age {} is below a year ({HSTS_YEAR} seconds)",
                        age.map_or_else(|| "missing".to_owned(), |a| a.to_string())
                    ),
                )
                .hint("`max-age=31536000; includeSubDomains`")
                .warning(),
            ),
        }
    }
    if let Some(value) = &headers.x_content_type_options
        && !value.trim().eq_ignore_ascii_case("nosniff")
    {
        errors.push(error(
            &format!("{at}.xContentTypeOptions"),
            BAD_HEADER,
            format!("X-Content-Type-Options takes only `nosniff`, not `{value}`"),
        ));
    }
    if let Some(value) = &headers.x_frame_options {
        let upper = value.trim().to_ascii_uppercase();
        if upper != "DENY" && upper != "SAMEORIGIN" && !upper.starts_with("ALLOW-FROM ") {
            errors.push(error(
                &format!("{at}.xFrameOptions"),
                BAD_HEADER,
                format!(
                    "X-Frame-Options is `DENY`, `SAMEORIGIN` or `ALLOW-FROM <uri>`, not `{value}`"
                ),
            ));
        }
    }
    for (field, value) in [
        (
            "strictTransportSecurity",
            &headers.strict_transport_security,
        ),
        ("contentSecurityPolicy", &headers.content_security_policy),
    ] {
        if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
            errors.push(error(
                &format!("{at}.{field}"),
                BAD_HEADER,
                "must not be empty; leave it out to leave the header unmanaged".to_owned(),
            ));
        }
    }
    if headers.referrer_policy.is_some() {
        errors.push(
            error(
                &format!("{at}.referrerPolicy"),
                NOT_SETTABLE,
                "an ALB cannot set Referrer-Policy: it stays the application's to send".to_owned(),
            )
            .hint("the report's security-headers item lists it for the application")
            .warning(),
        );
    }
    if let Some(cors) = &headers.cors {
        check_cors(cors, &at, error, errors);
    }
}

fn check_cors(
    cors: &super::Cors,
    at: &str,
    error: &RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    {
        let origin = cors.allow_origin.trim();
        if origin == "*" && cors.allow_credentials == Some(true) {
            errors.push(
                error(
                    &format!("{at}.cors"),
                    CORS_ANY_WITH_CREDENTIALS,
                    "CORS allowing any origin (`*`) with credentials lets every site act as the \
                     signed-in user"
                        .to_owned(),
                )
                .hint("name the production origin (`https://app.example.com`)"),
            );
        } else if origin == "*" {
            errors.push(
                error(
                    &format!("{at}.cors.allowOrigin"),
                    CORS_ANY,
                    "CORS allows any origin; the guide restricts it to specific domains in \
                     production"
                        .to_owned(),
                )
                .warning(),
            );
        }
        if origin.is_empty() || origin.contains(',') || origin.contains(' ') {
            errors.push(error(
                &format!("{at}.cors.allowOrigin"),
                BAD_HEADER,
                format!("an ALB sends one origin, `*` or `null`, not `{origin}`"),
            ));
        }
        for (index, method) in cors.allow_methods.iter().enumerate() {
            if !METHODS.contains(&method.trim().to_ascii_uppercase().as_str()) {
                errors.push(error(
                    &format!("{at}.cors.allowMethods[{index}]"),
                    BAD_HEADER,
                    format!("`{method}` is not one of {}", METHODS.join(", ")),
                ));
            }
        }
    }
}
