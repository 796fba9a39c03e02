//! The reconcile loop: when to pass, reloading the desired state, and one pass from plan to
//! record.

use std::sync::Arc;
use std::time::Instant;

use afu9_spec::DesiredState;
use tokio_util::sync::CancellationToken;

use super::audit::AuditLog;
use super::backoff::Backoff;
use super::hold::hold_back;
use super::record::{Tally, record};
use super::shared::{LastPass, Shared};
use super::status::now_rfc3339;
use super::{RunOptions, revision};
use crate::aws::Aws;
use crate::engine::{Engine, check_target};

/// The loaded desired state and where it came from.
struct Loaded {
    state: DesiredState,
    revision: String,
}

/// The reconcile loop.
pub struct Reconciler {
    options: RunOptions,
    aws: Aws,
    engine: Engine,
    shared: Arc<Shared>,
    audit: AuditLog,
    backoff: Backoff,
    loaded: Option<Loaded>,
    seen_hash: Option<String>,
}

impl Reconciler {
    /// A loop over `options.paths` with these clients, kinds, shared state and audit log.
    pub fn new(
        options: RunOptions,
        aws: Aws,
        engine: Engine,
        shared: Arc<Shared>,
        audit: AuditLog,
    ) -> Self {
        Self {
            options,
            aws,
            engine,
            shared,
            audit,
            backoff: Backoff::default(),
            loaded: None,
            seen_hash: None,
        }
    }

    /// Runs until `shutdown` is cancelled; the AWS write in flight then finishes and no
    /// other starts.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let mut next_pass = Instant::now();
        let mut last_pass = Instant::now();
        while !shutdown.is_cancelled() {
            let changed = self.reload();
            let now = Instant::now();
            let backoff_due = self.backoff.expired_between(last_pass, now);
            if self.loaded.is_some()
                && self.shared.health().invalid.is_none()
                && (changed || backoff_due || now >= next_pass)
            {
                self.pass(&shutdown).await;
                last_pass = Instant::now();
                next_pass =
                    Instant::now() + self.options.interval.mul_f64(0.9 + 0.2 * fastrand::f64());
            }
            let now = Instant::now();
            let mut wake = next_pass.min(now + self.options.reload_every);
            if let Some(expiry) = self.backoff.next_expiry(now) {
                wake = wake.min(expiry);
            }
            tokio::select! {
                () = tokio::time::sleep_until(wake.into()) => {}
                () = shutdown.cancelled() => {}
            }
        }
        tracing::info!("reconcile loop stopped");
    }

    /// Loads the desired state when its files changed; returns whether a new valid state
    /// was loaded.
    fn reload(&mut self) -> bool {
        let hash = revision::content_hash(&self.options.paths);
        if self.seen_hash.as_deref() == Some(hash.as_str()) {
            return false;
        }
        self.seen_hash = Some(hash.clone());
        match afu9_spec::load_paths(&self.options.paths) {
            Ok(state) => {
                let revision = revision::revision(&self.options.paths, &hash);
                tracing::info!(%revision, resources = state.len(), "desired state loaded");
                self.shared.update_health(|h| {
                    h.invalid = None;
                    h.revision = Some(revision.clone());
                });
                self.shared.metrics(|m| m.desired_state_valid(true));
                self.loaded = Some(Loaded { state, revision });
                true
            }
            Err(errors) => {
                tracing::error!(
                    "the desired state is invalid; keeping the last valid one and changing nothing:\n{errors}"
                );
                self.shared
                    .update_health(|h| h.invalid = Some(errors.to_string()));
                self.shared.metrics(|m| {
                    m.desired_state_valid(false);
                    m.error("invalid_desired_state");
                });
                false
            }
        }
    }

    async fn pass(&mut self, shutdown: &CancellationToken) {
        let Some(loaded) = &self.loaded else { return };
        let revision = loaded.revision.clone();
        let started = Instant::now();
        let calls_before = self.aws.calls.total();
        if let Err(err) = check_target(&self.aws, &loaded.state).await {
            tracing::error!("{err}");
            self.shared.metrics(|m| {
                m.error("refused");
                m.pass(started.elapsed().as_secs_f64(), "refused");
            });
            return;
        }
        let mut plan = tokio::select! {
            plan = self.engine.plan(&self.aws, &loaded.state) => plan,
            () = shutdown.cancelled() => return,
        };
        let held = hold_back(
            &mut plan,
            &revision,
            &self.options,
            &self.backoff,
            &self.shared,
        );
        let report = self
            .engine
            .apply_until(&self.aws, &plan, &|| shutdown.is_cancelled())
            .await;
        self.audit.record(&revision, &plan, &report);
        self.shared
            .update_changes(|changes| changes.record(&revision, &plan, &report));
        let tally = record(
            &self.shared,
            &mut self.backoff,
            &plan,
            &report,
            &held,
            &revision,
        );
        let seconds = started.elapsed().as_secs_f64();
        let aws_calls = self.aws.calls.snapshot();
        self.shared.metrics(|m| {
            m.sync_calls(aws_calls);
            m.pass(seconds, if tally.errors > 0 { "errors" } else { "ok" });
        });
        let last_pass = LastPass {
            finished_at: now_rfc3339(),
            seconds,
            calls: self.aws.calls.total().saturating_sub(calls_before),
            tally,
        };
        log_pass(&revision, &last_pass);
        self.shared.update_health(|h| {
            h.passes += 1;
            h.last_pass = Some(last_pass);
        });
    }
}

/// One line per pass; a warning when a resource could not be read or written.
fn log_pass(revision: &str, pass: &LastPass) {
    let Tally {
        resources,
        drifted,
        changed,
        blocked,
        errors,
    } = pass.tally;
    if errors > 0 {
        tracing::warn!(
            %revision, seconds = pass.seconds, calls = pass.calls,
            resources, drifted, changed, blocked, errors,
            "pass finished with errors"
        );
    } else {
        tracing::info!(
            %revision, seconds = pass.seconds, calls = pass.calls,
            resources, drifted, changed, blocked, errors,
            "pass finished"
        );
    }
}
