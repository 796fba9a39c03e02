//! `afu9ctl run`: the reconcile loop of the controller as an ECS service.
//!
//! One task owns the loop, so a resource is never reconciled twice at once. Each pass loads
//! the desired state if its files changed (an invalid change is reported and nothing is
//! done until it is fixed), plans every resource, holds back what must wait (observe-only,
//! per-resource backoff, a terminal error, the change cap), applies the rest, and records
//! status, metrics, the recent changes and the audit trail. The loop wakes on the interval
//! (with jitter), on a file change, when a backoff ends, and stops between two AWS writes on
//! shutdown. Between passes it listens to the `EventSource`'s queue (SQS long polling) and
//! reconciles only the resources the events of a short window touched. With a lease
//! (`lease.rs`), only the process holding it passes and listens; the others stand by. The HTTP server serves what the loop shares: the status page, `/status`,
//! `/metrics`, `/healthz` and `/readyz`.

mod audit;
mod auth;
mod backoff;
mod changes;
mod hold;
mod lease;
mod listen;
mod metrics;
mod page;
mod pass_hold;
mod provenance;
mod reconciler;
mod record;
mod revision;
mod role;
mod server;
mod shared;
mod status;
mod verify;

use std::path::PathBuf;
use std::time::Duration;

pub use audit::AuditLog;
pub use auth::{TOKEN_ENV, Token, TokenError};
pub use changes::{ChangeEntry, RecentChanges};
pub use lease::{Lease, LeaseConfig, keep as keep_lease};
pub use metrics::Metrics;
pub use pass_hold::PassHold;
pub use reconciler::Reconciler;
pub use role::Role;
pub use server::serve;
pub use shared::{Health, LastPass, Shared};
pub use status::{ResourceStatus, StatusBoard, Tally, Verdict, now_rfc3339};
pub use verify::{Achieved, Recorded};

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
    /// After each full pass, export the checklist's failing findings and the drift left to
    /// Security Hub, and resolve those that pass now.
    pub security_hub: bool,
    /// How long the events of a burst are gathered before their resources are reconciled
    /// (one reconcile per resource per window).
    pub event_window: Duration,
    /// Overrides the Posture's `manageGlobal` (the StackSet outside its primary region).
    pub manage_global: Option<bool>,
    /// With a lease, only its holder reconciles and writes; `None`: this process always does.
    pub lease: Option<Lease>,
}
