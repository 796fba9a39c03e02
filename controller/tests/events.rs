//! Event-driven reconcile, end to end against the emulator with a 10-minute interval (so
//! nothing here is fixed by a periodic pass): the first pass creates the event source's
//! queue and rule; a change made out of band and its CloudTrail event are then fixed within
//! seconds by a targeted reconcile; the controller's own writes, malformed, unknown and
//! failed-call events cause none; a storm is coalesced; a message whose reconcile failed
//! comes back and is processed later.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::kinds;
use afu9_e2e::cloudtrail_events::{SOMEONE_ELSE, envelope, put};
use afu9_e2e::fault_proxy::{FaultConfig, FaultProxy};
use afu9_e2e::{Emulator, env_for, free_port, http_get, repo_root};
use aws_sdk_ecr::types::ImageTagMutability;
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use serde_json::{Value, json};

const QUEUE: &str = "afu9-posture-events";

/// A running `afu9ctl run` with a 10-minute interval, killed when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(endpoint: &str, manifests: &Path, window: &str) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(env_for(endpoint))
            .args(["run", "-f"])
            .arg(manifests)
            .args(["--interval", "10m", "--event-window", window, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start afu9ctl run");
        let daemon = Self { child, port };
        let ready = wait_for(Duration::from_secs(60), || {
            http_get(port, "/readyz").is_some_and(|(code, _)| code == 200)
                && daemon.status()["events"]["queue"].is_string()
        });
        assert!(ready, "not ready or not listening: {}", daemon.status());
        daemon
    }

    fn status(&self) -> Value {
        http_get(self.port, "/status")
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or_default()
    }

    fn metrics(&self) -> String {
        http_get(self.port, "/metrics")
            .map(|(_, body)| body)
            .unwrap_or_default()
    }

    /// The value of the metric line that starts with `prefix` (0 when absent).
    fn metric(&self, prefix: &str) -> u64 {
        self.metrics()
            .lines()
            .filter(|line| line.starts_with(prefix))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    fn event_passes(&self) -> u64 {
        self.status()["events"]["passes"].as_u64().unwrap_or(0)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

/// The posture, `repositories` ECR repositories and the event source (its visibility
/// timeout short, so that a failed reconcile's event comes back within the test).
fn manifests(name: &str, repositories: usize, visibility_timeout: u32) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-events-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::copy(
        repo_root().join("desired-state/posture.yaml"),
        dir.join("posture.yaml"),
    )
    .expect("copy");
    let repository = |index| {
        format!(
            "---\napiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {{name: app/repo-{index}}}\nspec: {{scanOnPush: true, tagMutability: IMMUTABLE}}\n"
        )
    };
    let source = format!(
        "---\napiVersion: posture.afu9.io/v1alpha1\nkind: EventSource\nmetadata: {{name: {QUEUE}}}\nspec: {{visibilityTimeoutSeconds: {visibility_timeout}}}\n"
    );
    let text: Vec<String> = (0..repositories).map(repository).chain([source]).collect();
    std::fs::write(dir.join("resources.yaml"), text.concat()).expect("write");
    dir
}

async fn mutability(emulator: &Emulator, name: &str) -> Option<ImageTagMutability> {
    emulator
        .ecr()
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .ok()?
        .repositories?
        .pop()?
        .image_tag_mutability
}

async fn make_mutable(emulator: &Emulator, name: &str) {
    emulator
        .ecr()
        .put_image_tag_mutability()
        .repository_name(name)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("inject drift");
}

/// The event CloudTrail records for that change, by `principal`.
fn mutability_event(name: &str, principal: &str) -> (&'static str, &'static str, Value, String) {
    (
        "aws.ecr",
        "PutImageTagMutability",
        json!({"repositoryName": name, "imageTagMutability": "MUTABLE"}),
        principal.to_owned(),
    )
}

async fn put_events(emulator: &Emulator, events: &[(&'static str, &'static str, Value, String)]) {
    let entries: Vec<(&str, &str, Value, &str)> = events
        .iter()
        .map(|(s, n, r, p)| (*s, *n, r.clone(), p.as_str()))
        .collect();
    put(&emulator.events(), &entries).await;
}

async fn wait_immutable(emulator: &Emulator, name: &str, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if mutability(emulator, name).await == Some(ImageTagMutability::Immutable) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

async fn queue_url(emulator: &Emulator) -> String {
    emulator
        .sqs()
        .get_queue_url()
        .queue_name(QUEUE)
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("url")
}

/// Messages in the queue, visible or received and not yet deleted.
async fn queued(emulator: &Emulator) -> u64 {
    let sqs = emulator.sqs();
    let url = queue_url(emulator).await;
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("attributes")
        .attributes
        .unwrap_or_default();
    attributes
        .values()
        .filter_map(|v| v.parse::<u64>().ok())
        .sum()
}

async fn own_arn(emulator: &Emulator) -> String {
    aws_sdk_sts::Client::new(&emulator.sdk_config())
        .get_caller_identity()
        .send()
        .await
        .expect("identity")
        .arn
        .expect("arn")
}

/// The AWS calls of a full pass over `dir` after the daemon's first pass converged it.
async fn steady_state_pass_calls(emulator: &Emulator, dir: &Path) -> u64 {
    let state = afu9_spec::load_paths(&[dir.to_path_buf()]).expect("valid manifests");
    let aws = Aws::from_config(&emulator.sdk_config());
    let plan = Engine::new(kinds::standard()).plan(&aws, &state).await;
    assert!(!plan.has_errors(), "{plan:?}");
    aws.calls.total()
}

#[tokio::test]
async fn an_out_of_band_change_is_fixed_seconds_after_its_event_by_a_targeted_reconcile() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    let dir = repo_root().join("desired-state");
    let daemon = Daemon::start(&emulator.endpoint(), &dir, "1s");
    let full_pass_calls = steady_state_pass_calls(&emulator, &dir).await;

    // The first pass set up the rule: CloudTrail's ECR write events, to the queue.
    let rule = emulator
        .events()
        .describe_rule()
        .name(QUEUE)
        .send()
        .await
        .expect("the rule exists");
    let pattern: Value =
        serde_json::from_str(rule.event_pattern().expect("pattern")).expect("json");
    assert!(
        pattern["detail"]["eventName"]
            .as_array()
            .is_some_and(|names| names.contains(&json!("PutImageTagMutability")))
    );

    make_mutable(&emulator, "afu9/control-center").await;
    put_events(
        &emulator,
        &[mutability_event("afu9/control-center", SOMEONE_ELSE)],
    )
    .await;
    let fixed = wait_immutable(&emulator, "afu9/control-center", Duration::from_secs(15))
        .await
        .expect("the drift was not fixed by the event (the interval is 10 minutes)");
    eprintln!("fixed {fixed:?} after its event; a full pass made {full_pass_calls} calls");
    assert!(fixed < Duration::from_secs(10), "{fixed:?}");

    assert!(wait_for(Duration::from_secs(5), || daemon.event_passes() == 1));
    let status = daemon.status();
    let targeted = &status["events"]["lastPass"];
    assert_eq!(targeted["resources"], 1, "{targeted}");
    assert_eq!(targeted["changed"], 1, "{targeted}");
    let targeted_calls = targeted["calls"].as_u64().expect("calls");
    eprintln!("the targeted reconcile made {targeted_calls} calls");
    assert!(
        targeted_calls * 5 <= full_pass_calls,
        "a targeted reconcile ({targeted_calls} calls) is not a small fraction of a full pass ({full_pass_calls})"
    );
    let resource = status["resources"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["name"] == "afu9/control-center"))
        .expect("status of afu9/control-center");
    assert_eq!(resource["lastEvent"]["name"], "PutImageTagMutability");
    assert_eq!(resource["lastEvent"]["principal"], SOMEONE_ELSE);
    assert_eq!(daemon.metric("afu9_event_to_converged_seconds_count"), 1);
    assert_eq!(daemon.metric("afu9_events_total{outcome=\"matched\"}"), 1);

    // The controller's own fix is itself a PutImageTagMutability event: ignored.
    let me = own_arn(&emulator).await;
    put_events(&emulator, &[mutability_event("afu9/control-center", &me)]).await;
    assert!(
        wait_for(Duration::from_secs(10), || {
            daemon.metric("afu9_events_total{outcome=\"own_write\"}") == 1
        }),
        "{}",
        daemon.metrics()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(daemon.event_passes(), 1, "its own write caused a reconcile");
    assert_eq!(queued(&emulator).await, 0, "every message is deleted");
}

#[tokio::test]
async fn a_storm_of_1000_events_on_10_resources_is_coalesced() {
    let emulator = Emulator::start();
    let posture = manifests("storm", 10, 900);
    // The first run creates the queue and stops; the storm is queued before the next run
    // listens, so that it meets a backlog (while events trickle in, a controller that keeps
    // up reconciles once a window, as it should).
    drop(Daemon::start(&emulator.endpoint(), &posture, "3s"));
    // Its last long poll outlives it in the emulator (as in SQS) and would take the first
    // ten messages into flight for the queue's whole visibility timeout: let it end (20 s).
    tokio::time::sleep(Duration::from_secs(21)).await;
    for index in [1, 7] {
        make_mutable(&emulator, &format!("app/repo-{index}")).await;
    }
    // Straight into the queue, as EventBridge delivers them: moto's PutEvents takes
    // about 30 ms an event, too slow to make a storm (its SendMessageBatch is not fast
    // either: about 20 s for the 1000).
    let sqs = emulator.sqs();
    let url = queue_url(&emulator).await;
    let started = Instant::now();
    for chunk in 0..100 {
        let entries = (0..10)
            .map(|i| {
                let repository = format!("app/repo-{}", (chunk * 10 + i) % 10);
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(envelope(
                        "aws.ecr",
                        "PutImageTagMutability",
                        &json!({"repositoryName": repository, "imageTagMutability": "MUTABLE"}),
                        SOMEONE_ELSE,
                    ))
                    .build()
                    .expect("entry")
            })
            .collect();
        sqs.send_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("SendMessageBatch");
    }
    eprintln!("1000 events sent in {:?}", started.elapsed());
    let daemon = Daemon::start(&emulator.endpoint(), &posture, "3s");
    // moto's SQS reads every message of the queue on each call: draining 1000 takes minutes.
    let drained = wait_for(Duration::from_secs(400), || {
        daemon.metric("afu9_event_to_converged_seconds_count") == 1000 && daemon.event_passes() >= 1
    });
    assert!(drained, "{}", daemon.metrics());
    assert_eq!(
        daemon.metric("afu9_events_total{outcome=\"matched\"}"),
        1000
    );
    let reconciles = daemon.metric("afu9_event_reconciles_total");
    let passes = daemon.event_passes();
    eprintln!("1000 events: {passes} event reconciles, {reconciles} resource reconciles");
    assert!(
        (10..=20).contains(&reconciles),
        "1000 events on 10 resources made {reconciles} resource reconciles"
    );
    assert_eq!(
        reconciles,
        10 * passes,
        "each reconcile covers the 10 resources"
    );
    for index in [1, 7] {
        assert_eq!(
            mutability(&emulator, &format!("app/repo-{index}")).await,
            Some(ImageTagMutability::Immutable)
        );
    }
    // A batch's messages are deleted once it is settled, just after its metrics: wait for
    // the last deletes.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut left = queued(&emulator).await;
    while left > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        left = queued(&emulator).await;
    }
    assert_eq!(left, 0, "every settled message is deleted");
}

#[tokio::test]
async fn malformed_unknown_and_failed_call_events_are_dropped_and_counted() {
    let emulator = Emulator::start();
    let daemon = Daemon::start(&emulator.endpoint(), &manifests("drop", 2, 60), "1s");
    let sqs = emulator.sqs();
    let url = queue_url(&emulator).await;
    for body in [
        "not json",
        "{}",
        r#"{"detail-type": "AWS API Call via CloudTrail", "source": "aws.ecr", "detail": {}}"#,
    ] {
        sqs.send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .expect("send");
    }
    put_events(
        &emulator,
        &[mutability_event("someone-elses/repository", SOMEONE_ELSE)],
    )
    .await;
    // A refused call: CloudTrail records it with an errorCode; it changed nothing.
    let detail = {
        let mut detail = afu9_e2e::cloudtrail_events::detail(
            "aws.ecr",
            "PutImageTagMutability",
            &json!({"repositoryName": "app/repo-0"}),
            SOMEONE_ELSE,
        );
        detail["errorCode"] = json!("AccessDenied");
        detail
    };
    emulator
        .events()
        .put_events()
        .entries(
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .source("aws.ecr")
                .detail_type("AWS API Call via CloudTrail")
                .detail(detail.to_string())
                .build(),
        )
        .send()
        .await
        .expect("PutEvents");
    let counted = wait_for(Duration::from_secs(15), || {
        daemon.metric("afu9_events_total{outcome=\"malformed\"}") == 3
            && daemon.metric("afu9_events_total{outcome=\"unknown\"}") == 1
            && daemon.metric("afu9_events_total{outcome=\"failed_call\"}") == 1
    });
    assert!(counted, "{}", daemon.metrics());
    assert_eq!(daemon.metric("afu9_events_total{outcome=\"matched\"}"), 0);
    assert_eq!(
        daemon.event_passes(),
        0,
        "no event touched a managed resource"
    );
    assert_eq!(queued(&emulator).await, 0, "dropped messages are deleted");
    assert!(http_get(daemon.port, "/healthz").is_some_and(|(code, _)| code == 200));
}

#[tokio::test]
async fn a_message_is_not_lost_when_its_reconcile_fails() {
    let emulator = Emulator::start();
    let proxy = FaultProxy::start(emulator.port(), 17);
    let daemon = Daemon::start(&proxy.endpoint(), &manifests("retry", 2, 3), "1s");

    proxy.configure(FaultConfig {
        deny_services: vec!["ecr".to_owned()],
        ..FaultConfig::default()
    });
    make_mutable(&emulator, "app/repo-1").await;
    put_events(&emulator, &[mutability_event("app/repo-1", SOMEONE_ELSE)]).await;
    let failed = wait_for(Duration::from_secs(15), || {
        daemon.status()["events"]["lastPass"]["errors"].as_u64() == Some(1)
    });
    assert!(failed, "{}", daemon.status());
    assert_eq!(
        queued(&emulator).await,
        1,
        "the message is kept for another try"
    );
    assert_eq!(
        mutability(&emulator, "app/repo-1").await,
        Some(ImageTagMutability::Mutable)
    );

    proxy.configure(FaultConfig::default());
    let fixed = wait_immutable(&emulator, "app/repo-1", Duration::from_secs(20)).await;
    assert!(
        fixed.is_some(),
        "the event did not come back after its visibility timeout: {}",
        daemon.status()
    );
    assert!(wait_for(Duration::from_secs(5), || {
        daemon.status()["events"]["lastPass"]["errors"].as_u64() == Some(0)
    }));
    assert!(daemon.event_passes() >= 2);
    assert_eq!(
        daemon.status()["passes"],
        1,
        "fixed by the event, not by a pass"
    );
    assert_eq!(queued(&emulator).await, 0);
}
