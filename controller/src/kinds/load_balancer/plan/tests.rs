use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::super::{LiveAction, LiveListener, LoadBalancerObserved, LoadBalancers};
use crate::engine::PlanContext;
use crate::plan::{Action, ResourcePlan};

const ALB: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-alb}
spec: {vpc: {id: vpc-1}, description: alb}
---
apiVersion: posture.afu9.io/v1alpha1
kind: LoadBalancer
metadata: {name: afu9-alb}
spec:
  securityGroups: [afu9-alb]
  deletionProtection: true
  dropInvalidHeaderFields: true
  desyncMitigation: defensive
  accessLogs: {bucket: logs, prefix: alb}
  listeners:
    - {port: 443, protocol: HTTPS, certificate: {domain: afu9.example.com}}
    - {port: 80, protocol: HTTP, redirect: {port: 443}}
";

const CERT: &str = "arn:aws:acm:eu-central-1:123456789012:certificate/new";

fn owned() -> Tags {
    [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
        .into_iter()
        .collect()
}

fn redirect(status: &str) -> LiveAction {
    LiveAction::Redirect {
        protocol: Some("HTTPS".to_owned()),
        port: Some("443".to_owned()),
        host: Some("#{host}".to_owned()),
        path: Some("/#{path}".to_owned()),
        query: Some("#{query}".to_owned()),
        status: status.to_owned(),
    }
}

/// A load balancer exactly as the manifest wants it.
fn in_sync() -> LoadBalancerObserved {
    let attributes = [
        ("deletion_protection.enabled", "true"),
        ("routing.http.drop_invalid_header_fields.enabled", "true"),
        ("access_logs.s3.enabled", "true"),
        ("access_logs.s3.bucket", "logs"),
        ("access_logs.s3.prefix", "alb"),
    ];
    LoadBalancerObserved {
        arn: "arn:alb".to_owned(),
        kind: "application".to_owned(),
        vpc_id: "vpc-1".to_owned(),
        security_groups: vec!["sg-alb".to_owned()],
        vpc_groups: [
            ("afu9-alb".to_owned(), "sg-alb".to_owned()),
            ("default".to_owned(), "sg-d".to_owned()),
        ]
        .into_iter()
        .collect(),
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        listeners: vec![
            LiveListener {
                arn: "arn:l443".to_owned(),
                port: 443,
                protocol: "HTTPS".to_owned(),
                ssl_policy: Some("ELBSecurityPolicy-TLS13-1-2-2021-06".to_owned()),
                certificate: Some(CERT.to_owned()),
                actions: vec![LiveAction::Other("forward".to_owned())],
                attributes: BTreeMap::new(),
            },
            LiveListener {
                arn: "arn:l80".to_owned(),
                port: 80,
                protocol: "HTTP".to_owned(),
                ssl_policy: None,
                certificate: None,
                actions: vec![redirect("HTTP_301")],
                attributes: BTreeMap::new(),
            },
        ],
        certificates: BTreeMap::from([("afu9.example.com".to_owned(), vec![CERT.to_owned()])]),
        tags: owned(),
    }
}

fn planned(have: Option<&LoadBalancerObserved>) -> ResourcePlan {
    let state = load_str(Path::new("t.yaml"), ALB).expect("valid");
    let cx = PlanContext {
        state: &state,
        events: &[],
        identity: None,
    };
    crate::kinds::registered::<LoadBalancers>().plan_one(&cx, &state.load_balancers[0], have)
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn in_sync_is_noop_and_absent_desync_reads_as_defensive() {
    let plan = planned(Some(&in_sync()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    assert_eq!(plan.depends_on.len(), 1);
}

#[test]
fn every_insecure_setting_is_drift_with_its_call() {
    let mut have = in_sync();
    have.attributes
        .insert("deletion_protection.enabled".into(), "false".into());
    have.attributes.remove("access_logs.s3.enabled");
    have.attributes.insert(
        "routing.http.desync_mitigation_mode".into(),
        "monitor".into(),
    );
    have.security_groups.push("sg-d".to_owned());
    have.listeners[0].ssl_policy = Some("ELBSecurityPolicy-2016-08".to_owned());
    have.listeners[1].actions = vec![LiveAction::Other("forward".to_owned())];
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        paths(&plan),
        [
            "spec.securityGroups",
            "spec.deletionProtection",
            "spec.desyncMitigation",
            "spec.accessLogs",
            "spec.listeners[443].sslPolicy",
            "spec.listeners[80].redirect",
        ]
    );
    assert_eq!(
        calls(&plan),
        [
            "SetSecurityGroups",
            "ModifyLoadBalancerAttributes",
            "ModifyListener",
            "ModifyListener"
        ]
    );
}

#[test]
fn a_302_or_a_redirect_elsewhere_is_not_the_redirect_wanted() {
    let mut have = in_sync();
    have.listeners[1].actions = vec![redirect("HTTP_302")];
    assert_eq!(
        paths(&planned(Some(&have))),
        ["spec.listeners[80].redirect"]
    );
    let mut have = in_sync();
    have.listeners[1].actions = vec![LiveAction::Redirect {
        protocol: Some("HTTPS".to_owned()),
        port: Some("443".to_owned()),
        host: Some("evil.example".to_owned()),
        path: None,
        query: None,
        status: "HTTP_301".to_owned(),
    }];
    assert_eq!(
        paths(&planned(Some(&have))),
        ["spec.listeners[80].redirect"]
    );
    // ELB's defaults left out are the same redirect.
    let mut have = in_sync();
    have.listeners[1].actions = vec![LiveAction::Redirect {
        protocol: Some("HTTPS".to_owned()),
        port: Some("443".to_owned()),
        host: None,
        path: None,
        query: None,
        status: "HTTP_301".to_owned(),
    }];
    assert_eq!(planned(Some(&have)).action, Action::Noop);
}

#[test]
fn listeners_not_named_are_deleted_missing_redirects_created_missing_https_blocked() {
    let mut have = in_sync();
    have.listeners.push(LiveListener {
        arn: "arn:l8080".to_owned(),
        port: 8080,
        protocol: "HTTP".to_owned(),
        ssl_policy: None,
        certificate: None,
        actions: vec![LiveAction::Other("forward".to_owned())],
        attributes: BTreeMap::new(),
    });
    have.listeners.remove(1);
    let plan = planned(Some(&have));
    assert_eq!(paths(&plan), ["spec.listeners[80]", "spec.listeners[8080]"]);
    assert_eq!(calls(&plan), ["CreateListener", "DeleteListener"]);

    let mut have = in_sync();
    have.listeners.remove(0);
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .unwrap_or_default()
            .contains("application's stack")
    );
}

#[test]
fn the_certificate_in_use_stays_while_it_is_issued_and_a_missing_one_blocks() {
    let mut have = in_sync();
    have.certificates.insert(
        "afu9.example.com".to_owned(),
        vec!["arn:newer".to_owned(), CERT.to_owned()],
    );
    assert_eq!(planned(Some(&have)).action, Action::Noop);

    have.listeners[0].certificate = Some("arn:expired".to_owned());
    let plan = planned(Some(&have));
    assert_eq!(paths(&plan), ["spec.listeners[443].certificate"]);
    assert_eq!(plan.changes[0].after, Some("arn:newer".into()));

    have.certificates.clear();
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .unwrap_or_default()
            .contains("no ISSUED ACM certificate")
    );
}

#[test]
fn missing_is_reported_not_created_and_unowned_is_left_alone() {
    let plan = planned(None);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    let mut have = in_sync();
    have.tags = Tags::new();
    have.attributes
        .insert("deletion_protection.enabled".into(), "false".into());
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    let mut have = in_sync();
    have.kind = "network".to_owned();
    assert_eq!(planned(Some(&have)).action, Action::Blocked);
}
