//! Snapshots of every output format for one plan with every action, and of an apply report.

use afu9_spec::{ManagementPolicy, SourceLocation};
use serde_json::json;

use super::{json, markdown, text};
use crate::aws::{AwsError, ErrorClass};
use crate::engine::{ApplyReport, OpResult, ResourceResult};
use crate::kinds::ecr::EcrOp;
use crate::plan::{Action, Change, OpOutcome, Plan, ResourcePlan};

fn resource(name: &str, action: Action, changes: Vec<Change>, ops: Vec<EcrOp>) -> ResourcePlan {
    ResourcePlan {
        action,
        changes,
        ops: ops
            .into_iter()
            .map(|op| Box::new(op) as Box<dyn crate::plan::Operation>)
            .collect(),
        ..ResourcePlan::new(
            "EcrRepository",
            name,
            &SourceLocation::new("desired-state/ecr.yaml", 7, 9),
        )
    }
}

fn sample_plan() -> Plan {
    let mut blocked = resource(
        "afu9/legacy",
        Action::Blocked,
        vec![Change::new(
            "spec.encryption",
            Some(json!({"type": "KMS"})),
            Some(json!({"type": "AES256"})),
        )],
        vec![],
    );
    blocked.reason = Some("encryption can only be chosen when a repository is created".to_owned());
    let mut observed = resource(
        "afu9/observed",
        Action::Update,
        vec![Change::new(
            "spec.scanOnPush",
            Some(false.into()),
            Some(true.into()),
        )],
        vec![],
    );
    observed.policy = ManagementPolicy::Observe;
    let mut failed = resource("afu9/unreadable", Action::Error, vec![], vec![]);
    failed.reason = Some(
        "cannot list ecr repositories (DescribeRepositories): AccessDeniedException: denied"
            .to_owned(),
    );
    Plan {
        resources: vec![
            resource(
                "afu9/new",
                Action::Create,
                vec![
                    Change::new("spec.tagMutability", None, Some("IMMUTABLE".into())),
                    Change::new("spec.tags.managed-by", None, Some("afu9-posture".into())),
                ],
                vec![EcrOp::CreateRepository {
                    name: "afu9/new".to_owned(),
                    scan_on_push: None,
                    tag_mutability: None,
                    encryption: None,
                    tags: std::collections::BTreeMap::new(),
                }],
            ),
            resource(
                "afu9/drifted",
                Action::Update,
                vec![
                    Change::new(
                        "spec.tagMutability",
                        Some("MUTABLE".into()),
                        Some("IMMUTABLE".into()),
                    ),
                    Change::new(
                        "spec.lifecyclePolicy",
                        Some(
                            json!({"rules": [{"rulePriority": 1, "selection": {"countNumber": 20}}]}),
                        ),
                        Some(
                            json!({"rules": [{"rulePriority": 1, "selection": {"countNumber": 10}}]}),
                        ),
                    ),
                    Change::new("spec.tags.stray", Some("x|y".into()), None),
                ],
                vec![EcrOp::PutImageTagMutability {
                    name: "afu9/drifted".to_owned(),
                    mutability: afu9_spec::ecr::TagMutability::Immutable,
                }],
            ),
            blocked,
            observed,
            failed,
            resource("afu9/fine", Action::Noop, vec![], vec![]),
        ],
        partial: None,
    }
}

fn plain(styled: &str) -> String {
    anstream::adapter::strip_str(styled).to_string()
}

#[test]
fn text_plan() {
    insta::assert_snapshot!(plain(&text::plan(&sample_plan())));
}

#[test]
fn text_plan_in_sync() {
    let plan = Plan {
        resources: vec![resource("afu9/fine", Action::Noop, vec![], vec![])],
        partial: None,
    };
    insta::assert_snapshot!(plain(&text::plan(&plan)));
}

#[test]
fn markdown_plan() {
    insta::assert_snapshot!(markdown::plan(&sample_plan()));
}

#[test]
fn json_plan() {
    insta::assert_snapshot!(json::plan(&sample_plan()));
}

fn sample_report() -> ApplyReport {
    ApplyReport {
        resources: vec![
            ResourceResult {
                kind: "EcrRepository",
                name: "afu9/new".to_owned(),
                ops: vec![
                    OpResult {
                        call: "CreateRepository",
                        result: Ok(OpOutcome::AlreadyDone(
                            "the repository already exists".to_owned(),
                        )),
                    },
                    OpResult {
                        call: "PutLifecyclePolicy",
                        result: Ok(OpOutcome::Done),
                    },
                ],
                skipped: 0,
            },
            ResourceResult {
                kind: "EcrRepository",
                name: "afu9/drifted".to_owned(),
                ops: vec![OpResult {
                    call: "PutImageTagMutability",
                    result: Err(AwsError {
                        resource: "update ecr repository afu9/drifted".to_owned(),
                        operation: "PutImageTagMutability",
                        class: ErrorClass::Terminal,
                        code: Some("AccessDeniedException".to_owned()),
                        message: "not allowed".to_owned(),
                    }),
                }],
                skipped: 2,
            },
        ],
    }
}

#[test]
fn apply_reports() {
    let report = sample_report();
    insta::assert_snapshot!("apply_text", plain(&text::apply(&report)));
    insta::assert_snapshot!("apply_markdown", markdown::apply(&report));
    let mut written = Vec::new();
    json::write_apply(&mut written, &sample_plan(), &report).expect("written");
    insta::assert_snapshot!("apply_json", String::from_utf8(written).expect("utf-8"));
}

#[test]
fn a_sensitive_value_being_removed_is_shown_as_a_removal_without_its_value() {
    let plan = Plan {
        resources: vec![resource(
            "afu9/app",
            Action::Blocked,
            vec![Change::sensitive(
                "spec.containers.app.environment.DATABASE_PASSWORD",
                true,
                false,
            )],
            vec![],
        )],
        partial: None,
    };
    let text = plain(&text::plan(&plan));
    assert!(
        text.contains("  - spec.containers.app.environment.DATABASE_PASSWORD: (sensitive value)"),
        "{text}"
    );
    let markdown = markdown::plan(&plan);
    assert!(markdown.contains("| - |"), "{markdown}");
    assert!(!markdown.contains("| + |"), "{markdown}");
}

#[test]
fn a_partial_plan_says_so_in_every_format() {
    let plan = Plan {
        resources: vec![resource("afu9/fine", Action::Noop, vec![], vec![])],
        partial: Some("--target EcrRepository/afu9/fine".to_owned()),
    };
    let warning = "Resource targeting is in effect (--target EcrRepository/afu9/fine)";
    let text = plain(&text::plan(&plan));
    assert!(text.starts_with(warning), "{text}");
    assert!(
        text.contains("The chosen resources match the desired state.")
            && !text.contains("account matches"),
        "{text}"
    );
    let markdown = markdown::plan(&plan);
    assert!(markdown.contains(&format!("> {warning}")), "{markdown}");
    assert!(!markdown.contains("account matches"), "{markdown}");
    let value = json::plan_value(&plan);
    assert_eq!(
        value["partial"]["selection"],
        "--target EcrRepository/afu9/fine"
    );
    assert!(json::plan_value(&sample_plan()).get("partial").is_none());
}
