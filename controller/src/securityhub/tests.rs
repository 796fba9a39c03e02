//! The findings an export would send, from a small desired state and a hand-made plan.

use std::path::Path;

use afu9_spec::SourceLocation;
use afu9_spec::load::load_str;
use serde_json::json;

use super::findings::{Scope, failing};
use super::settle;
use crate::engine::{ApplyReport, OpResult, ResourceResult};
use crate::kinds::ecr::EcrOp;
use crate::plan::{Action, Change, Fact, OpOutcome, Plan, ResourcePlan};
use crate::report::evaluate;
use crate::report::items::Severity;

fn scope() -> Scope {
    Scope {
        account: "123456789012".to_owned(),
        region: "eu-central-1".to_owned(),
        partition: "aws".to_owned(),
    }
}

const REPO: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/web}
spec: {scanOnPush: true}
";

fn drifted() -> Plan {
    let mut repo = ResourcePlan::new(
        "EcrRepository",
        "afu9/web",
        &SourceLocation::new("ecr.yaml", 1, 1),
    );
    repo.action = Action::Update;
    repo.changes = vec![Change::new(
        "spec.scanOnPush",
        Some(json!(false)),
        Some(json!(true)),
    )];
    repo.facts = vec![
        Fact::fails("ECR.1", "scanOnPush", Some(json!(false)), "not scanned"),
        Fact::holds(
            "ECR.2",
            "tagMutability",
            Some(json!("IMMUTABLE")),
            "immutable",
        ),
    ];
    repo.ops = vec![Box::new(EcrOp::PutImageScanningConfiguration {
        name: "afu9/web".to_owned(),
        scan_on_push: true,
    })];
    Plan {
        resources: vec![repo],
        partial: None,
    }
}

#[test]
fn a_drifted_repository_is_a_checklist_finding_per_item_and_a_drift_finding() {
    let state = load_str(Path::new("t.yaml"), REPO).expect("valid");
    let plan = drifted();
    let found = failing(&evaluate(&state, &plan), &plan, &scope());
    let ours: Vec<&str> = found
        .iter()
        .filter(|f| f.resource_type == "AwsEcrRepository")
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        ours,
        [
            "afu9-posture/123456789012/eu-central-1/checklist-7/EcrRepository/afu9/web",
            "afu9-posture/123456789012/eu-central-1/checklist-10/EcrRepository/afu9/web",
            "afu9-posture/123456789012/eu-central-1/drift/EcrRepository/afu9/web",
        ]
    );
    let scan = &found
        .iter()
        .find(|f| f.rule == "checklist-7")
        .expect("item 7");
    assert_eq!(
        scan.resource_id,
        "arn:aws:ecr:eu-central-1:123456789012:repository/afu9/web"
    );
    assert_eq!(scan.severity, Severity::Medium);
    assert!(scan.description.contains("ECR.1"), "{}", scan.description);
    assert!(scan.description.contains("spec.scanOnPush"));
    // Items the desired state does not cover at all are findings on the account.
    let trail = found
        .iter()
        .find(|f| f.rule == "checklist-5")
        .expect("no CloudTrail is a finding");
    assert_eq!(
        (trail.resource_type, trail.resource_id.as_str()),
        ("AwsAccount", "AWS::::Account:123456789012")
    );
    assert!(found.iter().all(|f| f.title.chars().count() <= 256
        && f.description.chars().count() <= 1024
        && f.remediation.chars().count() <= 512));
}

#[test]
fn settling_a_plan_after_its_apply_leaves_only_what_did_not_converge() {
    let state = load_str(Path::new("t.yaml"), REPO).expect("valid");
    let mut plan = drifted();
    let report = ApplyReport {
        resources: vec![ResourceResult {
            kind: "EcrRepository",
            name: "afu9/web".to_owned(),
            ops: vec![OpResult {
                call: "PutImageScanningConfiguration",
                result: Ok(OpOutcome::Done),
            }],
            skipped: 0,
        }],
    };
    settle(&mut plan, &report);
    assert_eq!(plan.resources[0].action, Action::Noop);
    let found = failing(&evaluate(&state, &plan), &plan, &scope());
    assert!(
        found.iter().all(|f| f.resource_type != "AwsEcrRepository"),
        "{found:?}"
    );
}
