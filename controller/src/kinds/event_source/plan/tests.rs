use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};
use serde_json::json;

use super::super::{EventSourceObserved, EventSources, LiveQueue, LiveRule, TARGET_ID};
use crate::aws::Identity;
use crate::engine::PlanContext;
use crate::events::{Events, pattern};
use crate::plan::{Action, ResourcePlan};

const SOURCE: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: EventSource\nmetadata: {name: events}\nspec: {visibilityTimeoutSeconds: 30}\n";
const QUEUE_ARN: &str = "arn:aws:sqs:eu-central-1:123456789012:events";
const RULE_ARN: &str = "arn:aws:events:eu-central-1:123456789012:rule/events";
const ECR: Events = Events {
    source: "aws.ecr",
    names: &["PutImageTagMutability", "DeleteRepository"],
    keys: |_| Vec::new(),
};

fn owned() -> Tags {
    [
        (MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned()),
        ("project".to_owned(), "afu9".to_owned()),
    ]
    .into_iter()
    .collect()
}

/// The queue and rule as the controller leaves them, the policy's keys in another order.
fn in_sync() -> EventSourceObserved {
    let policy = json!({
        "Statement": [{
            "Condition": {"ArnEquals": {"aws:SourceArn": RULE_ARN}},
            "Resource": QUEUE_ARN,
            "Action": "sqs:SendMessage",
            "Principal": {"Service": "events.amazonaws.com"},
            "Effect": "Allow",
            "Sid": "EventBridgeSendsFromTheRule",
        }],
        "Version": "2012-10-17",
    });
    EventSourceObserved {
        region: "eu-central-1".to_owned(),
        queue: Some(LiveQueue {
            url: "https://sqs.eu-central-1.amazonaws.com/123456789012/events".to_owned(),
            attributes: vec![
                ("MessageRetentionPeriod".to_owned(), "86400".to_owned()),
                ("Policy".to_owned(), policy.to_string()),
                ("SqsManagedSseEnabled".to_owned(), "true".to_owned()),
                ("VisibilityTimeout".to_owned(), "30".to_owned()),
            ],
            tags: owned(),
        }),
        rule: Some(LiveRule {
            arn: RULE_ARN.to_owned(),
            pattern: Some(
                json!({
                    "detail": {"eventName": ["PutImageTagMutability", "DeleteRepository"]},
                    "detail-type": ["AWS API Call via CloudTrail"],
                    "source": ["aws.ecr"],
                })
                .to_string(),
            ),
            state: "ENABLED".to_owned(),
            targets: vec![(TARGET_ID.to_owned(), QUEUE_ARN.to_owned())],
            tags: owned(),
        }),
    }
}

fn planned(have: Option<&EventSourceObserved>, events: &[Events]) -> ResourcePlan {
    let state = load_str(
        Path::new("t.yaml"),
        &format!("apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {{name: p}}\nspec: {{defaultTags: {{project: afu9}}}}\n---\n{SOURCE}"),
    )
    .expect("valid");
    let identity = Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/afu9".to_owned(),
    };
    let cx = PlanContext {
        events,
        state: &state,
        identity: Some(&identity),
    };
    crate::kinds::registered::<EventSources>().plan_one(&cx, &state.event_sources[0], have)
}

fn calls(plan: &ResourcePlan) -> Vec<&'static str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn the_queue_and_rule_as_left_are_in_sync_whatever_the_key_order() {
    let plan = planned(Some(&in_sync()), &[ECR]);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn a_missing_source_creates_the_queue_the_rule_and_its_target() {
    let missing = EventSourceObserved {
        queue: None,
        rule: None,
        ..in_sync()
    };
    let plan = planned(Some(&missing), &[ECR]);
    assert_eq!(plan.action, Action::Create);
    assert_eq!(calls(&plan), ["CreateQueue", "PutRule", "PutTargets"]);
    let pattern_change = plan
        .changes
        .iter()
        .find(|c| c.path == "rule.eventPattern")
        .expect("the pattern is shown");
    assert_eq!(pattern_change.after, Some(pattern::build([&ECR])));
}

#[test]
fn each_drift_is_fixed_by_its_own_call() {
    let mut have = in_sync();
    let queue = have.queue.as_mut().expect("queue");
    queue.attributes.retain(|(key, _)| key != "Policy");
    for (key, value) in &mut queue.attributes {
        if key == "SqsManagedSseEnabled" {
            "false".clone_into(value);
        }
    }
    let rule = have.rule.as_mut().expect("rule");
    rule.state = "DISABLED".to_owned();
    rule.targets.push((
        "someone-elses".to_owned(),
        "arn:aws:sqs:eu-central-1:123456789012:x".to_owned(),
    ));
    rule.tags.remove("project");
    let plan = planned(Some(&have), &[ECR]);
    assert_eq!(plan.action, Action::Update);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "queue.Policy",
            "queue.SqsManagedSseEnabled",
            "rule.state",
            "rule.targets",
            "rule.tags.project",
        ]
    );
    assert_eq!(
        calls(&plan),
        [
            "SetQueueAttributes",
            "PutRule",
            "RemoveTargets",
            "TagResource"
        ]
    );
}

#[test]
fn a_new_kind_in_the_desired_state_widens_the_pattern() {
    const EC2: Events = Events {
        source: "aws.ec2",
        names: &["RevokeSecurityGroupIngress"],
        keys: |_| Vec::new(),
    };
    let plan = planned(Some(&in_sync()), &[ECR, EC2]);
    assert_eq!(plan.action, Action::Update);
    assert_eq!(calls(&plan), ["PutRule"]);
}

#[test]
fn a_rule_or_queue_that_is_not_ours_is_left_alone() {
    let mut have = in_sync();
    have.rule.as_mut().expect("rule").tags = Tags::new();
    let plan = planned(Some(&have), &[ECR]);
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("eventbridge rule"))
    );
    let mut have = in_sync();
    have.queue.as_mut().expect("queue").tags = Tags::new();
    let plan = planned(Some(&have), &[ECR]);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
}

#[test]
fn without_declared_events_no_rule_is_made() {
    let plan = planned(Some(&in_sync()), &[Events::NONE]);
    assert_eq!(plan.action, Action::Blocked);
}
