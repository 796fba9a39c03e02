use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};
use serde_json::json;

use super::*;
use crate::aws::Identity;
use crate::engine::Engine;
use crate::events::pattern;
use crate::kinds::event_source::{LiveQueue, LiveRule};
use crate::kinds::round_trip::round_trip_alongside;
use crate::plan::{Action, ResourcePlan};

const QUEUE_ARN: &str = "arn:aws:sqs:eu-central-1:123456789012:afu9-posture-events";
const RULE_ARN: &str = "arn:aws:events:eu-central-1:123456789012:rule/afu9-posture-events";

/// A repository: its kind declares ECR's write events.
const REPOSITORY: &str = "\
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/control-center}
spec: {scanOnPush: true}
";

/// A role: its kind declares IAM's write events.
const ROLE: &str = "\
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-task-role}
spec: {trustPolicy: {service: ecs-tasks.amazonaws.com}}
";

fn identity() -> Identity {
    Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/afu9".to_owned(),
    }
}

fn owned() -> Tags {
    [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())].into()
}

/// The queue and the rule as `apply` leaves them for a desired state of `alongside` and the
/// event source: the rule's pattern built from that state's kinds.
fn applied_for(alongside: &str) -> EventSourceObserved {
    let state = load_str(Path::new("applied.yaml"), alongside).expect("valid");
    let events = Engine::new(crate::kinds::standard()).declared_events(&state);
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "EventBridgeSendsFromTheRule",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": QUEUE_ARN,
            "Condition": {"ArnEquals": {"aws:SourceArn": RULE_ARN}},
        }],
    });
    EventSourceObserved {
        region: "eu-central-1".to_owned(),
        queue: Some(LiveQueue {
            url: "https://sqs.eu-central-1.amazonaws.com/123456789012/afu9-posture-events"
                .to_owned(),
            attributes: vec![
                ("MessageRetentionPeriod".to_owned(), "3600".to_owned()),
                ("Policy".to_owned(), policy.to_string()),
                ("SqsManagedSseEnabled".to_owned(), "true".to_owned()),
                ("VisibilityTimeout".to_owned(), "45".to_owned()),
            ],
            tags: owned(),
        }),
        rule: Some(LiveRule {
            arn: RULE_ARN.to_owned(),
            pattern: Some(pattern::build(&events).to_string()),
            state: "ENABLED".to_owned(),
            targets: vec![(TARGET_ID.to_owned(), QUEUE_ARN.to_owned())],
            tags: owned(),
        }),
    }
}

fn planned(alongside: &str, have: &EventSourceObserved) -> ResourcePlan {
    round_trip_alongside::<EventSources>(
        alongside,
        &[("afu9-posture-events", have)],
        &BTreeMap::new(),
        Some(&identity()),
    )
    .pop()
    .expect("one plan")
}

#[test]
fn an_event_source_imports_in_sync_alongside_the_kinds_its_rule_was_built_for() {
    let have = applied_for(REPOSITORY);
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9-posture-events",
        &have,
    );
    assert_eq!(
        (
            spec.visibility_timeout_seconds,
            spec.message_retention_seconds
        ),
        (45, 3600)
    );
    let plan = planned(&format!("{REPOSITORY}---\n"), &have);
    assert_eq!(
        plan.action,
        Action::Noop,
        "{:?} {:?}",
        plan.changes,
        plan.reason
    );
}

#[test]
fn alongside_other_kinds_the_imported_event_source_plans_the_rule_s_new_pattern() {
    let have = applied_for(REPOSITORY);
    let plan = planned(&format!("{REPOSITORY}---\n{ROLE}---\n"), &have);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["rule.eventPattern"], "{:?}", plan.reason);
}
