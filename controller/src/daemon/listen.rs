//! The queue side of event-driven reconcile: finding the queue the `EventSource` names,
//! long-polling it, sorting each message (matched, the controller's own write, a failed
//! call, unknown, malformed), and deleting a message only once the reconcile of every
//! resource it touched finished. A message whose reconcile failed is left alone: SQS
//! delivers it again after its visibility timeout.

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime};

use afu9_spec::DesiredState;
use tokio_util::sync::CancellationToken;

mod queue_calls;

use queue_calls::{RECEIVERS, Round, delete, receive_round};

use super::hold::Held;
use super::shared::Shared;
use super::status::{LastEvent, now_rfc3339, rfc3339};
use crate::aws::Aws;
use crate::engine::{ApplyReport, Engine};
use crate::events::{Batch, CloudTrailEvent, EventKey, Principal, Target};
use crate::kinds::event_source::queue_url;
use crate::plan::{Action, EventOrigin, Plan, ResourcePlan};

/// SQS's longest long poll.
const LONGEST_POLL: Duration = Duration::from_secs(20);
/// How long to wait after the queue could not be read before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// One message as the batch keeps it: how to delete it and what its event was.
#[derive(Debug)]
pub(super) struct Received {
    handle: String,
    summary: Summary,
}

/// What `/status` shows of the event that touched a resource.
#[derive(Debug, Clone)]
struct Summary {
    name: String,
    principal: Option<String>,
    time: Option<SystemTime>,
    origin: EventOrigin,
}

/// The queue the loop listens to and the events received but not yet reconciled.
pub(super) struct Listener {
    /// How long a batch stays open after its first event.
    window: Duration,
    queue: Option<(String, String)>,
    principal: Option<Principal>,
    batch: Batch<Received>,
    failing_since: Option<Instant>,
    /// Whether the queue was looked up since the last full pass (which may create it).
    looked_up: bool,
    /// Whether the last round emptied the queue (every poll returned fewer than ten messages).
    drained: bool,
    /// The longest a batch is held: half the queue's visibility timeout, so that its
    /// messages are settled before SQS would deliver them again.
    hold_limit: Duration,
}

impl Listener {
    /// A listener whose batches stay open for `window`.
    pub(super) fn new(window: Duration) -> Self {
        Self {
            window,
            queue: None,
            principal: None,
            batch: Batch::default(),
            failing_since: None,
            looked_up: false,
            drained: true,
            hold_limit: window,
        }
    }

    /// After a full pass: the queue may exist now.
    pub(super) fn look_again(&mut self) {
        self.looked_up = false;
    }

    /// Finds the queue of `state`'s event source (once it exists) and the controller's
    /// principal; returns whether there is a queue to listen to.
    pub(super) async fn prepare(
        &mut self,
        aws: &Aws,
        state: &DesiredState,
        shared: &Shared,
    ) -> bool {
        let Some(source) = state.event_sources.first() else {
            self.queue = None;
            return false;
        };
        if self
            .queue
            .as_ref()
            .is_some_and(|(name, _)| name == source.name())
        {
            return true;
        }
        if self.looked_up {
            return false;
        }
        self.looked_up = true;
        if self.principal.is_none() {
            match aws.identity().await {
                Ok(identity) => self.principal = Some(Principal::from_caller_arn(&identity.arn)),
                Err(err) => {
                    tracing::warn!("not listening for events yet: {err}");
                    return false;
                }
            }
        }
        match queue_url(aws.sqs(), source.name()).await {
            Ok(Some(url)) => {
                tracing::info!(queue = %url, "listening for events");
                let visibility = Duration::from_secs(source.spec.visibility_timeout_seconds.into());
                self.hold_limit = (visibility / 2).max(self.window);
                if visibility <= self.window * 2 {
                    tracing::warn!(
                        "the queue's visibility timeout ({visibility:?}) is not well above --event-window ({:?}): events may be delivered again while their reconcile waits",
                        self.window
                    );
                }
                shared.update_health(|h| h.listening = Some(url.clone()));
                self.queue = Some((source.name().to_owned(), url));
                true
            }
            Ok(None) => false,
            Err(err) => {
                tracing::warn!("not listening for events yet: {err}");
                false
            }
        }
    }

    /// When the open batch is due for its reconcile: `window` after its first event once
    /// the queue is drained (a storm is coalesced for as long as it lasts), and at the
    /// latest after the hold limit.
    pub(super) fn due(&self) -> Option<Instant> {
        let opened = self.batch.opened()?;
        Some(if self.drained {
            opened + self.window
        } else {
            opened + self.hold_limit
        })
    }

    /// Receives messages until `until` or until the open batch is due, whichever is first;
    /// each is sorted into the batch or deleted at once.
    pub(super) async fn listen(
        &mut self,
        aws: &Aws,
        engine: &Engine,
        state: &DesiredState,
        until: Instant,
        shared: &Shared,
        shutdown: &CancellationToken,
    ) {
        let Some((_, url)) = self.queue.clone() else {
            return;
        };
        loop {
            let deadline = self.due().map_or(until, |due| due.min(until));
            let now = Instant::now();
            if now >= deadline || shutdown.is_cancelled() {
                return;
            }
            if self
                .failing_since
                .is_some_and(|since| now < since + RETRY_AFTER)
            {
                tokio::select! {
                    () = tokio::time::sleep_until(deadline.min(now + RETRY_AFTER).into()) => {}
                    () = shutdown.cancelled() => {}
                }
                continue;
            }
            // A whole second at most so that a poll never outlives the deadline; a partial
            // one polls without waiting.
            let wait = (deadline - now).min(LONGEST_POLL).as_secs();
            // A backlog is drained by several receives at once; a drained queue by one poll.
            let receivers = if self.drained { 1 } else { RECEIVERS };
            let Round {
                messages,
                failed,
                drained,
            } = tokio::select! {
                round = receive_round(aws, &url, wait, receivers) => round,
                // The messages of a poll cut short come back after their visibility timeout.
                () = shutdown.cancelled() => return,
            };
            let mut dropped = Vec::new();
            for (handle, body) in messages {
                dropped.extend(self.sort(engine, state, handle, &body, shared));
            }
            if let Err(err) = delete(aws, &url, dropped).await {
                tracing::warn!("{err}");
            }
            match failed {
                None => {
                    self.failing_since = None;
                    self.drained = drained;
                }
                Some(err) => {
                    tracing::warn!("{err}; retrying in {RETRY_AFTER:?}");
                    shared.metrics(|m| m.error("events_receive"));
                    self.failing_since = Some(Instant::now());
                    self.drained = true;
                    if err.is_code("AWS.SimpleQueueService.NonExistentQueue")
                        || err.is_code("QueueDoesNotExist")
                    {
                        self.queue = None;
                        shared.update_health(|h| h.listening = None);
                        return;
                    }
                }
            }
            if wait == 0 && self.batch.is_empty() {
                tokio::select! {
                    () = tokio::time::sleep_until(deadline.into()) => {}
                    () = shutdown.cancelled() => {}
                }
            }
        }
    }

    /// Puts a message in the batch when it touches a managed resource; otherwise returns
    /// its handle, to be deleted.
    fn sort(
        &mut self,
        engine: &Engine,
        state: &DesiredState,
        handle: String,
        body: &str,
        shared: &Shared,
    ) -> Option<String> {
        let outcome = match CloudTrailEvent::parse(body) {
            Err(err) => {
                tracing::warn!("{err}; dropped");
                "malformed"
            }
            Ok(event) => {
                let targets: Vec<Target> = engine
                    .route(&event)
                    .into_iter()
                    .filter(|target| engine.manages(state, target))
                    .collect();
                if self.principal.as_ref().is_some_and(|me| me.made(&event)) {
                    "own_write"
                } else if event.error_code().is_some() {
                    "failed_call"
                } else if targets.is_empty() {
                    tracing::debug!(source = %event.source, event = %event.name, "an event about no managed resource; dropped");
                    "unknown"
                } else {
                    tracing::debug!(source = %event.source, event = %event.name, resources = ?targets, "event");
                    let summary = Summary {
                        name: event.name.clone(),
                        principal: crate::events::string_at(
                            &event.detail,
                            &["userIdentity", "arn"],
                        )
                        .map(str::to_owned),
                        time: event.time,
                        origin: super::provenance::origin(&event),
                    };
                    self.batch
                        .add(Received { handle, summary }, targets, event.time);
                    shared.metrics(|m| m.event("matched"));
                    return None;
                }
            }
        };
        shared.metrics(|m| m.event(outcome));
        Some(handle)
    }

    /// The open batch's events, in the order received: the resources each touched and who
    /// made it.
    pub(super) fn origins(&self) -> impl Iterator<Item = (&[Target], &EventOrigin)> {
        self.batch
            .messages()
            .map(|(received, targets)| (targets, &received.summary.origin))
    }

    /// The open batch's resources, once each, if it is due.
    pub(super) fn targets(&self) -> BTreeSet<Target> {
        self.batch.targets()
    }

    /// How many messages the open batch holds.
    pub(super) fn len(&self) -> usize {
        self.batch.len()
    }

    /// Forgets the open batch without deleting its messages: SQS delivers them again after
    /// their visibility timeout (to the process that holds the lease by then).
    pub(super) fn abandon(&mut self) {
        if !self.batch.is_empty() {
            tracing::info!(
                messages = self.batch.len(),
                "events left to come back to the lease holder"
            );
        }
        self.batch = Batch::default();
        self.queue = None;
    }

    /// Whether a batch is open.
    pub(super) fn pending(&self) -> bool {
        !self.batch.is_empty()
    }

    /// [`Listener::settle`], unless the lease was `lost` during the pass (writes were left
    /// unstarted): its events are then left to come back to the new holder.
    pub(super) async fn settle_unless(
        &mut self,
        lost: bool,
        aws: &Aws,
        plan: &Plan,
        report: &ApplyReport,
        held: &Held,
        shared: &Shared,
    ) {
        if lost {
            self.abandon();
        } else {
            self.settle(aws, plan, report, held, shared).await;
        }
    }

    /// Settles the open batch by what `plan` and `report` did: deletes the messages whose
    /// resources all reconciled (recording their latency and the last event per resource),
    /// leaves the others to come back: a resource that could not be read or written, or
    /// whose writes wait for its backoff, has not finished its reconcile.
    pub(super) async fn settle(
        &mut self,
        aws: &Aws,
        plan: &Plan,
        report: &ApplyReport,
        held: &Held,
        shared: &Shared,
    ) {
        let Some((_, url)) = self.queue.clone() else {
            return;
        };
        let batch = std::mem::take(&mut self.batch);
        let failed: BTreeSet<(&str, &str)> = plan
            .resources
            .iter()
            .filter(|r| r.action == Action::Error)
            .map(|r| (r.kind, r.name.as_str()))
            .chain(
                report
                    .resources
                    .iter()
                    .filter(|r| r.ops.iter().any(|op| op.result.is_err()))
                    .map(|r| (r.kind, r.name.as_str())),
            )
            .chain(
                held.iter()
                    .filter(|(_, (reason, _))| *reason == "BackingOff")
                    .filter_map(|((kind, name), _)| {
                        plan.resources
                            .iter()
                            .find(|r| r.kind == kind && r.name == *name)
                            .map(|r| (r.kind, r.name.as_str()))
                    }),
            )
            .collect();
        let planned = |target: &Target| -> Vec<&ResourcePlan> {
            plan.resources
                .iter()
                .filter(|r| {
                    r.kind == target.kind
                        && match &target.key {
                            EventKey::Name(name) => r.name == *name,
                            EventKey::Id(id) => r.event_id.as_deref() == Some(id.as_str()),
                        }
                })
                .collect()
        };
        let failed_target = |target: &Target| {
            planned(target)
                .iter()
                .any(|r| failed.contains(&(r.kind, r.name.as_str())))
        };
        let settled = batch.settle_with(failed_target, |received, targets| {
            for target in targets {
                for resource in planned(target) {
                    shared.update_status(|board| {
                        board.record_event(
                            resource.kind,
                            &resource.name,
                            received.summary.last_event(),
                        );
                    });
                }
            }
        });
        let now = SystemTime::now();
        for (_, time) in &settled.done {
            if let Some(seconds) = time.and_then(|t| now.duration_since(t).ok()) {
                shared.metrics(|m| m.event_latency(seconds.as_secs_f64()));
            }
        }
        if !settled.retry.is_empty() {
            tracing::warn!(
                messages = settled.retry.len(),
                "a reconcile failed: its events come back after the queue's visibility timeout"
            );
        }
        let handles = settled
            .done
            .into_iter()
            .map(|(received, _)| received.handle)
            .collect();
        if let Err(err) = delete(aws, &url, handles).await {
            tracing::warn!("{err}");
        }
    }
}

impl Summary {
    fn last_event(&self) -> LastEvent {
        LastEvent {
            name: self.name.clone(),
            principal: self.principal.clone(),
            time: self
                .time
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map(|d| rfc3339(d.as_secs())),
            reconciled_at: now_rfc3339(),
        }
    }
}
