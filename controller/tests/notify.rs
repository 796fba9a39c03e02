//! Notifications from `afu9ctl run`: an SNS topic with an SQS subscription (moto delivers
//! SNS to SQS) and webhooks served on 127.0.0.1. A drift injected while `run` is up makes one
//! SNS message and one webhook call naming the resource, what changed and what was done; a
//! webhook that answers 500 or never answers delays no pass and is retried.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use afu9_e2e::{Emulator, free_port, http_get, repo_root};
use aws_sdk_ecr::types::ImageTagMutability;
use serde_json::Value;

const REPOSITORY: &str = "afu9/control-center";
/// A URL is a credential: this one must appear in no log line.
const URL_SECRET: &str = "hooks-secret-path-4f1c";

/// How a webhook answers.
#[derive(Clone, Copy, PartialEq)]
enum Answer {
    Ok,
    Error500,
    Hang,
}

/// A webhook on 127.0.0.1 recording each request's body and when it came.
struct Webhook {
    url: String,
    calls: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Webhook {
    fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/{URL_SECRET}",
            listener.local_addr().expect("addr")
        );
        let calls = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&calls);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let recorded = Arc::clone(&recorded);
                std::thread::spawn(move || serve(stream, answer, &recorded));
            }
        });
        Self { url, calls }
    }

    fn bodies(&self) -> Vec<Value> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| serde_json::from_str(body).expect("a JSON body"))
            .collect()
    }
}

fn serve(mut stream: std::net::TcpStream, answer: Answer, calls: &Mutex<Vec<(Instant, String)>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    calls
        .lock()
        .unwrap()
        .push((Instant::now(), String::from_utf8_lossy(&body).into_owned()));
    match answer {
        Answer::Ok => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
        Answer::Error500 => {
            let _ = stream.write_all(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        Answer::Hang => std::thread::sleep(Duration::from_secs(120)),
    }
}

/// A running `afu9ctl run`, killed when dropped.
struct Daemon {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Daemon {
    fn start(emulator: &Emulator, manifests: &Path, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let log = manifests.join("run.log");
        let child = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
            .env_clear()
            .envs(emulator.env())
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .args(["run", "-f"])
            .arg(manifests.join("desired-state"))
            .args(["--interval", "1s", "--reload-every", "200ms", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("cannot start afu9ctl run");
        Self { child, port, log }
    }

    fn status(&self) -> Value {
        http_get(self.port, "/status")
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or(Value::Null)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
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

/// An SNS topic with an SQS queue subscribed; returns the topic's ARN and the queue's URL.
async fn topic_with_queue(emulator: &Emulator) -> (String, String) {
    let sns = aws_sdk_sns::Client::new(&emulator.sdk_config());
    let topic = sns
        .create_topic()
        .name("afu9-notify-test")
        .send()
        .await
        .expect("topic");
    let topic = topic.topic_arn.expect("topic arn");
    let sqs = emulator.sqs();
    let queue = sqs
        .create_queue()
        .queue_name("afu9-notify-test")
        .send()
        .await
        .expect("queue");
    let queue_url = queue.queue_url.expect("queue url");
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue arn");
    let queue_arn = attributes.attributes.expect("attributes")
        [&aws_sdk_sqs::types::QueueAttributeName::QueueArn]
        .clone();
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(queue_arn)
        .send()
        .await
        .expect("subscribe");
    (topic, queue_url)
}

/// The SNS notifications delivered to the queue so far (subject, parsed message).
async fn delivered(emulator: &Emulator, queue_url: &str) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    loop {
        let received = emulator
            .sqs()
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("receive");
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return found;
        }
        for message in messages {
            let envelope: Value =
                serde_json::from_str(message.body().unwrap_or("")).expect("SNS envelope");
            let inner: Value = serde_json::from_str(envelope["Message"].as_str().unwrap_or(""))
                .expect("JSON message");
            found.push((envelope["Subject"].as_str().unwrap_or("").to_owned(), inner));
            emulator
                .sqs()
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(message.receipt_handle().unwrap_or(""))
                .send()
                .await
                .expect("delete");
        }
    }
}

/// A workspace with the AFU-9 ECR manifests and a Posture notifying `topic` and the
/// webhooks `(name, variable, format)`.
fn workspace(name: &str, topic: &str, webhooks: &[(&str, &str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("afu9-notify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("desired-state")).expect("dir");
    std::fs::copy(
        repo_root().join("desired-state/ecr.yaml"),
        dir.join("desired-state/ecr.yaml"),
    )
    .expect("copy");
    let hooks = webhooks
        .iter()
        .fold(String::new(), |mut out, (name, variable, format)| {
            let _ = writeln!(
                out,
                "      - {{name: {name}, urlEnv: {variable}, format: {format}}}"
            );
            out
        });
    std::fs::write(
        dir.join("desired-state/posture.yaml"),
        format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {{name: afu9}}\nspec:\n  region: eu-central-1\n  notifications:\n    sns: {{topic: \"{topic}\"}}\n    webhooks:\n{hooks}"
        ),
    )
    .expect("posture");
    dir
}

fn apply(emulator: &Emulator, dir: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .env_clear()
        .envs(emulator.env())
        .args(["apply", "-f"])
        .arg(dir.join("desired-state"))
        .output()
        .expect("apply");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn make_mutable(emulator: &Emulator) {
    emulator
        .ecr()
        .put_image_tag_mutability()
        .repository_name(REPOSITORY)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("inject drift");
}

/// Whether a message names the repository, the field that changed (live and wanted) and
/// what was done.
fn names_the_fix(message: &Value) -> bool {
    let resource = &message["resources"][0];
    message["event"] == "fixed"
        && resource["kind"] == "EcrRepository"
        && resource["name"] == REPOSITORY
        && resource["changes"][0]["live"] == "MUTABLE"
        && resource["changes"][0]["wanted"] == "IMMUTABLE"
        && resource["done"] == "fixed: PutImageTagMutability"
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drift_fixed_while_run_is_up_makes_one_sns_message_and_one_webhook_call() {
    let emulator = Emulator::start();
    let (topic, queue) = topic_with_queue(&emulator).await;
    let hook = Webhook::start(Answer::Ok);
    let dir = workspace(
        "one",
        &topic,
        &[
            ("team", "AFU9_TEST_WEBHOOK_URL", "slack"),
            ("siem", "AFU9_TEST_JSON_URL", "json"),
        ],
    );
    apply(&emulator, &dir);
    let json_hook = Webhook::start(Answer::Ok);
    let daemon = Daemon::start(
        &emulator,
        &dir,
        &[
            ("AFU9_TEST_WEBHOOK_URL", &hook.url),
            ("AFU9_TEST_JSON_URL", &json_hook.url),
        ],
    );
    assert!(
        wait_for(Duration::from_secs(30), || daemon.status()["passes"]
            .as_u64()
            >= Some(1)),
        "{}",
        daemon.log()
    );
    assert!(
        delivered(&emulator, &queue).await.is_empty(),
        "an account in sync tells nobody"
    );

    make_mutable(&emulator).await;
    let mut messages = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while messages.is_empty() && Instant::now() < deadline {
        messages = delivered(&emulator, &queue).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Later passes are in sync: nothing more comes.
    tokio::time::sleep(Duration::from_secs(3)).await;
    messages.extend(delivered(&emulator, &queue).await);
    assert_eq!(messages.len(), 1, "{messages:#?}\n{}", daemon.log());
    let (subject, message) = &messages[0];
    assert_eq!(
        subject,
        &format!("afu9-posture: drift fixed: EcrRepository/{REPOSITORY}")
    );
    assert!(names_the_fix(message), "{message:#}");
    assert_eq!(
        message["resources"][0]["changes"][0]["field"],
        "spec.tagMutability"
    );

    let calls = hook.bodies();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let text = calls[0]["blocks"].to_string();
    assert!(calls[0]["text"] == subject.as_str(), "{:#}", calls[0]);
    assert!(
        text.contains(REPOSITORY)
            && text.contains("MUTABLE")
            && text.contains("fixed: PutImageTagMutability"),
        "{text}"
    );
    let generic = json_hook.bodies();
    assert_eq!(generic.len(), 1, "{generic:#?}");
    assert!(names_the_fix(&generic[0]), "{:#}", generic[0]);
    assert!(
        !daemon.log().contains(URL_SECRET),
        "a webhook URL was logged"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_that_fails_or_hangs_delays_no_pass_and_is_retried() {
    let emulator = Emulator::start();
    let (topic, queue) = topic_with_queue(&emulator).await;
    let failing = Webhook::start(Answer::Error500);
    let hanging = Webhook::start(Answer::Hang);
    let dir = workspace(
        "slow",
        &topic,
        &[
            ("failing", "AFU9_TEST_FAILING_URL", "slack"),
            ("hanging", "AFU9_TEST_HANGING_URL", "json"),
        ],
    );
    apply(&emulator, &dir);
    let daemon = Daemon::start(
        &emulator,
        &dir,
        &[
            ("AFU9_TEST_FAILING_URL", &failing.url),
            ("AFU9_TEST_HANGING_URL", &hanging.url),
        ],
    );
    assert!(
        wait_for(Duration::from_secs(30), || daemon.status()["passes"]
            .as_u64()
            >= Some(1)),
        "{}",
        daemon.log()
    );
    make_mutable(&emulator).await;
    assert!(
        wait_for(Duration::from_secs(20), || !hanging
            .calls
            .lock()
            .unwrap()
            .is_empty()),
        "the hanging webhook was called: {}",
        daemon.log()
    );
    // While both webhooks fail, passes go on at their interval and as fast as before.
    let passes = daemon.status()["passes"].as_u64().expect("passes");
    let watched = Instant::now();
    let mut slowest: f64 = 0.0;
    while watched.elapsed() < Duration::from_secs(8) {
        let status = daemon.status();
        slowest = slowest.max(status["lastPass"]["seconds"].as_f64().unwrap_or(0.0));
        std::thread::sleep(Duration::from_millis(250));
    }
    let now = daemon.status()["passes"].as_u64().expect("passes");
    assert!(
        now >= passes + 5,
        "passes stalled: {passes} → {now} in 8 s\n{}",
        daemon.log()
    );
    assert!(slowest < 1.0, "a pass took {slowest} s");
    // Each is retried: the same message again (after the backoff, and the 5 s timeout for
    // the hanging one).
    assert!(
        wait_for(Duration::from_secs(15), || failing
            .calls
            .lock()
            .unwrap()
            .len()
            >= 2
            && hanging.calls.lock().unwrap().len() >= 2),
        "failing: {}, hanging: {}\n{}",
        failing.calls.lock().unwrap().len(),
        hanging.calls.lock().unwrap().len(),
        daemon.log()
    );
    let retried = failing.bodies();
    assert_eq!(retried[0], retried[1], "a retry sends the same message");
    let hung = hanging.bodies();
    assert!(names_the_fix(&hung[0]) && hung[0] == hung[1], "{hung:#?}");
    // The topic got its message regardless.
    let messages = delivered(&emulator, &queue).await;
    assert!(
        messages.iter().any(|(_, m)| names_the_fix(m)),
        "{messages:#?}"
    );
    assert!(daemon.log().contains("retrying"), "{}", daemon.log());
    assert!(
        !daemon.log().contains(URL_SECRET),
        "a webhook URL was logged"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
