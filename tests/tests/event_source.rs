//! `EventSource` end to end against the emulator: the queue, its policy and the rule kept as
//! any other resource (drift injected through the SDK is named by a plan, fixed by an apply,
//! and a second plan is empty), an equivalent policy stays quiet, a rule someone else made is
//! left alone, and a steady-state pass reads it in six calls.

use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_eventbridge::types::{RuleState, Target};
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;

const MANIFESTS: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/control-center}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EventSource
metadata: {name: afu9-posture-events}
spec: {visibilityTimeoutSeconds: 60}
";
const NAME: &str = "afu9-posture-events";

fn desired() -> DesiredState {
    load_str(Path::new("test.yaml"), MANIFESTS).expect("valid test manifests")
}

fn source_plan(plan: &Plan) -> (Action, Vec<&str>, Option<&str>) {
    let resource = plan
        .resources
        .iter()
        .find(|r| r.kind == "EventSource")
        .expect("the event source is planned");
    (
        resource.action,
        resource.changes.iter().map(|c| c.path.as_str()).collect(),
        resource.reason.as_deref(),
    )
}

async fn queue_url(emulator: &Emulator) -> String {
    emulator
        .sqs()
        .get_queue_url()
        .queue_name(NAME)
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("url")
}

async fn policy(emulator: &Emulator) -> Value {
    let attributes = emulator
        .sqs()
        .get_queue_attributes()
        .queue_url(queue_url(emulator).await)
        .attribute_names(QueueAttributeName::Policy)
        .send()
        .await
        .expect("attributes")
        .attributes
        .unwrap_or_default();
    serde_json::from_str(&attributes[&QueueAttributeName::Policy]).expect("policy JSON")
}

#[tokio::test]
async fn drift_of_the_queue_and_the_rule_is_named_fixed_and_gone() {
    let emulator = Emulator::start();
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let report = engine.apply(&aws, &engine.plan(&aws, &state).await).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let written = policy(&emulator).await;
    assert_eq!(
        written["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"],
        "arn:aws:events:eu-central-1:123456789012:rule/afu9-posture-events"
    );

    let sqs = emulator.sqs();
    let url = queue_url(&emulator).await;
    let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}]}"#;
    sqs.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::Policy, open)
        .attributes(QueueAttributeName::VisibilityTimeout, "999")
        .send()
        .await
        .expect("inject queue drift");
    let events = emulator.events();
    events
        .put_rule()
        .name(NAME)
        .event_pattern(r#"{"source":["aws.ecr"]}"#)
        .state(RuleState::Disabled)
        .send()
        .await
        .expect("inject rule drift");
    events
        .put_targets()
        .rule(NAME)
        .targets(
            Target::builder()
                .id("intruder")
                .arn("arn:aws:sqs:eu-central-1:123456789012:elsewhere")
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("inject a target");

    let plan = engine.plan(&aws, &state).await;
    let (action, paths, _) = source_plan(&plan);
    assert_eq!(action, Action::Update);
    assert_eq!(
        paths,
        [
            "queue.Policy",
            "queue.VisibilityTimeout",
            "rule.state",
            "rule.eventPattern",
            "rule.targets"
        ]
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(&aws, &state).await;
    assert!(!again.has_drift(), "{:?}", source_plan(&again));
    assert_eq!(policy(&emulator).await, written);

    // The same policy, written otherwise (keys reordered, indented): nothing to do.
    let pretty = serde_json::to_string_pretty(&written).expect("json");
    sqs.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::Policy, pretty)
        .send()
        .await
        .expect("rewrite");
    assert!(!engine.plan(&aws, &state).await.has_drift());
}

#[tokio::test]
async fn a_rule_someone_else_made_is_left_alone() {
    let emulator = Emulator::start();
    let events = emulator.events();
    events
        .put_rule()
        .name(NAME)
        .event_pattern(r#"{"source":["aws.s3"]}"#)
        .send()
        .await
        .expect("someone else's rule");
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let plan = engine.plan(&aws, &state).await;
    let (action, _, reason) = source_plan(&plan);
    assert_eq!(action, Action::Blocked);
    assert!(
        reason.is_some_and(|r| r.contains("not created by afu9-posture")),
        "{reason:?}"
    );
    engine.apply(&aws, &plan).await;
    let rule = events
        .describe_rule()
        .name(NAME)
        .send()
        .await
        .expect("rule");
    assert_eq!(rule.event_pattern(), Some(r#"{"source":["aws.s3"]}"#));
    assert!(
        emulator
            .sqs()
            .get_queue_url()
            .queue_name(NAME)
            .send()
            .await
            .is_err(),
        "a source that cannot be completed is not half created"
    );
}

#[tokio::test]
async fn a_steady_state_pass_reads_the_event_source_in_six_calls() {
    let emulator = Emulator::start();
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    engine.apply(&aws, &engine.plan(&aws, &state).await).await;

    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan(&counting, &state).await;
    assert!(!plan.has_drift(), "{plan:?}");
    let calls = counting.calls.by_operation();
    let source_calls: Vec<(&String, &u64)> = calls
        .iter()
        .filter(|(key, _)| !key.starts_with("ECR.") && !key.starts_with("STS."))
        .collect();
    assert_eq!(source_calls.len(), 6, "{calls:?}");
    assert!(
        source_calls.iter().all(|(_, count)| **count == 1),
        "{calls:?}"
    );
}
