//! Rules for `LoadBalancer` manifests: names, listeners that make sense, references to
//! `SecurityGroup` manifests, and the guardrails of Security Hub's ELB controls.

use std::collections::BTreeSet;

use super::{DesyncMitigation, ListenerProtocol, ListenerSpec, LoadBalancerSpec, min_tls};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: an HTTPS listener whose policy allows TLS 1.0 or 1.1 (ELB.17).
pub const OLD_TLS: &str = "AFU9-ELB-001";
/// Guardrail: an HTTP listener that does not redirect to HTTPS (ELB.1).
pub const HTTP_NOT_REDIRECTED: &str = "AFU9-ELB-003";

impl Validate for LoadBalancerSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        let groups: BTreeSet<&str> = state.security_groups.iter().map(Resource::name).collect();
        for alb in &state.load_balancers {
            check(alb, &groups, errors);
            check_tags(&alb.source, &alb.spec.tags, errors);
        }
    }
}

/// ALB names: 1-32 letters, digits and `-`, not starting or ending with `-`, not `internal-…`.
fn is_load_balancer_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.starts_with("internal-")
}

fn check(
    alb: &Resource<LoadBalancerSpec>,
    groups: &BTreeSet<&str>,
    errors: &mut Vec<ManifestError>,
) {
    let error = rule_error(alb);
    let spec = &alb.spec;
    if !is_load_balancer_name(alb.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-ELB-013",
                format!("`{}` is not a valid load balancer name", alb.name()),
            )
            .hint("1-32 letters, digits or `-`, not starting or ending with `-`"),
        );
    }
    for (index, group) in spec.security_groups.iter().flatten().enumerate() {
        if !groups.contains(group.as_str()) {
            errors.push(
                error(
                    &format!("spec.securityGroups[{index}]"),
                    "AFU9-ELB-011",
                    format!("no SecurityGroup manifest is named `{group}`"),
                )
                .hint("the attached groups are named by their SecurityGroup manifests"),
            );
        }
    }
    if spec.deletion_protection == Some(false) {
        errors.push(error(
            "spec.deletionProtection",
            "AFU9-ELB-008",
            "deletion protection must be on; Security Hub ELB.6".to_owned(),
        ));
    }
    if spec.drop_invalid_header_fields == Some(false) {
        errors.push(error(
            "spec.dropInvalidHeaderFields",
            "AFU9-ELB-009",
            "invalid header fields must be dropped; Security Hub ELB.4".to_owned(),
        ));
    }
    if spec.desync_mitigation == Some(DesyncMitigation::Monitor) {
        errors.push(
            error(
                "spec.desyncMitigation",
                "AFU9-ELB-010",
                "`monitor` lets desync attacks through; Security Hub ELB.12".to_owned(),
            )
            .hint("use `defensive` or `strictest`"),
        );
    }
    if spec
        .access_logs
        .as_ref()
        .is_some_and(|logs| logs.bucket.trim().is_empty())
    {
        errors.push(error(
            "spec.accessLogs.bucket",
            "AFU9-ELB-012",
            "must not be empty".to_owned(),
        ));
    }
    let listeners = spec.listeners.as_deref().unwrap_or_default();
    let https_ports: BTreeSet<u16> = listeners
        .iter()
        .filter(|l| l.protocol == ListenerProtocol::Https)
        .map(|l| l.port)
        .collect();
    let mut ports = BTreeSet::new();
    for (index, listener) in listeners.iter().enumerate() {
        let at = format!("spec.listeners[{index}]");
        if !ports.insert(listener.port) {
            errors.push(error(
                &format!("{at}.port"),
                "AFU9-ELB-006",
                format!("more than one listener on port {}", listener.port),
            ));
        }
        if listener.port == 0 {
            errors.push(error(
                &format!("{at}.port"),
                "AFU9-ELB-006",
                "port 0 is not a port".to_owned(),
            ));
        }
        match listener.protocol {
            ListenerProtocol::Https => check_https(listener, &at, &error, errors),
            ListenerProtocol::Http => check_http(listener, &at, &https_ports, &error, errors),
        }
    }
}

fn check_https(
    listener: &ListenerSpec,
    at: &str,
    error: &crate::validate::RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    if listener.certificate.is_none() {
        errors.push(
            error(
                &format!("{at}.certificate"),
                "AFU9-ELB-004",
                "an HTTPS listener needs a certificate".to_owned(),
            )
            .hint(
                "`certificate: {domain: example.com}` (an issued ACM certificate) or `{arn: ...}`",
            ),
        );
    }
    if let Some(super::CertificateRef::Arn(arn) | super::CertificateRef::Domain(arn)) =
        &listener.certificate
        && arn.trim().is_empty()
    {
        errors.push(error(
            &format!("{at}.certificate"),
            "AFU9-ELB-004",
            "must not be empty".to_owned(),
        ));
    }
    if listener.redirect.is_some() {
        errors.push(
            error(
                &format!("{at}.redirect"),
                "AFU9-ELB-005",
                "an HTTPS listener's default action belongs to the application".to_owned(),
            )
            .hint("redirects are for HTTP listeners"),
        );
    }
    if let Some(headers) = &listener.response_headers {
        super::validate_headers::check(headers, at, error, errors);
    }
    let policy = listener.ssl_policy();
    match min_tls(policy) {
        Some(version @ ("1.0" | "1.1")) => errors.push(
            error(
                &format!("{at}.sslPolicy"),
                OLD_TLS,
                format!("`{policy}` allows TLS {version}; Security Hub ELB.17"),
            )
            .hint(format!(
                "use a TLS 1.2+ policy such as {}",
                super::DEFAULT_SSL_POLICY
            )),
        ),
        Some(_) => {}
        None => errors.push(
            error(
                &format!("{at}.sslPolicy"),
                "AFU9-ELB-002",
                format!("`{policy}` is not a known ELB security policy"),
            )
            .hint("the names AWS publishes are listed in spec/src/kinds/load_balancer/ssl_policies.rs"),
        ),
    }
}

fn check_http(
    listener: &ListenerSpec,
    at: &str,
    https_ports: &BTreeSet<u16>,
    error: &crate::validate::RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    if listener.certificate.is_some() || listener.ssl_policy.is_some() {
        errors.push(error(
            at,
            "AFU9-ELB-005",
            "an HTTP listener takes no certificate or sslPolicy".to_owned(),
        ));
    }
    if listener.response_headers.is_some() {
        errors.push(
            error(
                &format!("{at}.responseHeaders"),
                super::validate_headers::BAD_HEADER,
                "an HTTP listener only redirects; its headers are the HTTPS listener's".to_owned(),
            )
            .hint("move responseHeaders to the HTTPS listener"),
        );
    }
    match listener.redirect {
        None => errors.push(
            error(
                &format!("{at}.redirect"),
                HTTP_NOT_REDIRECTED,
                format!(
                    "the HTTP listener on port {} does not redirect to HTTPS; Security Hub ELB.1",
                    listener.port
                ),
            )
            .hint("add `redirect: {port: 443}` (a 301 to the HTTPS listener)"),
        ),
        Some(redirect) if !https_ports.contains(&redirect.port) => errors.push(error(
            &format!("{at}.redirect.port"),
            "AFU9-ELB-007",
            format!(
                "no HTTPS listener of this load balancer is on port {}",
                redirect.port
            ),
        )),
        Some(_) => {}
    }
}
