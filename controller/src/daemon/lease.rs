//! One writer per instance: a lease held in a DynamoDB item by conditional writes.
//!
//! Every process of an instance runs the lease task. The holder rewrites the item every
//! renewal interval with a fresh record version (`rvn`), on condition that the item still
//! carries the version it wrote last; a standby reads the item at the same interval and
//! takes it over, on condition that its version is still the one it watched, once that
//! version has not changed for a whole lease duration of the standby's own monotonic clock.
//! No wall clock is compared across machines (the scheme of Amazon's DynamoDB lock client).
//!
//! Why it is safe: the holder counts its lease from the moment it *sent* a renewal that
//! succeeded, and stops starting writes one renewal interval before that plus the duration;
//! a standby starts its count only after it *read* that renewal, so it takes over at least a
//! duration after the renewal was sent. Why it is bounded: a holder that dies is replaced
//! after at most the lease duration plus two renewal intervals (the standby sees the last
//! version within one interval, and its polls fall at most one interval past the duration),
//! plus one call. A holder that stops on a signal deletes the item, and a standby takes over
//! at its next poll.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::role::Role;
use super::shared::Shared;
use crate::aws::{Aws, AwsError};

/// The item's key attribute (the table's partition key, a string).
pub const KEY_ATTRIBUTE: &str = "lease";

/// Where the lease lives and how long it lasts.
#[derive(Debug, Clone)]
pub struct LeaseConfig {
    /// The DynamoDB table (partition key `lease`, a string).
    pub table: String,
    /// The item's key: the instance and the region (one lease per instance and region).
    pub key: String,
    /// This process, as the item names its holder.
    pub holder: String,
    /// How long a lease lasts without renewal.
    pub duration: Duration,
    /// How often the holder renews and a standby looks.
    pub renew_every: Duration,
}

impl LeaseConfig {
    /// The longest a standby takes to take over from a holder that died.
    pub fn takeover_bound(&self) -> Duration {
        self.duration + self.renew_every * 2
    }
}

/// What the lease task tells the loop.
#[derive(Debug, Default)]
struct State {
    /// Until when this process may start writes (`None`: it does not hold the lease).
    valid_until: Option<Instant>,
    /// Who holds the lease, as last read or written.
    holder: Option<String>,
}

/// The loop's view of the lease: shared with the lease task.
#[derive(Debug, Clone)]
pub struct Lease {
    config: Arc<LeaseConfig>,
    state: Arc<Mutex<State>>,
    changed: Arc<Notify>,
}

impl Lease {
    /// A lease not held yet.
    pub fn new(config: LeaseConfig) -> Self {
        Self {
            config: Arc::new(config),
            state: Arc::default(),
            changed: Arc::default(),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &LeaseConfig {
        &self.config
    }

    /// Whether this process may start a write now.
    pub fn held(&self) -> bool {
        self.read(|s| s.valid_until.is_some_and(|until| Instant::now() < until))
    }

    /// The role the lease gives this process now.
    pub fn role(&self) -> Role {
        if self.held() {
            Role::Leader
        } else {
            Role::Standby
        }
    }

    /// Who holds the lease, as last seen.
    pub fn holder(&self) -> Option<String> {
        self.read(|s| s.holder.clone())
    }

    /// Waits until the lease is won, or `until`.
    pub async fn won_or(&self, until: Instant) {
        let notified = self.changed.notified();
        if self.held() {
            return;
        }
        tokio::select! {
            () = notified => {}
            () = tokio::time::sleep_until(until.into()) => {}
        }
    }

    fn read<T>(&self, read: impl FnOnce(&State) -> T) -> T {
        read(&self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
    }
}

/// What a standby watches: the version it read, and since when (its own clock).
struct Watched {
    version: Option<String>,
    since: Instant,
}

/// Keeps the lease until `shutdown`: renews it while held, takes it over when its holder
/// stopped renewing, and releases it on the way out. Publishes the role to `shared`.
pub async fn keep(lease: Lease, aws: Aws, shared: Arc<Shared>, shutdown: CancellationToken) {
    let config = Arc::clone(&lease.config);
    let mut mine: Option<String> = None;
    let mut watched: Option<Watched> = None;
    let mut role = None;
    loop {
        let started = Instant::now();
        let result = match &mine {
            Some(version) => renew(&aws, &config, version).await.map(|won| (won, None)),
            None => look(&aws, &config, &mut watched).await,
        };
        match result {
            Ok((Some(version), _)) => {
                let until = started + config.duration.saturating_sub(config.renew_every);
                lease.update(|s| {
                    s.valid_until = Some(until);
                    s.holder = Some(config.holder.clone());
                });
                mine = Some(version);
                watched = None;
            }
            Ok((None, holder)) => {
                if mine.take().is_some() {
                    tracing::warn!(lease = %config.key, "the lease was taken over: standing by");
                }
                lease.update(|s| {
                    s.valid_until = None;
                    s.holder = holder;
                });
            }
            Err(err) => {
                tracing::warn!("{err}; trying again in {:?}", config.renew_every);
                shared.metrics(|m| m.error("lease"));
            }
        }
        let now_role = lease.role();
        if role != Some(now_role) {
            tracing::info!(lease = %config.key, holder = %config.holder, role = now_role.as_str(), "lease role");
            role = Some(now_role);
            lease.changed.notify_waiters();
        }
        shared.update_health(|h| {
            h.role = Some(now_role);
            h.lease_holder = lease.holder();
        });
        tokio::select! {
            () = tokio::time::sleep_until((started + config.renew_every).into()) => {}
            () = shutdown.cancelled() => break,
        }
    }
    if let Some(version) = mine {
        lease.update(|s| s.valid_until = None);
        match release(&aws, &config, &version).await {
            Ok(()) => tracing::info!(lease = %config.key, "lease released"),
            Err(err) => tracing::warn!("{err}"),
        }
    }
}

/// A fresh record version: this process and a random number.
fn new_version(config: &LeaseConfig) -> String {
    format!("{}/{:016x}", config.holder, fastrand::u64(..))
}

fn put(
    aws: &Aws,
    config: &LeaseConfig,
    version: &str,
) -> aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder {
    aws.dynamodb()
        .put_item()
        .table_name(&config.table)
        .item(KEY_ATTRIBUTE, AttributeValue::S(config.key.clone()))
        .item("holder", AttributeValue::S(config.holder.clone()))
        .item("rvn", AttributeValue::S(version.to_owned()))
        .item(
            "durationMs",
            AttributeValue::N(config.duration.as_millis().to_string()),
        )
}

/// What the lease's calls act on, for errors.
fn subject(config: &LeaseConfig) -> String {
    format!("lease {} in table {}", config.key, config.table)
}

/// The error AWS answers when a conditional write's condition does not hold (another
/// process holds the lease).
const CONDITION_FAILED: &str = "ConditionalCheckFailedException";

/// Renews the lease this process holds with `version`: the new version, or `None` when
/// another process took it over.
async fn renew(aws: &Aws, config: &LeaseConfig, version: &str) -> Result<Option<String>, AwsError> {
    let next = new_version(config);
    let sent = put(aws, config, &next)
        .condition_expression("#v = :mine")
        .expression_attribute_names("#v", "rvn")
        .expression_attribute_values(":mine", AttributeValue::S(version.to_owned()))
        .send()
        .await;
    match sent.map_err(|err| AwsError::from_sdk(subject(config), "PutItem", &err)) {
        Ok(_) => Ok(Some(next)),
        Err(err) if err.is_code(CONDITION_FAILED) => Ok(None),
        Err(err) => Err(err),
    }
}

/// A standby's look at the lease: takes it when there is none, or when the version it has
/// watched has not changed for a lease duration. Returns the version won, if any, and the
/// holder seen.
async fn look(
    aws: &Aws,
    config: &LeaseConfig,
    watched: &mut Option<Watched>,
) -> Result<(Option<String>, Option<String>), AwsError> {
    let read = aws
        .dynamodb()
        .get_item()
        .table_name(&config.table)
        .key(KEY_ATTRIBUTE, AttributeValue::S(config.key.clone()))
        .consistent_read(true)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(subject(config), "GetItem", &err))?;
    let item = read.item.unwrap_or_default();
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
    let (version, holder) = (text("rvn"), text("holder"));
    let now = Instant::now();
    let expired = match (&version, watched.as_ref()) {
        (None, _) => true,
        (Some(version), Some(seen)) if seen.version.as_ref() == Some(version) => {
            now.duration_since(seen.since) >= config.duration
        }
        _ => false,
    };
    if !expired {
        if watched.as_ref().is_none_or(|seen| seen.version != version) {
            *watched = Some(Watched {
                version,
                since: now,
            });
        }
        return Ok((None, holder));
    }
    let next = new_version(config);
    let attempt = put(aws, config, &next);
    let attempt = match &version {
        None => attempt
            .condition_expression("attribute_not_exists(#k)")
            .expression_attribute_names("#k", KEY_ATTRIBUTE),
        Some(seen) => attempt
            .condition_expression("#v = :seen")
            .expression_attribute_names("#v", "rvn")
            .expression_attribute_values(":seen", AttributeValue::S(seen.clone())),
    };
    let sent = attempt.send().await;
    match sent.map_err(|err| AwsError::from_sdk(subject(config), "PutItem", &err)) {
        Ok(_) => {
            tracing::info!(lease = %config.key, previous = ?holder, "lease taken");
            Ok((Some(next), Some(config.holder.clone())))
        }
        Err(err) if err.is_code(CONDITION_FAILED) => {
            *watched = None;
            Ok((None, holder))
        }
        Err(err) => Err(err),
    }
}

/// Deletes the item if this process still holds it, so that a standby takes over at once.
async fn release(aws: &Aws, config: &LeaseConfig, version: &str) -> Result<(), AwsError> {
    let sent = aws
        .dynamodb()
        .delete_item()
        .table_name(&config.table)
        .key(KEY_ATTRIBUTE, AttributeValue::S(config.key.clone()))
        .condition_expression("#v = :mine")
        .expression_attribute_names("#v", "rvn")
        .expression_attribute_values(":mine", AttributeValue::S(version.to_owned()))
        .send()
        .await;
    match sent.map_err(|err| AwsError::from_sdk(subject(config), "DeleteItem", &err)) {
        Err(err) if !err.is_code(CONDITION_FAILED) => Err(err),
        _ => Ok(()),
    }
}
