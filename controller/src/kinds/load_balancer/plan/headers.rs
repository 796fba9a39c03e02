//! An HTTPS listener's response headers, as listener attributes `routing.http.response.*`:
//! compared by meaning (directives split on `;` and lists on `,`, trimmed; header names,
//! methods and `nosniff`/`DENY` in any case; lists in any order), shown as written. A
//! header the manifest states that the listener does not send is set; `cors`, when given,
//! is the whole CORS set (a list left out sends no header). Referrer-Policy is never sent:
//! an ALB cannot set it.

use std::collections::BTreeMap;

use afu9_spec::load_balancer::{Cors, ResponseHeaders};

use crate::plan::Change;

const PREFIX: &str = "routing.http.response.";
pub(in crate::kinds::load_balancer) const HSTS: &str =
    "routing.http.response.strict_transport_security.header_value";
pub(in crate::kinds::load_balancer) const CSP: &str =
    "routing.http.response.content_security_policy.header_value";
pub(in crate::kinds::load_balancer) const NOSNIFF: &str =
    "routing.http.response.x_content_type_options.header_value";
pub(in crate::kinds::load_balancer) const FRAME: &str =
    "routing.http.response.x_frame_options.header_value";
const SERVER: &str = "routing.http.response.server.enabled";
pub(in crate::kinds::load_balancer) const ORIGIN: &str =
    "routing.http.response.access_control_allow_origin.header_value";
const METHODS: &str = "routing.http.response.access_control_allow_methods.header_value";
const HEADERS: &str = "routing.http.response.access_control_allow_headers.header_value";
const EXPOSE: &str = "routing.http.response.access_control_expose_headers.header_value";
const CREDENTIALS: &str = "routing.http.response.access_control_allow_credentials.header_value";
const MAX_AGE: &str = "routing.http.response.access_control_max_age.header_value";

/// How a value is compared.
#[derive(Clone, Copy)]
enum Form {
    /// `;`-separated directives; the directive's name in any case.
    Directives,
    /// One token in any case.
    Token,
    /// A `,`-separated set, in any case and order.
    Set,
    /// As written, trimmed.
    Exact,
}

/// Whether an attribute key is one of the response headers (the rest are not read).
pub(in crate::kinds::load_balancer) fn is_header_key(key: &str) -> bool {
    key.starts_with(PREFIX)
}

/// The attributes the manifest's headers ask for: key → (field path, form, value).
fn wanted(headers: &ResponseHeaders) -> Vec<(&'static str, &'static str, Form, String)> {
    let mut out = Vec::new();
    let mut put = |key, path, form, value: Option<String>| {
        if let Some(value) = value {
            out.push((key, path, form, value));
        }
    };
    put(
        HSTS,
        "strictTransportSecurity",
        Form::Directives,
        headers.strict_transport_security.clone(),
    );
    put(
        CSP,
        "contentSecurityPolicy",
        Form::Directives,
        headers.content_security_policy.clone(),
    );
    put(
        NOSNIFF,
        "xContentTypeOptions",
        Form::Token,
        headers.x_content_type_options.clone(),
    );
    put(
        FRAME,
        "xFrameOptions",
        Form::Token,
        headers.x_frame_options.clone(),
    );
    put(
        SERVER,
        "removeServerHeader",
        Form::Token,
        headers
            .remove_server_header
            .map(|remove| (!remove).to_string()),
    );
    if let Some(cors) = &headers.cors {
        for (key, path, form, value) in cors_attributes(cors) {
            put(key, path, form, Some(value));
        }
    }
    out
}

fn cors_attributes(cors: &Cors) -> [(&'static str, &'static str, Form, String); 6] {
    [
        (
            ORIGIN,
            "cors.allowOrigin",
            Form::Exact,
            cors.allow_origin.clone(),
        ),
        (
            METHODS,
            "cors.allowMethods",
            Form::Set,
            cors.allow_methods.join(", "),
        ),
        (
            HEADERS,
            "cors.allowHeaders",
            Form::Set,
            cors.allow_headers.join(", "),
        ),
        (
            EXPOSE,
            "cors.exposeHeaders",
            Form::Set,
            cors.expose_headers.join(", "),
        ),
        (
            CREDENTIALS,
            "cors.allowCredentials",
            Form::Token,
            if cors.allow_credentials == Some(true) {
                "true"
            } else {
                ""
            }
            .to_owned(),
        ),
        (
            MAX_AGE,
            "cors.maxAge",
            Form::Exact,
            cors.max_age.map(|age| age.to_string()).unwrap_or_default(),
        ),
    ]
}

/// A value in its canonical form.
fn canonical(form: Form, value: &str) -> String {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    match form {
        Form::Directives => value
            .split(';')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|directive| match directive.split_once(['=', ' ']) {
                Some((name, rest)) => {
                    let sep = if directive[name.len()..].starts_with('=') {
                        "="
                    } else {
                        " "
                    };
                    format!("{}{sep}{}", name.trim().to_ascii_lowercase(), words(rest))
                }
                None => directive.to_ascii_lowercase(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Form::Token => words(value).to_ascii_lowercase(),
        Form::Set => {
            let mut items: Vec<String> = value
                .split(',')
                .map(|v| v.trim().to_ascii_lowercase())
                .filter(|v| !v.is_empty())
                .collect();
            items.sort();
            items.dedup();
            items.join(", ")
        }
        Form::Exact => value.trim().to_owned(),
    }
}

/// The changes and the attributes to set for `port`'s listener.
pub(super) fn plan(
    port: u16,
    headers: &ResponseHeaders,
    live: &BTreeMap<String, String>,
) -> (Vec<Change>, Vec<(String, String)>) {
    let mut changes = Vec::new();
    let mut set = Vec::new();
    for (key, path, form, value) in wanted(headers) {
        let have = live.get(key).map(String::as_str).unwrap_or_default();
        // The Server header is sent unless turned off.
        let have = if key == SERVER && have.is_empty() {
            "true"
        } else {
            have
        };
        if canonical(form, have) != canonical(form, &value) {
            changes.push(Change::new(
                format!("spec.listeners[{port}].responseHeaders.{path}"),
                (!have.is_empty()).then(|| have.into()),
                (!value.is_empty()).then(|| value.clone().into()),
            ));
            set.push((key.to_owned(), value));
        }
    }
    (changes, set)
}

/// The headers a listener's attributes state, as a manifest writes them; `None` when it
/// sets none.
pub(in crate::kinds::load_balancer) fn import(
    live: &BTreeMap<String, String>,
) -> Option<ResponseHeaders> {
    let get = |key: &str| live.get(key).filter(|v| !v.trim().is_empty()).cloned();
    let list = |key: &str| -> Vec<String> {
        get(key)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let cors = get(ORIGIN).map(|allow_origin| Cors {
        allow_origin,
        allow_methods: list(METHODS),
        allow_headers: list(HEADERS),
        expose_headers: list(EXPOSE),
        allow_credentials: (get(CREDENTIALS).as_deref() == Some("true")).then_some(true),
        max_age: get(MAX_AGE).and_then(|v| v.parse().ok()),
    });
    let headers = ResponseHeaders {
        strict_transport_security: get(HSTS),
        content_security_policy: get(CSP),
        x_content_type_options: get(NOSNIFF),
        x_frame_options: get(FRAME),
        remove_server_header: (get(SERVER).as_deref() == Some("false")).then_some(true),
        cors,
        referrer_policy: None,
    };
    (headers != ResponseHeaders::default()).then_some(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> ResponseHeaders {
        ResponseHeaders {
            strict_transport_security: Some("max-age=31536000; includeSubDomains".to_owned()),
            x_frame_options: Some("DENY".to_owned()),
            cors: Some(Cors {
                allow_origin: "https://app.afu9.example".to_owned(),
                allow_methods: vec!["GET".to_owned(), "POST".to_owned()],
                ..Cors::default()
            }),
            ..ResponseHeaders::default()
        }
    }

    #[test]
    fn other_spacing_case_and_order_stay_quiet() {
        let live: BTreeMap<String, String> = [
            (HSTS, "Max-Age=31536000 ;includeSubDomains;"),
            (FRAME, " deny"),
            (ORIGIN, "https://app.afu9.example "),
            (METHODS, "post,get"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (changes, set) = plan(443, &headers(), &live);
        assert!(changes.is_empty(), "{changes:?}");
        assert!(set.is_empty());
    }

    #[test]
    fn a_widened_origin_and_a_removed_header_are_named() {
        let live: BTreeMap<String, String> = [
            (HSTS, "max-age=31536000; includeSubDomains"),
            (ORIGIN, "*"),
            (METHODS, "GET, POST"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (changes, set) = plan(443, &headers(), &live);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.listeners[443].responseHeaders.xFrameOptions",
                "spec.listeners[443].responseHeaders.cors.allowOrigin"
            ]
        );
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn import_reads_back_what_plan_writes() {
        let wanted = headers();
        let (_, set) = plan(443, &wanted, &BTreeMap::new());
        let live: BTreeMap<String, String> = set.into_iter().collect();
        assert_eq!(import(&live), Some(wanted));
    }
}
