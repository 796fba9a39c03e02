use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::kinds::round_trip::{round_trip, round_trip_alongside};
use crate::plan::Action;

/// The `SecurityGroup` manifest the imported load balancer names.
const GROUP: &str = r"apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-alb}
spec: {vpc: {id: vpc-1}, description: AFU-9 application load balancer}
";

const CERT: &str = "arn:aws:acm:eu-central-1:123456789012:certificate/afu9";

fn https_redirect(port: &str, status: &str) -> LiveAction {
    LiveAction::Redirect {
        protocol: Some("HTTPS".to_owned()),
        port: Some(port.to_owned()),
        host: Some("#{host}".to_owned()),
        path: Some("/#{path}".to_owned()),
        query: Some("#{query}".to_owned()),
        status: status.to_owned(),
    }
}

fn listener(port: u16, protocol: &str, actions: Vec<LiveAction>) -> LiveListener {
    let https = protocol == "HTTPS";
    LiveListener {
        arn: format!("arn:listener/{port}"),
        port,
        protocol: protocol.to_owned(),
        ssl_policy: https.then(|| "ELBSecurityPolicy-TLS13-1-2-2021-06".to_owned()),
        certificate: https.then(|| CERT.to_owned()),
        actions,
        attributes: std::collections::BTreeMap::new(),
    }
}

/// The AFU-9 load balancer after apply, as observe reads it for a manifest naming its groups
/// (listeners as ELB lists them: HTTP first).
fn afu9_alb() -> LoadBalancerObserved {
    let attributes = [
        ("deletion_protection.enabled", "true"),
        ("routing.http.drop_invalid_header_fields.enabled", "true"),
        ("routing.http.desync_mitigation_mode", "strictest"),
        ("access_logs.s3.enabled", "true"),
        ("access_logs.s3.bucket", "afu9-alb-logs"),
        ("access_logs.s3.prefix", "afu9-alb"),
    ];
    LoadBalancerObserved {
        arn: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/afu9-alb/1"
            .to_owned(),
        kind: "application".to_owned(),
        vpc_id: "vpc-1".to_owned(),
        security_groups: vec!["sg-alb".to_owned()],
        vpc_groups: BTreeMap::from([
            ("afu9-alb".to_owned(), "sg-alb".to_owned()),
            ("default".to_owned(), "sg-default".to_owned()),
        ]),
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        listeners: vec![
            listener(80, "HTTP", vec![https_redirect("443", "HTTP_301")]),
            listener(443, "HTTPS", vec![LiveAction::Other("forward".to_owned())]),
        ],
        certificates: BTreeMap::new(),
        tags: [
            (MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned()),
            ("team".to_owned(), "edge".to_owned()),
        ]
        .into_iter()
        .collect(),
    }
}

#[test]
fn a_load_balancer_behind_an_imported_group_imports_in_sync_naming_the_group() {
    let have = afu9_alb();
    let names = BTreeMap::from([("sg-alb".to_owned(), "afu9-alb".to_owned())]);
    let spec = import(ImportContext { names: &names }, "afu9-alb", &have);
    assert_eq!(spec.security_groups, Some(vec!["afu9-alb".to_owned()]));
    let listeners = spec.listeners.expect("the listeners");
    assert_eq!(
        listeners.iter().map(|l| l.port).collect::<Vec<_>>(),
        [80, 443]
    );
    assert_eq!(listeners[0].redirect, Some(Redirect { port: 443 }));
    assert_eq!(
        listeners[1].certificate,
        Some(CertificateRef::Arn(CERT.to_owned()))
    );
    assert_eq!(spec.desync_mitigation, Some(DesyncMitigation::Strictest));
    let plan = round_trip_alongside::<LoadBalancers>(GROUP, &[("afu9-alb", &have)], &names, None)
        .pop()
        .expect("one plan");
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn a_load_balancer_behind_a_group_not_imported_leaves_its_groups_out_and_imports_in_sync() {
    let have = afu9_alb();
    let names = BTreeMap::new();
    let spec = import(ImportContext { names: &names }, "afu9-alb", &have);
    assert_eq!(spec.security_groups, None);
    let plan = round_trip::<LoadBalancers>("afu9-alb", &have, &names, None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

/// The seeded load balancer: HTTP forwarding, a 2016 policy, no protection, no logs. Imported
/// as it is (its guardrails then refuse the manifest); the logs that are off are left out.
#[test]
fn an_insecure_load_balancer_is_imported_as_it_is() {
    let mut have = afu9_alb();
    have.attributes = BTreeMap::from([
        ("deletion_protection.enabled".to_owned(), "false".to_owned()),
        ("access_logs.s3.enabled".to_owned(), "false".to_owned()),
    ]);
    have.listeners = vec![
        listener(80, "HTTP", vec![LiveAction::Other("forward".to_owned())]),
        listener(443, "HTTPS", vec![LiveAction::Other("forward".to_owned())]),
        listener(8080, "HTTP", vec![https_redirect("443", "HTTP_302")]),
    ];
    have.listeners[1].ssl_policy = Some("ELBSecurityPolicy-2016-08".to_owned());
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9-alb",
        &have,
    );
    assert_eq!(spec.deletion_protection, Some(false));
    assert_eq!(spec.drop_invalid_header_fields, Some(false));
    assert_eq!(spec.desync_mitigation, Some(DesyncMitigation::Defensive));
    assert_eq!(spec.access_logs, None);
    let listeners = spec.listeners.expect("the listeners");
    assert_eq!(listeners[0].redirect, None);
    assert_eq!(
        listeners[1].ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-2016-08")
    );
    assert_eq!(
        listeners[2].redirect, None,
        "a 302 is not the plan's redirect"
    );
}

#[test]
fn a_listener_the_manifest_cannot_state_leaves_the_listeners_unmanaged() {
    let mut have = afu9_alb();
    have.listeners.push(listener(9000, "TCP", Vec::new()));
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9-alb",
        &have,
    );
    assert_eq!(spec.listeners, None);
}
