//! Listeners, by port: HTTPS with its certificate and security policy (the default action
//! is the application's and is left as it is), HTTP with exactly one action, a 301 to
//! HTTPS; a listener on a port the manifest does not name is deleted. A missing HTTP
//! redirect is created; a missing HTTPS listener is reported, since only the application's
//! stack knows where it forwards.

use afu9_spec::load_balancer::{CertificateRef, ListenerProtocol, ListenerSpec};
use serde_json::{Value, json};

use super::super::apply::LoadBalancerOp;
use super::super::{LiveAction, LiveListener, LoadBalancerObserved};
use crate::plan::{Change, Delta};

pub(super) fn plan(want: &[ListenerSpec], have: &LoadBalancerObserved, delta: &mut Delta) {
    for listener in want {
        let live = have.listeners.iter().find(|l| l.port == listener.port);
        match (listener.protocol, live) {
            (ListenerProtocol::Http, None) => {
                delta.change(Change::new(
                    path(listener.port, ""),
                    None,
                    Some(wanted_listener(listener)),
                ));
                delta.op(LoadBalancerOp::CreateRedirectListener {
                    arn: have.arn.clone(),
                    port: listener.port,
                    to_port: redirect_port(listener),
                });
            }
            (ListenerProtocol::Https, None) => {
                delta.change(Change::new(
                    path(listener.port, ""),
                    None,
                    Some(wanted_listener(listener)),
                ));
                delta.block(format!(
                    "no listener on port {}: the application's stack creates the HTTPS \
                     listener with its forward action, afu9-posture only secures it",
                    listener.port
                ));
            }
            (ListenerProtocol::Http, Some(live)) => plan_http(listener, live, delta),
            (ListenerProtocol::Https, Some(live)) => plan_https(listener, live, have, delta),
        }
    }
    for live in &have.listeners {
        if !want.iter().any(|l| l.port == live.port) {
            delta.change(Change::new(
                path(live.port, ""),
                Some(json!({"port": live.port, "protocol": live.protocol})),
                None,
            ));
            delta.op(LoadBalancerOp::DeleteListener {
                arn: live.arn.clone(),
                port: live.port,
            });
        }
    }
}

/// `spec.listeners[443]` and its fields: listeners are named by port.
fn path(port: u16, field: &str) -> String {
    if field.is_empty() {
        format!("spec.listeners[{port}]")
    } else {
        format!("spec.listeners[{port}].{field}")
    }
}

fn redirect_port(listener: &ListenerSpec) -> u16 {
    listener.redirect.map_or(443, |r| r.port)
}

fn wanted_listener(listener: &ListenerSpec) -> Value {
    serde_json::to_value(listener).unwrap_or(Value::Null)
}

fn plan_http(want: &ListenerSpec, live: &LiveListener, delta: &mut Delta) {
    let to_port = redirect_port(want);
    let protocol_differs = live.protocol != "HTTP";
    if protocol_differs {
        delta.change(Change::new(
            path(want.port, "protocol"),
            Some(live.protocol.clone().into()),
            Some("HTTP".into()),
        ));
    }
    let redirects =
        matches!(live.actions.as_slice(), [action] if is_https_redirect(action, to_port));
    if !redirects {
        delta.change(Change::new(
            path(want.port, "redirect"),
            Some(Value::Array(
                live.actions.iter().map(action_value).collect(),
            )),
            Some(json!({"protocol": "HTTPS", "port": to_port, "statusCode": "HTTP_301"})),
        ));
    }
    if protocol_differs || !redirects {
        delta.op(LoadBalancerOp::ModifyListener {
            arn: live.arn.clone(),
            port: want.port,
            protocol: protocol_differs.then_some(ListenerProtocol::Http),
            ssl_policy: None,
            certificate: None,
            redirect_to: Some(to_port),
        });
    }
}

/// A 301 to HTTPS on `port` that keeps the host, path and query (ELB's defaults).
pub(in crate::kinds::load_balancer) fn is_https_redirect(action: &LiveAction, port: u16) -> bool {
    let kept =
        |value: &Option<String>, default: &str| value.as_deref().is_none_or(|v| v == default);
    match action {
        LiveAction::Redirect {
            protocol,
            port: to,
            host,
            path,
            query,
            status,
        } => {
            protocol.as_deref() == Some("HTTPS")
                && to.as_deref() == Some(port.to_string().as_str())
                && status == "HTTP_301"
                && kept(host, "#{host}")
                && kept(path, "/#{path}")
                && kept(query, "#{query}")
        }
        LiveAction::Other(_) => false,
    }
}

fn action_value(action: &LiveAction) -> Value {
    match action {
        LiveAction::Redirect {
            protocol,
            port,
            status,
            ..
        } => json!({"type": "redirect", "protocol": protocol, "port": port, "statusCode": status}),
        LiveAction::Other(kind) => json!({"type": kind}),
    }
}

fn plan_https(
    want: &ListenerSpec,
    live: &LiveListener,
    have: &LoadBalancerObserved,
    delta: &mut Delta,
) {
    let protocol = (live.protocol != "HTTPS").then_some(ListenerProtocol::Https);
    if protocol.is_some() {
        delta.change(Change::new(
            path(want.port, "protocol"),
            Some(live.protocol.clone().into()),
            Some("HTTPS".into()),
        ));
    }
    let policy = want.ssl_policy();
    let ssl_policy = (live.ssl_policy.as_deref() != Some(policy)).then(|| policy.to_owned());
    if ssl_policy.is_some() {
        delta.change(Change::new(
            path(want.port, "sslPolicy"),
            live.ssl_policy.clone().map(Value::from),
            Some(policy.into()),
        ));
    }
    let certificate = match resolve_certificate(want, live, have) {
        Ok(arn) if live.certificate.as_deref() != Some(arn.as_str()) => {
            delta.change(Change::new(
                path(want.port, "certificate"),
                live.certificate.clone().map(Value::from),
                Some(arn.clone().into()),
            ));
            Some(arn)
        }
        Ok(_) => None,
        Err(reason) => {
            delta.block(reason);
            None
        }
    };
    if let Some(headers) = &want.response_headers {
        let (changes, attributes) = super::headers::plan(want.port, headers, &live.attributes);
        for change in changes {
            delta.change(change);
        }
        if !attributes.is_empty() {
            delta.op(LoadBalancerOp::ModifyListenerAttributes {
                arn: live.arn.clone(),
                port: want.port,
                attributes,
            });
        }
    }
    // HTTPS needs a certificate: a listener turned into HTTPS without one is not sent.
    let needs_certificate =
        protocol.is_some() && certificate.is_none() && live.certificate.is_none();
    if (protocol.is_some() || ssl_policy.is_some() || certificate.is_some()) && !needs_certificate {
        delta.op(LoadBalancerOp::ModifyListener {
            arn: live.arn.clone(),
            port: want.port,
            protocol,
            ssl_policy,
            certificate,
            redirect_to: None,
        });
    }
}

/// The certificate ARN the listener must have: the manifest's ARN, or an `ISSUED` ACM
/// certificate for its domain — the one in use if it is one, else the newest expiry, so a
/// renewal never flaps between two valid certificates.
fn resolve_certificate(
    want: &ListenerSpec,
    live: &LiveListener,
    have: &LoadBalancerObserved,
) -> Result<String, String> {
    match &want.certificate {
        Some(CertificateRef::Arn(arn)) => Ok(arn.clone()),
        Some(CertificateRef::Domain(domain)) => {
            let issued = have
                .certificates
                .get(domain)
                .map(Vec::as_slice)
                .unwrap_or_default();
            match live.certificate.as_ref().filter(|arn| issued.contains(arn)) {
                Some(in_use) => Ok(in_use.clone()),
                None => issued.first().cloned().ok_or_else(|| {
                    format!(
                        "no ISSUED ACM certificate for {domain} (listener on port {}); request or \
                         import one",
                        want.port
                    )
                }),
            }
        }
        // Refused by validation; nothing to compare.
        None => live
            .certificate
            .clone()
            .ok_or_else(|| "no certificate named".to_owned()),
    }
}
