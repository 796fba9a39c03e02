//! What the reconcile loop shares with the HTTP server: the status board, the metrics, the
//! health facts and the recent changes, each behind its own short lock (never held across an
//! await).

use std::sync::{Mutex, PoisonError, RwLock};

use serde::Serialize;

use super::changes::RecentChanges;
use super::metrics::Metrics;
use super::pass_hold::PassHold;
use super::role::Role;
use super::status::{StatusBoard, Tally};

/// Liveness and readiness facts.
#[derive(Debug, Clone, Default)]
pub struct Health {
    /// The revision of the desired state in force.
    pub revision: Option<String>,
    /// Passes finished.
    pub passes: u64,
    /// Validation errors of the files on disk, when they are invalid.
    pub invalid: Option<String>,
    /// The last pass that finished.
    pub last_pass: Option<LastPass>,
    /// Reconciles caused by events that finished.
    pub event_passes: u64,
    /// The last of them.
    pub last_event_pass: Option<LastPass>,
    /// The queue the loop listens to, once it exists.
    pub listening: Option<String>,
    /// The revision on disk that was refused as invalid, while the last valid one is kept.
    pub refused: Option<String>,
    /// Why the last full pass was held back whole, if it was.
    pub held: Option<PassHold>,
    /// The Posture's exceptions and where each stands today, one line each.
    pub accepted_risks: Vec<String>,
    /// With a lease (`run --lease-table`): whether this process writes or stands by.
    pub role: Option<Role>,
    /// With a lease: the process that holds it, as last seen.
    pub lease_holder: Option<String>,
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
        // A standby with a valid desired state is ready: it is the spare that takes over, and
        // an orchestrator must neither restart it nor wait for it to hold the lease.
        (self.passes == 0 && self.role != Some(Role::Standby))
            .then(|| "the first pass has not finished".to_owned())
    }
}

/// When the last pass finished, how long it took, how many AWS calls it made and what it
/// found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastPass {
    /// RFC 3339 UTC.
    pub finished_at: String,
    /// Wall-clock duration.
    pub seconds: f64,
    /// AWS calls made by the pass's plan and apply, SDK retries included (the read-back of
    /// what it wrote, for the audit trail, is counted in `/metrics` only).
    pub calls: u64,
    /// The resources by what happened to them.
    #[serde(flatten)]
    pub tally: Tally,
}

/// What the loop shares with the HTTP server.
#[derive(Default)]
pub struct Shared {
    status: RwLock<StatusBoard>,
    metrics: Mutex<Metrics>,
    health: RwLock<Health>,
    changes: RwLock<RecentChanges>,
    plan: RwLock<serde_json::Value>,
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

    /// Reads the recent changes.
    pub fn changes<T>(&self, read: impl FnOnce(&RecentChanges) -> T) -> T {
        read(&self.changes.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Uses the metrics.
    pub fn metrics<T>(&self, with: impl FnOnce(&mut Metrics) -> T) -> T {
        with(&mut self.metrics.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(super) fn update_health(&self, change: impl FnOnce(&mut Health)) {
        change(&mut self.health.write().unwrap_or_else(PoisonError::into_inner));
    }

    pub(super) fn update_status<T>(&self, change: impl FnOnce(&mut StatusBoard) -> T) -> T {
        change(&mut self.status.write().unwrap_or_else(PoisonError::into_inner))
    }

    /// The last pass's plan as JSON (`Null` before the first).
    pub fn plan(&self) -> serde_json::Value {
        self.plan
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn set_plan(&self, plan: serde_json::Value) {
        *self.plan.write().unwrap_or_else(PoisonError::into_inner) = plan;
    }

    pub(super) fn update_changes(&self, change: impl FnOnce(&mut RecentChanges)) {
        change(&mut self.changes.write().unwrap_or_else(PoisonError::into_inner));
    }
}
