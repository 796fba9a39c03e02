//! The queue's SQS calls: long-polled receives, a few at once while the queue has a backlog,
//! and batched deletes a few at once.

use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use futures_util::{StreamExt as _, stream};

use crate::aws::{Aws, AwsError, ErrorClass};

/// How many `DeleteMessageBatch` calls run at once.
const DELETERS: usize = 4;

/// How many receives run at once while the queue has a backlog.
pub(super) const RECEIVERS: usize = 4;

/// What one round of receives brought: the messages, the error of a poll that failed, and
/// whether the queue looks drained.
pub(super) struct Round {
    /// (receipt handle, body) of every message received.
    pub messages: Vec<(String, String)>,
    /// A poll's error; the other polls' messages are still in `messages` (they are in
    /// flight and must be sorted like any other).
    pub failed: Option<AwsError>,
    /// Every poll came back with fewer than ten messages, or one failed: one short poll among
    /// full ones is SQS sampling its servers, not an empty queue.
    pub drained: bool,
}

/// One round of receives: `receivers` long polls at once (one when the queue was drained,
/// [`RECEIVERS`] while it has a backlog).
pub(super) async fn receive_round(aws: &Aws, url: &str, wait: u64, receivers: usize) -> Round {
    let polls = (0..receivers.max(1)).map(|_| receive(aws, url, wait));
    let mut round = Round {
        messages: Vec::new(),
        failed: None,
        drained: true,
    };
    let mut every_poll_short = true;
    for result in futures_util::future::join_all(polls).await {
        match result {
            Ok(received) => {
                every_poll_short &= received.len() < 10;
                round.messages.extend(received);
            }
            Err(err) => round.failed = Some(err),
        }
    }
    round.drained = every_poll_short || round.failed.is_some();
    round
}

/// Up to ten messages, waiting up to `wait` seconds for the first: (receipt handle, body).
async fn receive(aws: &Aws, url: &str, wait: u64) -> Result<Vec<(String, String)>, AwsError> {
    let output = aws
        .sqs()
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(i32::try_from(wait).unwrap_or(20))
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(format!("receive events from {url}"), "ReceiveMessage", &err)
        })?;
    Ok(output
        .messages
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| Some((m.receipt_handle?, m.body.unwrap_or_default())))
        .collect())
}

/// Deletes the messages `handles`, ten a call, [`DELETERS`] calls at once. Every call is made
/// even when one fails; the error names how many messages were not deleted and why (they come
/// back after the queue's visibility timeout).
pub(super) async fn delete(aws: &Aws, url: &str, handles: Vec<String>) -> Result<(), AwsError> {
    let calls: Vec<_> = handles
        .chunks(10)
        .map(|chunk| delete_ten(aws, url, chunk.to_vec()))
        .collect();
    let results: Vec<Result<(), (usize, AwsError)>> = stream::iter(calls)
        .buffer_unordered(DELETERS)
        .collect()
        .await;
    let mut left = 0;
    let mut cause = None;
    for (count, err) in results.into_iter().filter_map(Result::err) {
        left += count;
        cause = Some(err);
    }
    match cause {
        None => Ok(()),
        Some(err) => Err(AwsError::new(
            format!("delete events from {url}"),
            "DeleteMessageBatch",
            err.class,
            format!("{left} messages not deleted; the last cause: {err}"),
        )),
    }
}

/// One `DeleteMessageBatch` of up to ten messages; on failure, how many were not deleted.
async fn delete_ten(aws: &Aws, url: &str, handles: Vec<String>) -> Result<(), (usize, AwsError)> {
    let entries = handles
        .iter()
        .enumerate()
        .filter_map(|(index, handle)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(index.to_string())
                .receipt_handle(handle)
                .build()
                .ok()
        })
        .collect();
    let output = aws
        .sqs()
        .delete_message_batch()
        .queue_url(url)
        .set_entries(Some(entries))
        .send()
        .await
        .map_err(|err| {
            let err = AwsError::from_sdk(
                format!("delete events from {url}"),
                "DeleteMessageBatch",
                &err,
            );
            (handles.len(), err)
        })?;
    let failed = output.failed();
    match failed.first() {
        None => Ok(()),
        Some(first) => Err((
            failed.len(),
            AwsError::new(
                format!("delete events from {url}"),
                "DeleteMessageBatch",
                if first.sender_fault {
                    ErrorClass::Terminal
                } else {
                    ErrorClass::Transient
                },
                first.message.clone().unwrap_or_default(),
            )
            .with_code(first.code.clone()),
        )),
    }
}
