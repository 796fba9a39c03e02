//! `afu9ctl run`: the reconcile loop of the controller as an ECS service.
//!
//! One task owns the loop, so a resource is never reconciled twice at once. Each pass loads
//! the desired state if its files changed (an invalid change is reported and nothing is
//! done until it is fixed), plans every resource, holds back what must wait (observe-only,
//! per-resource backoff, a terminal error, the change cap), applies the rest, and records
//! status, metrics and the audit trail. The loop wakes on the interval (with jitter), on a
//! file change, when a backoff ends, and stops between two AWS writes on shutdown.

mod audit;
mod backoff;
mod metrics;
mod revision;
mod server;
mod status;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use afu9_spec::DesiredState;
use tokio_util::sync::CancellationToken;

pub use audit::AuditLog;
pub use metrics::Metrics;
pub use server::serve;
pub use status::{ResourceStatus, StatusBoard, Verdict};

use crate::aws::{Aws, ErrorClass};
use crate::engine::{Engine, check_target};
use crate::plan::{OpOutcome, Plan};

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Manifest files and directories.
    pub paths: Vec<PathBuf>,
    /// Time between passes (±10 % jitter).
    pub interval: Duration,
    /// How often the manifest files are checked for changes.
    pub reload_every: Duration,
    /// A pass that would change more resources than this changes none.
    pub max_changes: Option<usize>,
    /// Plan only, never write.
    pub observe_only: bool,
}

/// Liveness and readiness facts.
#[derive(Debug, Clone, Default)]
pub struct Health {
    /// The revision of the desired state in force.
    pub revision: Option<String>,
    /// Passes finished.
    pub passes: u64,
    /// Validation errors of the files on disk, when they are invalid.
    pub invalid: Option<String>,
}

impl Health {
    /// Why the controller is not ready, if it is not.
    pub fn not_ready_reason(&self) -> Option<String> {
        if let Some(errors) = &self.invalid {
            return Some(format!(
                "the desired state on disk is invalid; the last valid one is kept\n{errors}"
            ));
        }
        if self.revision.is_none() {
            return Some("no valid desired state loaded yet".to_owned());
        }
        (self.passes == 0).then(|| "the first pass has not finished".to_owned())
    }
}

/// What the loop shares with the HTTP server.
#[derive(Default)]
pub struct Shared {
    status: RwLock<StatusBoard>,
    metrics: Mutex<Metrics>,
    health: RwLock<Health>,
}

impl Shared {
    /// A copy of the health facts.
    pub fn health(&self) -> Health {
        self.health
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the status board.
    pub fn status<T>(&self, read: impl FnOnce(&StatusBoard) -> T) -> T {
        read(&self.status.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Uses the metrics.
    pub fn metrics<T>(&self, with: impl FnOnce(&mut Metrics) -> T) -> T {
        with(&mut self.metrics.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn update_health(&self, change: impl FnOnce(&mut Health)) {
        change(&mut self.health.write().unwrap_or_else(PoisonError::into_inner));
    }
}

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
    backoff: backoff::Backoff,
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
            backoff: backoff::Backoff::default(),
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
        let held = self.hold_back(&mut plan, &revision);
        let report = self
            .engine
            .apply_until(&self.aws, &plan, &|| shutdown.is_cancelled())
            .await;
        self.audit.record(&revision, &plan, &report);
        let failed = self.record(&plan, &report, &held, &revision);
        let aws_calls = self.aws.calls.snapshot();
        self.shared.metrics(|m| {
            m.sync_calls(aws_calls);
            m.pass(
                started.elapsed().as_secs_f64(),
                if failed { "errors" } else { "ok" },
            );
        });
        self.shared.update_health(|h| h.passes += 1);
        tracing::info!(
            %revision,
            seconds = started.elapsed().as_secs_f64(),
            drifted = plan.resources.iter().filter(|r| r.is_drift()).count(),
            "pass finished"
        );
    }

    /// Clears the operations of resources that must not be written in this pass; returns
    /// why, by (kind, name).
    fn hold_back(
        &self,
        plan: &mut Plan,
        revision: &str,
    ) -> BTreeMap<(String, String), (&'static str, String)> {
        let now = Instant::now();
        let mut held = BTreeMap::new();
        for resource in &mut plan.resources {
            let key = (resource.kind.to_owned(), resource.name.clone());
            if resource.ops.is_empty() {
                if resource.is_drift() && resource.policy == afu9_spec::ManagementPolicy::Observe {
                    held.insert(
                        key,
                        (
                            "ObserveOnly",
                            "the manifest's management policy is observe".to_owned(),
                        ),
                    );
                }
                continue;
            }
            if self.options.observe_only {
                held.insert(
                    key,
                    ("ObserveOnly", "afu9ctl run --observe-only".to_owned()),
                );
            } else if let Some(why) = self.backoff.holds(&key, revision, now) {
                held.insert(key, ("BackingOff", why));
            } else {
                continue;
            }
            resource.ops.clear();
        }
        let changing = plan.resources.iter().filter(|r| !r.ops.is_empty()).count();
        if let Some(max) = self.options.max_changes
            && changing > max
        {
            let why = format!(
                "this pass would change {changing} resources, more than --max-changes {max}; nothing was changed"
            );
            tracing::warn!("{why}");
            self.shared.metrics(|m| m.error("max_changes_exceeded"));
            for resource in plan.resources.iter_mut().filter(|r| !r.ops.is_empty()) {
                resource.ops.clear();
                held.insert(
                    (resource.kind.to_owned(), resource.name.clone()),
                    ("MaxChangesExceeded", why.clone()),
                );
            }
        }
        held
    }

    /// Records status, backoff and metrics for every resource; returns whether anything failed.
    fn record(
        &mut self,
        plan: &Plan,
        report: &crate::engine::ApplyReport,
        held: &BTreeMap<(String, String), (&'static str, String)>,
        revision: &str,
    ) -> bool {
        let now = Instant::now();
        let mut failed = false;
        let mut board = self
            .shared
            .status
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let mut counts: BTreeMap<(String, &'static str, &'static str), i64> = BTreeMap::new();
        for resource in &plan.resources {
            let key = (resource.kind.to_owned(), resource.name.clone());
            let results = report
                .resources
                .iter()
                .find(|r| r.kind == resource.kind && r.name == resource.name)
                .map(|r| r.ops.as_slice());
            let mut verdict = Verdict::from_pass(
                resource.action,
                resource.reason.as_deref(),
                resource.error_class,
                results,
            );
            if let Some((reason, message)) = held.get(&key) {
                verdict = verdict.pending(reason, message.clone());
            }
            if resource.is_drift() {
                self.shared.metrics(|m| m.drift(resource.kind));
            }
            if let Some(results) = results {
                let done = results
                    .iter()
                    .filter(|op| matches!(op.result, Ok(OpOutcome::Done)))
                    .count() as u64;
                self.shared.metrics(|m| m.changes(resource.kind, done));
                match results.iter().find_map(|op| op.result.as_ref().err()) {
                    Some(err) => {
                        failed = true;
                        self.backoff.failed(key.clone(), err.class, revision, now);
                        self.shared.metrics(|m| m.error(class_label(err.class)));
                    }
                    None => self.backoff.succeeded(&key),
                }
            }
            if let Some(class) = resource.error_class {
                failed = true;
                self.shared.metrics(|m| m.error(class_label(class)));
            }
            board.record(resource.kind, &resource.name, revision, &verdict);
        }
        let keys: Vec<(String, String)> = plan
            .resources
            .iter()
            .map(|r| (r.kind.to_owned(), r.name.clone()))
            .collect();
        board.retain(&keys);
        for status in board.all() {
            for condition in &status.conditions {
                *counts
                    .entry((status.kind.clone(), condition.kind, condition.status))
                    .or_default() += 1;
            }
        }
        drop(board);
        self.shared.metrics(|m| m.resources(&counts));
        failed
    }
}

fn class_label(class: ErrorClass) -> &'static str {
    match class {
        ErrorClass::Throttled => "throttled",
        ErrorClass::Transient => "transient",
        ErrorClass::Terminal => "terminal",
    }
}
