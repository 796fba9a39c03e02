//! Importing load balancers: every application load balancer of the region with the
//! attributes the kind manages, its whole listener set (an HTTPS listener with its default
//! certificate's ARN and its security policy, an HTTP listener with its 301 to HTTPS, or
//! without one when it does anything else, which the guardrail then refuses), and its
//! security groups by the names of the imported `SecurityGroup` manifests. When one of its
//! groups is not an imported manifest's, the groups are left out (unmanaged): the manifest
//! names groups only by `SecurityGroup` manifest. Access logs that are off are left out too:
//! the manifest can only state logs that go somewhere.

use afu9_spec::load_balancer::{
    AccessLogs, CertificateRef, DesyncMitigation, ListenerProtocol, ListenerSpec, LoadBalancerSpec,
    Redirect,
};

use super::plan::listeners::is_https_redirect;
use super::plan::{
    ACCESS_LOGS_BUCKET, ACCESS_LOGS_ENABLED, ACCESS_LOGS_PREFIX, DELETION_PROTECTION,
    DESYNC_MITIGATION, DROP_INVALID_HEADERS,
};
use super::{LiveAction, LiveListener, LoadBalancerObserved, LoadBalancers, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};

impl Imports for LoadBalancers {
    const FILE: &'static str = "edge.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, LoadBalancerSpec> {
        Box::pin(async move {
            Ok(observe::application_load_balancers(aws)
                .await?
                .into_iter()
                .map(|name| (name, probe()))
                .collect())
        })
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &LoadBalancerObserved) -> LoadBalancerSpec {
        import(cx, name, have)
    }
}

/// A manifest that makes `observe` read the listeners (attributes and tags it always reads);
/// it names no certificate domain, so no ACM call.
fn probe() -> LoadBalancerSpec {
    LoadBalancerSpec {
        listeners: Some(Vec::new()),
        ..LoadBalancerSpec::default()
    }
}

fn import(cx: ImportContext<'_>, _name: &str, have: &LoadBalancerObserved) -> LoadBalancerSpec {
    let attribute = |key: &str| have.attributes.get(key).map(String::as_str);
    let flag = |key: &str| Some(attribute(key) == Some("true"));
    let mut listeners: Vec<&LiveListener> = have.listeners.iter().collect();
    listeners.sort_by_key(|l| l.port);
    LoadBalancerSpec {
        security_groups: have
            .security_groups
            .iter()
            .map(|id| cx.name_of(id).map(str::to_owned))
            .collect(),
        deletion_protection: flag(DELETION_PROTECTION),
        drop_invalid_header_fields: flag(DROP_INVALID_HEADERS),
        // Absent reads as AWS's default, as the plan reads it.
        desync_mitigation: match attribute(DESYNC_MITIGATION).unwrap_or("defensive") {
            "monitor" => Some(DesyncMitigation::Monitor),
            "defensive" => Some(DesyncMitigation::Defensive),
            "strictest" => Some(DesyncMitigation::Strictest),
            _ => None,
        },
        access_logs: (attribute(ACCESS_LOGS_ENABLED) == Some("true")).then(|| AccessLogs {
            bucket: attribute(ACCESS_LOGS_BUCKET).unwrap_or_default().to_owned(),
            prefix: attribute(ACCESS_LOGS_PREFIX).unwrap_or_default().to_owned(),
        }),
        // The set is whole (a listener left out would be deleted): one the manifest cannot
        // state leaves them all unmanaged.
        listeners: listeners.into_iter().map(listener).collect(),
        tags: manifest_tags(&have.tags),
    }
}

/// A listener as the manifest states it; `None` for a protocol an ALB listener the manifest
/// knows does not have.
fn listener(live: &LiveListener) -> Option<ListenerSpec> {
    match live.protocol.as_str() {
        "HTTPS" => Some(ListenerSpec {
            port: live.port,
            protocol: ListenerProtocol::Https,
            certificate: live.certificate.clone().map(CertificateRef::Arn),
            ssl_policy: live.ssl_policy.clone(),
            redirect: None,
            response_headers: super::plan::headers::import(&live.attributes),
        }),
        "HTTP" => Some(ListenerSpec {
            port: live.port,
            protocol: ListenerProtocol::Http,
            certificate: None,
            ssl_policy: None,
            redirect: redirect(live).map(|port| Redirect { port }),
            response_headers: None,
        }),
        _ => None,
    }
}

/// The HTTPS port of an HTTP listener whose only action is the 301 the plan keeps.
fn redirect(live: &LiveListener) -> Option<u16> {
    match live.actions.as_slice() {
        [action @ LiveAction::Redirect { port, .. }] => port
            .as_deref()
            .and_then(|port| port.parse().ok())
            .filter(|port| is_https_redirect(action, *port)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
