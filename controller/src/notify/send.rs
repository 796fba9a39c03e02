//! Sending notices off the reconcile's path: a bounded queue to a dispatcher task, and one
//! worker per target (so a hanging webhook holds up neither the topic nor another webhook),
//! each sending in order, at most one message per `gap`, retrying with exponential backoff.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use afu9_spec::notifications::WebhookFormat;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{Notice, Targets, json_message, slack_body, subject};
use crate::aws::{AwsError, ErrorClass};

/// How notices are sent.
#[derive(Debug, Clone, Copy)]
pub struct SendPolicy {
    /// Tries per message, the first included.
    pub attempts: u32,
    /// The wait before the second try; doubled before each next one.
    pub first_backoff: Duration,
    /// How long one try may take before it counts as failed.
    pub timeout: Duration,
    /// The least time between two messages to one target.
    pub gap: Duration,
    /// Passes waiting to be sent, and messages waiting per target, before more are dropped.
    pub queue: usize,
}

impl Default for SendPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(5),
            gap: Duration::from_secs(1),
            queue: 32,
        }
    }
}

/// One pass's notices and where they go.
struct Batch {
    targets: Arc<Targets>,
    notices: Vec<Notice>,
}

/// One message to one target.
enum Job {
    Sns {
        topic: String,
        subject: String,
        message: String,
    },
    Webhook {
        url: String,
        body: String,
    },
}

/// The sending side: [`Notifier::send`] never waits.
pub struct Notifier {
    queue: mpsc::Sender<Batch>,
    dispatcher: JoinHandle<()>,
}

impl Notifier {
    /// Starts the dispatcher, publishing to SNS with `sns`. Needs a Tokio runtime.
    pub fn start(sns: aws_sdk_sns::Client, policy: SendPolicy) -> Self {
        let (queue, batches) = mpsc::channel(policy.queue.max(1));
        let dispatcher = tokio::spawn(dispatch(batches, sns, policy));
        Self { queue, dispatcher }
    }

    /// Queues a pass's notices for `targets`; when the queue is full they are dropped and
    /// logged, so the reconcile never waits for a target.
    pub fn send(&self, targets: Arc<Targets>, notices: Vec<Notice>) {
        if notices.is_empty() || targets.is_empty() {
            return;
        }
        let count = notices.len();
        if self.queue.try_send(Batch { targets, notices }).is_err() {
            tracing::warn!(
                notices = count,
                "notifications dropped: the queue is full (targets are slow or failing)"
            );
        }
    }

    /// Sends what is queued, retries included, and stops (`apply --notify`).
    pub async fn finish(self) {
        drop(self.queue);
        let _ = self.dispatcher.await;
    }
}

async fn dispatch(
    mut batches: mpsc::Receiver<Batch>,
    sns: aws_sdk_sns::Client,
    policy: SendPolicy,
) {
    let http = http_client();
    let mut workers: HashMap<String, (mpsc::Sender<Job>, JoinHandle<()>)> = HashMap::new();
    while let Some(batch) = batches.recv().await {
        for notice in &batch.notices {
            let mut jobs = Vec::new();
            if let Some(topic) = &batch.targets.sns_topic {
                jobs.push((
                    format!("sns:{topic}"),
                    Job::Sns {
                        topic: topic.clone(),
                        subject: subject(notice),
                        message: json_message(notice),
                    },
                ));
            }
            for webhook in &batch.targets.webhooks {
                let body = match webhook.format {
                    WebhookFormat::Slack => slack_body(notice),
                    WebhookFormat::Json => json_message(notice),
                };
                jobs.push((
                    format!("webhook:{}", webhook.name),
                    Job::Webhook {
                        url: webhook.url().to_owned(),
                        body,
                    },
                ));
            }
            for (target, job) in jobs {
                let (worker, _) = workers.entry(target.clone()).or_insert_with(|| {
                    let (tx, rx) = mpsc::channel(policy.queue.max(1));
                    let handle =
                        tokio::spawn(work(target.clone(), rx, sns.clone(), http.clone(), policy));
                    (tx, handle)
                });
                if worker.try_send(job).is_err() {
                    tracing::warn!(%target, event = notice.event.as_str(), "notification dropped: the target's queue is full");
                }
            }
        }
    }
    for (_, (worker, handle)) in workers {
        drop(worker);
        let _ = handle.await;
    }
}

type Http = Client<HttpsConnector<HttpConnector>, Body>;

/// The webhooks' client (HTTPS with the system's roots and the SDK's crypto provider; plain
/// HTTP for a local endpoint), or none when the system has no root certificates.
fn http_client() -> Option<Http> {
    use hyper_rustls::ConfigBuilderExt;
    let roots = match rustls::ClientConfig::builder().with_native_roots() {
        Ok(roots) => roots,
        Err(err) => {
            tracing::error!("webhooks disabled: no TLS root certificates: {err}");
            return None;
        }
    };
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(roots.with_no_client_auth())
        .https_or_http()
        .enable_http1()
        .build();
    Some(Client::builder(TokioExecutor::new()).build(connector))
}

/// One target's worker: its messages in order, spaced by `gap`, each retried.
async fn work(
    target: String,
    mut jobs: mpsc::Receiver<Job>,
    sns: aws_sdk_sns::Client,
    http: Option<Http>,
    policy: SendPolicy,
) {
    let mut last: Option<tokio::time::Instant> = None;
    while let Some(job) = jobs.recv().await {
        if let Some(last) = last {
            tokio::time::sleep_until(last + policy.gap).await;
        }
        let mut backoff = policy.first_backoff;
        for attempt in 1..=policy.attempts {
            let tried = tokio::time::timeout(policy.timeout, send(&job, &sns, http.as_ref())).await;
            let outcome = tried.unwrap_or(Err(Failure::retry("no answer in time")));
            match outcome {
                Ok(()) => {
                    tracing::info!(%target, attempt, "notification sent");
                    break;
                }
                Err(Failure { retry, why }) if retry && attempt < policy.attempts => {
                    tracing::warn!(%target, attempt, "notification not sent ({why}); retrying in {backoff:?}");
                    let jitter = backoff.mul_f64(0.2 * fastrand::f64());
                    tokio::time::sleep(backoff + jitter).await;
                    backoff *= 2;
                }
                Err(Failure { why, .. }) => {
                    tracing::error!(%target, attempt, "notification not sent ({why}); giving up");
                    break;
                }
            }
        }
        last = Some(tokio::time::Instant::now());
    }
}

/// Why a try failed, in our own words (a webhook's error could carry its URL), and whether
/// another try may succeed.
struct Failure {
    retry: bool,
    why: String,
}

impl Failure {
    fn retry(why: impl Into<String>) -> Self {
        Self {
            retry: true,
            why: why.into(),
        }
    }
}

async fn send(job: &Job, sns: &aws_sdk_sns::Client, http: Option<&Http>) -> Result<(), Failure> {
    match job {
        Job::Sns {
            topic,
            subject,
            message,
        } => sns
            .publish()
            .topic_arn(topic)
            .subject(subject)
            .message(message)
            .send()
            .await
            .map(drop)
            .map_err(|err| {
                let err = AwsError::from_sdk("notify", "Publish", &err);
                Failure {
                    retry: err.class != ErrorClass::Terminal,
                    why: err.to_string(),
                }
            }),
        Job::Webhook { url, body } => {
            let Some(http) = http else {
                return Err(Failure {
                    retry: false,
                    why: "no HTTP client".to_owned(),
                });
            };
            let request = Request::post(url.as_str())
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.clone()))
                .map_err(|_| Failure {
                    retry: false,
                    why: "the URL is not valid".to_owned(),
                })?;
            let response = http
                .request(request)
                .await
                .map_err(|_| Failure::retry("the request failed (connection)"))?;
            let status = response.status();
            if status.is_success() {
                Ok(())
            } else {
                Err(Failure {
                    retry: status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
                    why: format!("the webhook answered {status}"),
                })
            }
        }
    }
}
