//! `bench --storm N`: draining a backlog. `afu9ctl run` on the AFU-9 posture creates its
//! event source and is stopped; N forged events (CloudTrail-shaped, about the four
//! repositories, which are in fact in sync) are put straight into the queue. `afu9ctl run` is
//! started again; once it listens, one real drift is made (a repository's tags made mutable)
//! and its event sent behind the backlog. The
//! figures: the drain rate (N + 1 over the time from listening to the queue holding no
//! message), when the real drift was fixed (after its event was sent, and after the queue last
//! held a visible message, that is after its event was received), and afu9ctl's resident set
//! over the drain (`/proc/PID/status`, every 500 ms).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use afu9_e2e::cloudtrail_events::{SOMEONE_ELSE, envelope};
use afu9_e2e::{Emulator, free_port, http_get};
use aws_sdk_ecr::types::ImageTagMutability;
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use serde_json::{Value, json};

use crate::posture::Posture;

const REPOSITORIES: [&str; 4] = [
    "afu9/control-center",
    "afu9/mcp-github",
    "afu9/mcp-deploy",
    "afu9/mcp-observability",
];

struct Daemon(Child, u16);

impl Daemon {
    fn start(afu9ctl: &Path, emulator: &Emulator) -> Self {
        let port = free_port();
        let child = Command::new(afu9ctl)
            .env_clear()
            .envs(emulator.env())
            .args(["run", "-f"])
            .arg(Posture::Afu9.manifests(Path::new(".")))
            .args(["--interval", "10m", "--event-window", "1s", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start afu9ctl run");
        Self(child, port)
    }

    fn status(&self) -> Value {
        http_get(self.1, "/status")
            .and_then(|(_, body)| serde_json::from_str(&body).ok())
            .unwrap_or_default()
    }

    fn wait_listening(&self) {
        let started = Instant::now();
        while !self.status()["events"]["queue"].is_string() {
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "not listening"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// (visible, in flight) messages of the queue.
async fn queued(sqs: &aws_sdk_sqs::Client, url: &str) -> (u64, u64) {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("queue attributes")
        .attributes
        .unwrap_or_default();
    let count = |name| {
        attributes
            .get(&name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (
        count(QueueAttributeName::ApproximateNumberOfMessages),
        count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    )
}

async fn send(sqs: &aws_sdk_sqs::Client, url: &str, bodies: Vec<String>) {
    for chunk in bodies.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, body)| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .expect("entry")
            })
            .collect();
        sqs.send_message_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("SendMessageBatch");
    }
}

/// Runs the storm of `events` and prints the figures as Markdown.
pub fn run(afu9ctl: &Path, events: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let emulator = Emulator::start();
    runtime.block_on(Posture::Afu9.seed(&emulator));
    let first = Daemon::start(afu9ctl, &emulator);
    first.wait_listening();
    let url = first.status()["events"]["queue"]
        .as_str()
        .expect("queue")
        .to_owned();
    drop(first);
    // Its last long poll outlives it in the emulator (as in SQS) and would take the first
    // ten messages into flight for the queue's visibility timeout: let it end (20 s).
    std::thread::sleep(Duration::from_secs(21));
    let sqs = emulator.sqs();
    let forged: Vec<String> = (0..events)
        .map(|i| {
            envelope(
                "aws.ecr",
                "PutImageTagMutability",
                &json!({"repositoryName": REPOSITORIES[i % 4], "imageTagMutability": "MUTABLE"}),
                SOMEONE_ELSE,
            )
        })
        .collect();
    let sending = Instant::now();
    runtime.block_on(send(&sqs, &url, forged));
    eprintln!("{events} events sent in {:?}", sending.elapsed());
    let daemon = Daemon::start(afu9ctl, &emulator);
    daemon.wait_listening();
    let listening = Instant::now();
    // The real drift happens now, behind the backlog, and its event joins the queue's end
    // (before listening, the daemon's first pass would fix it without any event).
    let drifted = REPOSITORIES[1];
    runtime.block_on(async {
        emulator
            .ecr()
            .put_image_tag_mutability()
            .repository_name(drifted)
            .image_tag_mutability(ImageTagMutability::Mutable)
            .send()
            .await
            .expect("drift");
        let event = envelope(
            "aws.ecr",
            "PutImageTagMutability",
            &json!({"repositoryName": drifted, "imageTagMutability": "MUTABLE"}),
            SOMEONE_ELSE,
        );
        send(&sqs, &url, vec![event]).await;
    });
    let event_sent = Instant::now();
    let rss_start = daemon.rss_kib();
    let (mut rss_max, mut last_visible, mut fixed) = (rss_start, listening, None);
    loop {
        let ((visible, in_flight), mutability) = runtime.block_on(async {
            let queue = queued(&sqs, &url).await;
            let live = emulator
                .ecr()
                .describe_repositories()
                .repository_names(drifted)
                .send()
                .await
                .ok()
                .and_then(|r| r.repositories?.pop()?.image_tag_mutability);
            (queue, live)
        });
        rss_max = rss_max.max(daemon.rss_kib());
        if visible > 0 {
            last_visible = Instant::now();
        }
        if fixed.is_none() && mutability == Some(ImageTagMutability::Immutable) {
            fixed = Some(Instant::now());
        }
        if visible + in_flight == 0 && fixed.is_some() {
            break;
        }
        assert!(
            listening.elapsed() < Duration::from_secs(3600),
            "not drained within an hour"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let drained = listening.elapsed().as_secs_f64();
    let fixed = fixed.expect("fixed");
    let total = events + 1;
    println!(
        "| events | drained in | rate | real drift fixed after its event was sent | after its event was received (at most) | RSS start / max / end |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {total} | {drained:.1} s | {:.1} events/s | {:.1} s | {:.1} s | {} / {} / {} MiB |",
        f64::from(u32::try_from(total).unwrap_or(u32::MAX)) / drained,
        fixed.duration_since(event_sent).as_secs_f64(),
        fixed.saturating_duration_since(last_visible).as_secs_f64(),
        rss_start / 1024,
        rss_max / 1024,
        daemon.rss_kib() / 1024,
    );
}
