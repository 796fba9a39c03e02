//! Which notice a resource's pass falls into, and what the messages say.

use serde_json::{Value, json};

use super::{
    EventKind, Notice, PassFacts, SUBJECT_LIMIT, json_message, notices, slack_body, subject,
};
use crate::aws::{AwsError, ErrorClass};
use crate::engine::{ApplyReport, OpResult, ResourceResult};
use crate::plan::{Action, Change, OpOutcome, Plan, ResourcePlan};

fn resource(name: &str, action: Action, changes: Vec<Change>) -> ResourcePlan {
    let mut plan = ResourcePlan::new(
        "EcrRepository",
        name,
        &afu9_spec::SourceLocation::new("ecr.yaml", 1, 1),
    );
    plan.action = action;
    plan.changes = changes;
    plan
}

fn result(name: &str, outcome: Result<OpOutcome, AwsError>) -> ResourceResult {
    ResourceResult {
        kind: "EcrRepository",
        name: name.to_owned(),
        ops: vec![OpResult {
            call: "PutImageTagMutability",
            result: outcome,
        }],
        skipped: 0,
    }
}

fn mutability() -> Change {
    Change::new(
        "spec.imageTagMutability",
        Some(json!("MUTABLE")),
        Some(json!("IMMUTABLE")),
    )
}

fn pass(
    plan: &Plan,
    report: &ApplyReport,
    held: &dyn Fn(&str, &str) -> Option<String>,
) -> Vec<Notice> {
    notices(&PassFacts {
        revision: "abc1234",
        time: "2026-12-06T07:30:00Z",
        plan,
        report,
        held,
    })
}

#[test]
fn a_pass_makes_one_notice_per_event_kind_and_a_resource_is_in_one() {
    let mut secret = Change::new("spec.environment.TOKEN", Some(json!(Change::MASK)), None);
    secret.sensitive = true;
    let plan = Plan {
        resources: vec![
            resource("fixed-a", Action::Update, vec![mutability()]),
            resource("fixed-b", Action::Update, vec![mutability(), secret]),
            resource("in-sync", Action::Noop, vec![]),
            resource("not-ours", Action::Blocked, vec![mutability()]),
            resource("held", Action::Update, vec![mutability()]),
            resource("failing", Action::Update, vec![mutability()]),
        ],
        partial: None,
    };
    let report = ApplyReport {
        resources: vec![
            result("fixed-a", Ok(OpOutcome::Done)),
            result("fixed-b", Ok(OpOutcome::Done)),
            result(
                "failing",
                Err(AwsError::new(
                    "x",
                    "PutImageTagMutability",
                    ErrorClass::Terminal,
                    "denied",
                )),
            ),
        ],
    };
    let held = |_: &str, name: &str| (name == "held").then(|| "observe-only".to_owned());
    let notices = pass(&plan, &report, &held);
    let kinds: Vec<(EventKind, Vec<&str>)> = notices
        .iter()
        .map(|n| {
            (
                n.event,
                n.resources.iter().map(|r| r.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventKind::DriftFound, vec!["held"]),
            (EventKind::Fixed, vec!["fixed-a", "fixed-b"]),
            (EventKind::Blocked, vec!["not-ours"]),
            (EventKind::PassFailed, vec!["failing"]),
        ]
    );
    let fixed = &notices[1];
    assert_eq!(fixed.resources[0].done, "fixed: PutImageTagMutability");
    assert_eq!(notices[0].resources[0].done, "left as is: observe-only");
    let message: Value = serde_json::from_str(&json_message(fixed)).expect("JSON");
    assert_eq!(message["event"], "fixed");
    assert_eq!(
        message["summary"],
        "Drift fixed on 2 resources (revision abc1234)"
    );
    assert_eq!(
        message["resources"][0]["changes"][0],
        json!({"field": "spec.imageTagMutability", "live": "MUTABLE", "wanted": "IMMUTABLE"})
    );
    // A sensitive change names its field only.
    assert_eq!(
        message["resources"][1]["changes"][1],
        json!({"field": "spec.environment.TOKEN", "sensitive": true})
    );
    assert!(!json_message(fixed).contains(Change::MASK));
    assert!(slack_body(fixed).contains("(sensitive value)"));
}

#[test]
fn subjects_are_short_ascii_and_name_the_first_resource() {
    let plan = Plan {
        resources: (0..3)
            .map(|i| {
                resource(
                    &format!("{}-{i}", "r".repeat(80)),
                    Action::Update,
                    vec![mutability()],
                )
            })
            .collect(),
        partial: None,
    };
    let report = ApplyReport {
        resources: (0..3)
            .map(|i| result(&format!("{}-{i}", "r".repeat(80)), Ok(OpOutcome::Done)))
            .collect(),
    };
    let notices = pass(&plan, &report, &|_, _| None);
    let subject = subject(&notices[0]);
    assert!(subject.len() <= SUBJECT_LIMIT, "{subject}");
    assert!(
        subject.starts_with("afu9-posture: drift fixed: EcrRepository/rrr"),
        "{subject}"
    );
    assert!(subject.is_ascii());
}

#[test]
fn slack_lists_ten_resources_then_counts_the_rest() {
    let names: Vec<String> = (0..12).map(|i| format!("repo-{i:02}")).collect();
    let plan = Plan {
        resources: names
            .iter()
            .map(|n| resource(n, Action::Update, vec![mutability()]))
            .collect(),
        partial: None,
    };
    let report = ApplyReport {
        resources: names
            .iter()
            .map(|n| result(n, Ok(OpOutcome::Done)))
            .collect(),
    };
    let body: Value =
        serde_json::from_str(&slack_body(&pass(&plan, &report, &|_, _| None)[0])).expect("JSON");
    let blocks = body["blocks"].as_array().expect("blocks");
    assert_eq!(blocks.len(), 12, "summary, ten resources, the rest");
    assert!(blocks[1]["text"]["text"].as_str().is_some_and(|t| {
        t.contains("`EcrRepository/repo-00`: fixed: PutImageTagMutability")
            && t.contains("\"MUTABLE\" → \"IMMUTABLE\"")
    }));
    assert_eq!(blocks[11]["elements"][0]["text"], "and 2 more");
}

#[test]
fn a_pass_held_by_the_deletion_budget_is_one_notice_that_says_why() {
    let notice = super::held(
        "content:1",
        "2026-12-06T08:00:00Z",
        "pruning would delete 7; the budget is 5".to_owned(),
    );
    assert_eq!(notice.event, EventKind::Held);
    assert_eq!(notice.event.as_str(), "held");
    let json = serde_json::to_value(&notice).expect("serializes");
    assert_eq!(json["event"], "held");
    assert_eq!(json["detail"], "pruning would delete 7; the budget is 5");
    assert!(notice.resources.is_empty());
}
