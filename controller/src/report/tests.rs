//! The checklist's judgement on small desired states and hand-made plans, and snapshots of
//! its three formats.

use std::path::Path;

use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use serde_json::json;

use super::render;
use super::{Finding, ItemReport, Report, Status, evaluate};
use crate::plan::{Action, Change, Fact, Plan, ResourcePlan};

fn state(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid manifests")
}

/// A plan with one resource per manifest of `state` of the kinds given, in sync: a
/// repository's live facts are its manifest's values (AWS's defaults where it states none).
fn in_sync(state: &DesiredState, kinds: &[&'static str]) -> Plan {
    Plan {
        resources: kinds
            .iter()
            .flat_map(|kind| {
                state.specs_json(kind).into_iter().map(|(name, spec)| {
                    let mut resource = ResourcePlan::new(kind, name, &source());
                    if *kind == "EcrRepository" {
                        resource.facts = repository_facts(&spec);
                    }
                    if *kind == "LoadBalancer" {
                        resource.facts = tls_facts(&spec);
                    }
                    resource
                })
            })
            .collect(),
        partial: None,
    }
}

/// The facts of a live repository equal to `spec`.
fn repository_facts(spec: &serde_json::Value) -> Vec<Fact> {
    let scan = spec["scanOnPush"] == json!(true);
    let mutability = spec["tagMutability"].as_str().unwrap_or("MUTABLE");
    vec![
        Fact::judged(
            "ECR.1",
            "scanOnPush",
            Some(json!(scan)),
            scan,
            ("scanned", "not scanned"),
        ),
        Fact::judged(
            "ECR.2",
            "tagMutability",
            Some(json!(mutability)),
            mutability == "IMMUTABLE",
            ("immutable", "mutable"),
        ),
    ]
}

/// The TLS facts of a live load balancer equal to `spec`: each HTTPS listener's policy
/// (ELB's default where it states none).
fn tls_facts(spec: &serde_json::Value) -> Vec<Fact> {
    spec["listeners"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["protocol"] == json!("HTTPS"))
        .map(|l| {
            let policy = l["sslPolicy"]
                .as_str()
                .unwrap_or(afu9_spec::load_balancer::DEFAULT_SSL_POLICY);
            let floor = afu9_spec::load_balancer::min_tls(policy);
            Fact::judged(
                "ELB.17",
                format!("listeners[{}].sslPolicy", l["port"]),
                Some(json!(policy)),
                matches!(floor, Some("1.2" | "1.3")),
                ("TLS 1.2+", "below TLS 1.2"),
            )
        })
        .collect()
}

fn source() -> afu9_spec::SourceLocation {
    afu9_spec::SourceLocation::new("test.yaml", 1, 1)
}

fn item(report: &Report, number: u8) -> &ItemReport {
    &report.items[usize::from(number) - 1]
}

const REPOS: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/scanned}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/unscanned}
spec: {scanOnPush: false}
";

#[test]
fn the_checklist_has_the_guide_s_fifteen_items_in_order() {
    let report = evaluate(&DesiredState::default(), &Plan::default());
    let numbers: Vec<u8> = report.items.iter().map(|i| i.number).collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<u8>>());
    assert_eq!(
        item(&report, 1).title,
        "All secrets stored in Secrets Manager"
    );
    assert_eq!(
        item(&report, 14).title,
        "Error messages don't expose sensitive data"
    );
    // Only the application's error handling is outside the account.
    assert_eq!(item(&report, 14).status, Status::Outside);
    assert!(item(&report, 14).verify.is_some());
    // Input validation is judged in the account only in part: the verify says what is left.
    assert!(
        item(&report, 12)
            .verify
            .is_some_and(|v| v.contains("application"))
    );
    // An empty desired state asks for nothing: every item the account holds fails.
    for number in (1..=13).chain([15]) {
        assert_eq!(item(&report, number).status, Status::Fail, "item {number}");
    }
}

#[test]
fn a_repository_the_manifest_does_not_scan_fails_item_7_though_in_sync() {
    let state = state(REPOS);
    let report = evaluate(&state, &in_sync(&state, &["EcrRepository"]));
    let scanning = item(&report, 7);
    assert_eq!(scanning.status, Status::Fail);
    let failing: Vec<(&str, Finding)> = scanning
        .evidence
        .iter()
        .filter(|e| e.finding.fails())
        .map(|e| (e.name.as_str(), e.finding))
        .collect();
    assert_eq!(
        failing,
        [
            ("afu9/unscanned", Finding::Violates),
            ("afu9/unscanned", Finding::Violates),
            ("afu9/unscanned", Finding::NotRequested)
        ]
    );
    let scanned = &scanning.evidence[0];
    assert_eq!(
        (
            scanned.name.as_str(),
            scanned.finding,
            scanned.rule.as_deref(),
            scanned.live.clone()
        ),
        (
            "afu9/scanned",
            Finding::Holds,
            Some("ECR.1"),
            Some(json!(true))
        )
    );
}

#[test]
fn drift_on_a_relevant_field_fails_with_the_live_value_and_other_drift_does_not() {
    let state = state(&REPOS.replace(
        "spec: {scanOnPush: false}",
        "spec: {scanOnPush: true, tagMutability: IMMUTABLE}",
    ));
    let mut plan = in_sync(&state, &["EcrRepository"]);
    plan.resources[0].action = Action::Update;
    plan.resources[0].changes = vec![
        Change::new("spec.scanOnPush", Some(json!(false)), Some(json!(true))),
        Change::new("spec.tags.team", None, Some(json!("a"))),
    ];
    plan.resources[1].action = Action::Update;
    plan.resources[1].changes = vec![Change::new("spec.tags.team", None, Some(json!("a")))];
    let report = evaluate(&state, &plan);
    let scanning = item(&report, 7);
    assert_eq!(scanning.status, Status::Fail);
    let drifted: Vec<_> = scanning
        .evidence
        .iter()
        .filter(|e| e.finding == Finding::Drifted)
        .collect();
    assert_eq!(drifted.len(), 1);
    assert_eq!(drifted[0].field.as_deref(), Some("spec.scanOnPush"));
    assert_eq!(drifted[0].live, Some(json!(false)));

    plan.resources[0].changes.remove(0);
    assert_eq!(item(&evaluate(&state, &plan), 7).status, Status::Pass);
}

#[test]
fn a_resource_that_could_not_be_read_makes_the_item_unknown_unless_another_fails() {
    let state = state(&REPOS.replace(
        "spec: {scanOnPush: false}",
        "spec: {scanOnPush: true, tagMutability: IMMUTABLE}",
    ));
    let mut plan = in_sync(&state, &["EcrRepository"]);
    plan.resources[1].action = Action::Error;
    plan.resources[1].reason = Some("AccessDenied".to_owned());
    plan.resources[1].facts.clear();
    assert_eq!(item(&evaluate(&state, &plan), 7).status, Status::Unknown);
    plan.resources[0].action = Action::Create;
    plan.resources[0].facts.clear();
    assert_eq!(item(&evaluate(&state, &plan), 7).status, Status::Fail);
}

#[test]
fn a_guardrail_warning_fails_its_item_and_names_the_resource() {
    let yaml = std::fs::read_to_string(
        crate::repo_root().join("tests/fixtures/warnings/alarm-without-actions.yaml"),
    )
    .expect("the fixture");
    let state = state(&yaml);
    assert!(!state.warnings.is_empty());
    let plan = in_sync(&state, &["MetricAlarm"]);
    let report = evaluate(&state, &plan);
    let alarms = item(&report, 6);
    assert_eq!(alarms.status, Status::Fail);
    let warning = alarms
        .evidence
        .iter()
        .find(|e| e.finding == Finding::Guardrail)
        .expect("the guardrail as evidence");
    assert_eq!(warning.rule.as_deref(), Some("AFU9-ALARM-010"));
    assert_eq!(
        (warning.kind.as_str(), warning.name.as_str()),
        ("MetricAlarm", "afu9-secret-access")
    );
}

fn sample() -> Report {
    let state = state(REPOS);
    let mut plan = in_sync(&state, &["EcrRepository"]);
    plan.resources[0].action = Action::Update;
    plan.resources[0].changes = vec![Change::new(
        "spec.tagMutability",
        Some(json!("MUTABLE")),
        Some(json!("IMMUTABLE")),
    )];
    evaluate(&state, &plan)
}

#[test]
fn text_snapshot() {
    insta::assert_snapshot!(render::text(&sample()));
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(render::markdown(&sample()));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render::json(&sample()));
}

#[test]
fn a_load_balancer_without_an_https_listener_fails_item_4_and_one_with_passes() {
    let yaml = |listeners: &str| {
        format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: LoadBalancer\nmetadata: {{name: web}}\nspec:\n  listeners:{listeners}"
        )
    };
    let no_https = state(&yaml(" []\n"));
    let report = evaluate(&no_https, &in_sync(&no_https, &["LoadBalancer"]));
    let https = item(&report, 4);
    assert_eq!(https.status, Status::Fail);
    assert!(
        https
            .evidence
            .iter()
            .any(|e| e.finding == Finding::NotRequested && e.name == "web"),
        "{:?}",
        https.evidence
    );
    let both = state(&yaml(
        "\n    - {port: 443, protocol: HTTPS, certificate: {domain: a.example.com}, sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06}\n    - {port: 80, protocol: HTTP, redirect: {port: 443}}\n",
    ));
    let report = evaluate(&both, &in_sync(&both, &["LoadBalancer"]));
    assert_eq!(item(&report, 4).status, Status::Pass);
}

#[test]
fn a_partial_report_says_so_in_every_format() {
    let state = state(REPOS);
    let mut plan = in_sync(&state, &["EcrRepository"]);
    plan.partial = Some("--target EcrRepository/afu9/scanned".to_owned());
    let report = evaluate(&state, &plan);
    let warning = "Resource targeting is in effect (--target EcrRepository/afu9/scanned)";
    assert!(render::text(&report).contains(warning));
    assert!(render::markdown(&report).contains(&format!("> {warning}")));
    let json: serde_json::Value = serde_json::from_str(&render::json(&report)).expect("JSON");
    assert_eq!(
        json["partial"]["selection"],
        "--target EcrRepository/afu9/scanned"
    );
    plan.partial = None;
    let whole = render::text(&evaluate(&state, &plan));
    assert!(!whole.contains("Resource targeting"));
}
