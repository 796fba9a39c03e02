//! The guide's edge practices end to end against the emulator: the `WebAcl` (a rate limit
//! per IP, AWS managed rule groups, logging, the ALB it protects) and the HTTPS listener's
//! response headers and CORS. Each drift is injected through the SDK, named by `plan`,
//! failed by the report, fixed by one `apply`, then the plan is empty and the item passes;
//! equivalent forms stay quiet; a lock-token conflict between observe and write is re-read
//! and converges; the calls of a steady pass are counted.

use std::collections::BTreeMap;
use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan, ResourcePlan};
use afu9_controller::report::{Finding, Status, evaluate};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_elasticloadbalancingv2::types::ListenerAttribute;
use aws_sdk_wafv2::types::{CountAction, OverrideAction, Rule, Scope};

const EDGE: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: LoadBalancer
metadata: {name: afu9-alb, adopt: true}
spec:
  listeners:
    - port: 443
      protocol: HTTPS
      certificate: {domain: afu9.example.com}
      responseHeaders:
        strictTransportSecurity: max-age=31536000; includeSubDomains
        contentSecurityPolicy: default-src 'self'
        xContentTypeOptions: nosniff
        xFrameOptions: DENY
        removeServerHeader: true
        cors:
          allowOrigin: https://afu9.example.com
          allowMethods: [GET, POST]
          allowCredentials: true
          maxAge: 600
    - {port: 80, protocol: HTTP, redirect: {port: 443}}
---
apiVersion: posture.afu9.io/v1alpha1
kind: WebAcl
metadata: {name: afu9-edge}
spec:
  defaultAction: allow
  rules:
    - name: rate-limit
      rateLimit: {limit: 2000, uriStartsWith: /api/}
    - name: common
      managedRuleGroup: {name: AWSManagedRulesCommonRuleSet}
    - name: sqli
      managedRuleGroup: {name: AWSManagedRulesSQLiRuleSet}
  logging: {logGroup: aws-waf-logs-afu9}
  loadBalancers: [afu9-alb]
";

const HSTS: &str = "routing.http.response.strict_transport_security.header_value";
const CSP: &str = "routing.http.response.content_security_policy.header_value";
const NOSNIFF: &str = "routing.http.response.x_content_type_options.header_value";
const FRAME: &str = "routing.http.response.x_frame_options.header_value";
const SERVER: &str = "routing.http.response.server.enabled";
const ORIGIN: &str = "routing.http.response.access_control_allow_origin.header_value";
const METHODS: &str = "routing.http.response.access_control_allow_methods.header_value";

/// Items of the guide: input validation, rate limiting, security headers.
const INPUT: u8 = 12;
const RATE: u8 = 13;
const HEADERS: u8 = 15;

fn engine() -> Engine {
    Engine::new(afu9_controller::kinds::standard())
}

fn desired() -> DesiredState {
    load_str(Path::new("edge.yaml"), EDGE).expect("valid test manifests")
}

fn resource<'a>(plan: &'a Plan, kind: &str) -> &'a ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or_else(|| panic!("{kind} is not in the plan"))
}

fn paths(resource: &ResourcePlan) -> Vec<&str> {
    resource.changes.iter().map(|c| c.path.as_str()).collect()
}

fn drifted(plan: &Plan) -> Vec<String> {
    plan.resources
        .iter()
        .filter(|r| r.is_drift() || r.action == Action::Error)
        .map(|r| {
            format!(
                "{} {}: {:?} {:?} {:?}",
                r.kind,
                r.name,
                r.action,
                r.reason,
                paths(r)
            )
        })
        .collect()
}

fn status(state: &DesiredState, plan: &Plan, number: u8) -> Status {
    evaluate(state, plan)
        .items
        .iter()
        .find(|item| item.number == number)
        .map(|item| item.status)
        .expect("the item")
}

/// The controls whose live facts fail item `number`, each with the field it was read from.
fn violated(state: &DesiredState, plan: &Plan, number: u8) -> Vec<String> {
    evaluate(state, plan)
        .items
        .iter()
        .find(|item| item.number == number)
        .expect("the item")
        .evidence
        .iter()
        .filter(|e| e.finding == Finding::Violates)
        .map(|e| {
            format!(
                "{} {}",
                e.rule.as_deref().unwrap_or_default(),
                e.field.as_deref().unwrap_or_default()
            )
        })
        .collect()
}

/// The emulator with the insecure ALB (no web ACL, no headers, CORS open to `*`) and the
/// log group; returns it with the ALB's ARN.
async fn seeded() -> (Emulator, String) {
    let emulator = Emulator::start();
    let vpc = emulator
        .ec2()
        .create_vpc()
        .cidr_block("10.8.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("vpc id");
    let alb = afu9_e2e::edge::seed_insecure_alb(&emulator, &vpc).await;
    (emulator, alb)
}

async fn https_listener(emulator: &Emulator, alb: &str) -> String {
    emulator
        .elbv2()
        .describe_listeners()
        .load_balancer_arn(alb)
        .send()
        .await
        .expect("listeners")
        .listeners
        .unwrap_or_default()
        .into_iter()
        .find(|l| l.port == Some(443))
        .and_then(|l| l.listener_arn)
        .expect("the HTTPS listener")
}

async fn set_header(emulator: &Emulator, listener: &str, key: &str, value: &str) {
    emulator
        .elbv2()
        .modify_listener_attributes()
        .listener_arn(listener)
        .attributes(ListenerAttribute::builder().key(key).value(value).build())
        .send()
        .await
        .expect("modify listener attributes");
}

/// The ACL's id, its lock token and the live ACL.
async fn live_acl(emulator: &Emulator) -> (String, String, aws_sdk_wafv2::types::WebAcl) {
    let waf = emulator.wafv2();
    let id = waf
        .list_web_acls()
        .scope(Scope::Regional)
        .send()
        .await
        .expect("list")
        .web_acls
        .unwrap_or_default()
        .into_iter()
        .find(|a| a.name.as_deref() == Some("afu9-edge"))
        .and_then(|a| a.id)
        .expect("the web ACL");
    let output = waf
        .get_web_acl()
        .name("afu9-edge")
        .scope(Scope::Regional)
        .id(&id)
        .send()
        .await
        .expect("get");
    (
        id,
        output.lock_token.expect("token"),
        output.web_acl.expect("acl"),
    )
}

/// Replaces the ACL's rules (and, when given, its description) out of band.
async fn set_rules(emulator: &Emulator, rules: Vec<Rule>, description: Option<&str>) {
    let (id, token, acl) = live_acl(emulator).await;
    emulator
        .wafv2()
        .update_web_acl()
        .name("afu9-edge")
        .scope(Scope::Regional)
        .id(id)
        .lock_token(token)
        .set_default_action(acl.default_action)
        .set_visibility_config(acl.visibility_config)
        .set_rules(Some(rules))
        .set_description(description.map(str::to_owned))
        .send()
        .await
        .expect("update the web ACL out of band");
}

fn rules_of(acl: &aws_sdk_wafv2::types::WebAcl) -> Vec<Rule> {
    acl.rules.clone().unwrap_or_default()
}

/// Plans, expects exactly `kind`'s `expected` paths, the item failing and, when the drift
/// weakens a control, exactly that live fact violated (`control field`); applies once, then
/// expects an empty plan, no violated fact and the item passing.
async fn named_failed_fixed(
    engine: &Engine,
    aws: &Aws,
    state: &DesiredState,
    (kind, expected): (&str, &[&str]),
    item: u8,
    fact: Option<&str>,
) {
    let plan = engine.plan(aws, state).await;
    assert_eq!(
        paths(resource(&plan, kind)),
        expected,
        "{:?}",
        drifted(&plan)
    );
    assert_eq!(
        status(state, &plan, item),
        Status::Fail,
        "item {item} for {expected:?}"
    );
    assert_eq!(
        violated(state, &plan, item),
        fact.into_iter().collect::<Vec<_>>(),
        "the live facts of item {item} for {expected:?}"
    );
    let report = engine.apply(aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(aws, state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    assert_eq!(
        status(state, &again, item),
        Status::Pass,
        "item {item} after the fix"
    );
    assert!(violated(state, &again, item).is_empty());
}

#[tokio::test]
async fn the_web_acl_is_created_and_each_drift_is_named_failed_and_fixed() {
    let (emulator, alb) = seeded().await;
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();

    let plan = engine.plan(&aws, &state).await;
    assert_eq!(resource(&plan, "WebAcl").action, Action::Create);
    assert_eq!(status(&state, &plan, RATE), Status::Fail);
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(&aws, &state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    for item in [INPUT, RATE, HEADERS] {
        assert_eq!(status(&state, &again, item), Status::Pass, "item {item}");
    }
    let waf = emulator.wafv2();
    let protecting = waf
        .get_web_acl_for_resource()
        .resource_arn(&alb)
        .send()
        .await
        .expect("web acl for the alb")
        .web_acl
        .map(|a| a.name);
    assert_eq!(protecting.as_deref(), Some("afu9-edge"));

    // A removed rate rule.
    let (_, _, acl) = live_acl(&emulator).await;
    let without_rate: Vec<Rule> = rules_of(&acl)
        .into_iter()
        .filter(|r| r.name != "rate-limit")
        .collect();
    set_rules(&emulator, without_rate, None).await;
    named_failed_fixed(
        &engine,
        &aws,
        &state,
        ("WebAcl", &["spec.rules[rate-limit]"]),
        RATE,
        Some("AFU9.WAF.1 rules"),
    )
    .await;

    // A managed group switched to count.
    let (_, _, acl) = live_acl(&emulator).await;
    let counting: Vec<Rule> = rules_of(&acl)
        .into_iter()
        .map(|mut r| {
            if r.name == "sqli" {
                r.override_action = Some(
                    OverrideAction::builder()
                        .count(CountAction::builder().build())
                        .build(),
                );
            }
            r
        })
        .collect();
    set_rules(&emulator, counting, None).await;
    named_failed_fixed(
        &engine,
        &aws,
        &state,
        ("WebAcl", &["spec.rules[sqli]"]),
        INPUT,
        Some("AFU9.WAF.2 rules[sqli].managedRuleGroup"),
    )
    .await;

    // The ACL disassociated from the load balancer.
    waf.disassociate_web_acl()
        .resource_arn(&alb)
        .send()
        .await
        .expect("disassociate");
    named_failed_fixed(
        &engine,
        &aws,
        &state,
        ("WebAcl", &["spec.loadBalancers[afu9-alb]"]),
        RATE,
        Some("ELB.16 loadBalancers[afu9-alb]"),
    )
    .await;

    // Logging off.
    let (_, _, acl) = live_acl(&emulator).await;
    waf.delete_logging_configuration()
        .resource_arn(&acl.arn)
        .send()
        .await
        .expect("logging off");
    named_failed_fixed(
        &engine,
        &aws,
        &state,
        ("WebAcl", &["spec.logging.logGroup"]),
        RATE,
        Some("WAF.11 logging"),
    )
    .await;
}

#[tokio::test]
async fn each_header_drift_is_named_failed_and_fixed() {
    let (emulator, alb) = seeded().await;
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(
        status(&state, &plan, HEADERS),
        Status::Fail,
        "the seeded ALB sends no headers and CORS `*`"
    );
    assert_eq!(engine.apply(&aws, &plan).await.failed(), 0);

    // Each header removed or changed, and CORS widened to any origin.
    let listener = https_listener(&emulator, &alb).await;
    // The fact each drift violates, if it weakens a header's control (SAMEORIGIN, the
    // Server header and one more method are drift from the manifest, not weaker controls).
    for (key, value, field, control) in [
        (HSTS, "", "strictTransportSecurity", Some("AFU9.ELB.1")),
        (
            HSTS,
            "max-age=300",
            "strictTransportSecurity",
            Some("AFU9.ELB.1"),
        ),
        (
            CSP,
            "default-src *",
            "contentSecurityPolicy",
            Some("AFU9.ELB.5"),
        ),
        (NOSNIFF, "", "xContentTypeOptions", Some("AFU9.ELB.2")),
        (FRAME, "SAMEORIGIN", "xFrameOptions", None),
        (FRAME, "", "xFrameOptions", Some("AFU9.ELB.3")),
        (SERVER, "true", "removeServerHeader", None),
        (ORIGIN, "*", "cors.allowOrigin", Some("AFU9.ELB.4")),
        (METHODS, "GET, POST, DELETE", "cors.allowMethods", None),
    ] {
        set_header(&emulator, &listener, key, value).await;
        let path = format!("spec.listeners[443].responseHeaders.{field}");
        let fact = control.map(|c| format!("{c} listeners[443].responseHeaders.{field}"));
        named_failed_fixed(
            &engine,
            &aws,
            &state,
            ("LoadBalancer", &[path.as_str()]),
            HEADERS,
            fact.as_deref(),
        )
        .await;
    }
}

#[tokio::test]
async fn equivalent_forms_stay_quiet() {
    let (emulator, alb) = seeded().await;
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(engine.apply(&aws, &plan).await.failed(), 0);

    // The same evaluation order under other priority numbers, listed in another order.
    let (_, _, acl) = live_acl(&emulator).await;
    let mut rules = rules_of(&acl);
    for rule in &mut rules {
        rule.priority = rule.priority * 10 + 5;
    }
    rules.reverse();
    set_rules(&emulator, rules, None).await;
    // Header values with other spacing and case, lists in another order.
    let listener = https_listener(&emulator, &alb).await;
    set_header(
        &emulator,
        &listener,
        HSTS,
        " max-age=31536000 ;includeSubDomains ",
    )
    .await;
    set_header(&emulator, &listener, FRAME, "deny").await;
    set_header(&emulator, &listener, METHODS, "post,get").await;

    let plan = engine.plan(&aws, &state).await;
    assert!(drifted(&plan).is_empty(), "{:?}", drifted(&plan));
}

#[tokio::test]
async fn a_change_between_observe_and_write_is_re_read_and_converges() {
    let (emulator, _) = seeded().await;
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(engine.apply(&aws, &plan).await.failed(), 0);

    // Drift, then a plan that reads the ACL and its lock token...
    let (_, _, acl) = live_acl(&emulator).await;
    let without_rate: Vec<Rule> = rules_of(&acl)
        .into_iter()
        .filter(|r| r.name != "rate-limit")
        .collect();
    set_rules(&emulator, without_rate.clone(), None).await;
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(paths(resource(&plan, "WebAcl")), ["spec.rules[rate-limit]"]);
    // ...then someone else changes the ACL before the write: the token is stale.
    set_rules(&emulator, without_rate, Some("changed by hand")).await;

    let counting = Aws::from_config(&emulator.sdk_config());
    let report = engine.apply(&counting, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let calls = counting.calls.by_operation();
    // The stale write refused, a fresh read, the write again under the fresh token.
    assert_eq!(calls.get("WAFV2.UpdateWebACL"), Some(&2), "{calls:?}");
    assert_eq!(calls.get("WAFV2.GetWebACL"), Some(&2), "{calls:?}");

    let again = engine.plan(&aws, &state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    let (_, _, acl) = live_acl(&emulator).await;
    // What the manifest does not manage is the concurrent change's, not overwritten.
    assert_eq!(acl.description.as_deref(), Some("changed by hand"));
}

#[tokio::test]
async fn a_steady_pass_reads_the_web_acl_in_five_calls() {
    let (emulator, _) = seeded().await;
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(engine.apply(&aws, &plan).await.failed(), 0);

    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan(&counting, &state).await;
    assert!(drifted(&plan).is_empty(), "{:?}", drifted(&plan));
    let calls = counting.calls.by_operation();
    let waf: BTreeMap<&str, u64> = calls
        .iter()
        .filter(|(op, _)| op.starts_with("WAFV2."))
        .map(|(op, n)| (op.as_str(), *n))
        .collect();
    let expected: BTreeMap<&str, u64> = [
        ("WAFV2.ListWebACLs", 1),
        ("WAFV2.GetWebACL", 1),
        ("WAFV2.ListTagsForResource", 1),
        ("WAFV2.GetLoggingConfiguration", 1),
        ("WAFV2.GetWebACLForResource", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(waf, expected);
    // The ALB's ARN from the load balancer kind's listing, shared in the pass; the HTTPS
    // listener's headers from one read.
    assert_eq!(
        calls.get("Elastic Load Balancing v2.DescribeLoadBalancers"),
        Some(&1)
    );
    assert_eq!(
        calls.get("Elastic Load Balancing v2.DescribeListenerAttributes"),
        Some(&1)
    );
}
